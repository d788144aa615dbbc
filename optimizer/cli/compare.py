"""`coprocure compare`: the main job. Every strategy planned, the value of coordination
and its fair split, one comparison workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from optimizer.cli.console import (
    default_output,
    err,
    executor_for,
    print_json,
    progress_bar,
    run_action,
    wide_console,
)
from optimizer.cli.options import JsonOpt, OutputOpt, QuietOpt, Scenario, SchedulerOpt, WorkersOpt

if TYPE_CHECKING:
    from optimizer.planning.compare import Comparison
    from optimizer.workbook.load import LoadedWorkbook


def compare(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to include (repeat; default: all of them). The "
        "base workbook is always included.")] = None,
    output: OutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
) -> None:
    """Plan the base workbook and every strategy, and write one comparison workbook: the
    strategies side by side, the value of coordination and its fair split, and charts.

    An infeasible strategy is reported with its diagnosis and does not stop the run.

    Example: coprocure compare scenarios/japan-eu-2030.xlsx
    """
    run_action(lambda: run_compare(scenario, strategy or [], output, as_json, quiet, workers,
                                   scheduler), as_json)


def run_compare(scenario: Path, strategies: list[str], output: Path | None, as_json: bool,
                quiet: bool, workers: int | None = None, scheduler: str | None = None) -> int:
    from optimizer.planning.compare import metrics
    from optimizer.reports.comparison import write_comparison
    from optimizer.reports.stress import disruption_sheets
    from optimizer.workbook.load import load_workbook

    loaded = load_workbook(scenario)
    names = strategies or loaded.strategy_names
    comparison = compare_with_progress(loaded, names, not (quiet or as_json), workers, scheduler)
    target = output or default_output(scenario, "base", "comparison")
    return deliver(loaded, comparison, target, compare_summary(comparison, target), as_json,
                   quiet, lambda: print_comparison(metrics(comparison), comparison,
                                                   wide_console()),
                   lambda path, prov: write_comparison(path, comparison, prov,
                                                       extra=disruption_sheets))


def compare_with_progress(loaded: LoadedWorkbook, names: list[str], show: bool,
                          workers: int | None, scheduler: str | None,
                          **options: Any) -> Comparison:
    """Every strategy of ``names`` planned on the command's executor, with a progress bar."""
    from optimizer.planning.compare import run_comparison

    for name in names:
        loaded.scenario(name)  # invalid input or an unknown strategy: stop before solving
    with executor_for(workers, scheduler, show) as executor, \
            progress_bar(show, "solving") as tracker:
        return run_comparison(loaded, names, progress=tracker, executor=executor, **options)


def deliver(loaded: LoadedWorkbook, comparison: Comparison, target: Path,
            summary: dict[str, Any], as_json: bool, quiet: bool, show: Callable[[], None],
            write: Callable[[Path, Any], None]) -> int:
    """Write the workbook, then the JSON summary or the terminal table."""
    from dataclasses import replace

    from optimizer.reports.provenance import Provenance

    write(target, replace(Provenance.of(loaded, "base"), computed_on=comparison.executor))
    if as_json:
        print_json(summary)
    elif not quiet:
        show()
        err.print(f"wrote {target}")
    return 0


def compare_summary(comparison: Comparison, target: Path) -> dict[str, Any]:
    from optimizer.cli.solve import solve_summary
    from optimizer.planning.compare import diagnosis_text

    strategies = {}
    for o in comparison.outcomes:
        entry: dict[str, Any] = {"status": str(o.run.status), "objective": o.run.objective}
        if o.run.result is not None:
            summary = solve_summary(o.run, o.name, None)
            entry.update({k: summary[k] for k in ("total_cost", "cost_breakdown", "buyers")})
        else:
            entry["diagnosis"] = diagnosis_text(o)
        strategies[o.name] = entry
    value = comparison.coordination
    coordination = None if value is None else {
        "total_savings": value.total_savings,
        "alone": {b: value.alone(b) for b in value.players},
        "shapley": value.shapley,
        "stable": value.stable,
        "unstable": [{"coalition": sorted(c), "gain_by_leaving": g} for c, g in value.unstable],
    }
    return {"strategies": strategies, "coordination": coordination, "output": str(target),
            "solves_ran_on": comparison.executor, "notes": comparison.notes}


def print_comparison(table: pd.DataFrame, comparison: Comparison, console: Console) -> None:
    s = comparison.base_data.settings
    out = Table(title=f"{s.name}: strategies compared ({s.currency}, present value)")
    for name in ("strategy", "status", "total cost", "vs base", "penalties", f"cost/{s.unit}",
                 "China share", "HHI", "days of cover (end)", f"shortfall ({s.unit})"):
        out.add_column(name, justify="left" if name in ("strategy", "status") else "right")

    def num(row: dict[str, Any], key: str, fmt: str) -> str:
        value = row.get(key)
        return "-" if value is None or value != value else format(value, fmt)

    for row in table.to_dict("records"):
        out.add_row(str(row["strategy"]), str(row["status"]), num(row, "total_cost", ",.0f"),
                    num(row, "total_cost_vs_base_pct", "+.1%"), num(row, "penalties", ",.0f"),
                    num(row, "cost_per_unit", ",.0f"),
                    num(row, "china_share", ".1%"), num(row, "hhi", ".3f"),
                    num(row, "end_days_of_cover", ",.0f"), num(row, "shortfall", ",.1f"))
    console.print(out)
    value = comparison.coordination
    if value is not None:
        split = ", ".join(f"{b} {value.shapley[b]:,.0f}" for b in value.players)
        console.print(f"Coordination saves {value.total_savings:,.0f} {s.currency} against "
                      f"planning alone; Shapley split: {split}; "
                      f"{'stable (in the core)' if value.stable else 'NOT stable'}.")
