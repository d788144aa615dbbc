"""`coprocure compare`: the main job. Every strategy planned, the value of coordination
and its fair split, one comparison workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from optimizer.cli.console import (
    default_output,
    err,
    executor_for,
    output_path,
    print_json,
    progress_bar,
    run_action,
    wide_console,
)
from optimizer.cli.options import (
    CompareColumnsOpt,
    CompareOutputOpt,
    JsonOpt,
    QuietOpt,
    Scenario,
    SchedulerOpt,
    WideOpt,
    WorkersOpt,
)
from optimizer.cli.tables import (
    CHANGE,
    DAYS,
    MONEY,
    PCT,
    PRICE,
    QTY,
    RATIO,
    SHARE,
    TEXT,
    Col,
    cell,
    choose,
    money_scale,
    table,
)
from optimizer.cli.validate import show_warnings

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.planning.compare import Comparison
    from optimizer.planning.demand_met import Met
    from optimizer.workbook.load import LoadedWorkbook


def _largest_at(row: dict[str, Any], stage: str) -> str:
    """'metal China 65.0%', or 'metal: nothing acquired' (the table holds NaN there)."""
    name = row.get(f"largest_country@{stage}")
    if not isinstance(name, str):
        return f"{stage}: nothing acquired"
    return f"{stage} {name} {cell(row.get(f'largest_country_share@{stage}'), SHARE)}"


def compare(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to include (repeat; default: all of them). The "
        "base workbook is always included.")] = None,
    output: CompareOutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None, columns: CompareColumnsOpt = None,
    wide: WideOpt = False,
) -> None:
    """Plan the base workbook and every strategy, and write one comparison workbook: the
    strategies side by side, the value of coordination and its fair split, and charts.

    An infeasible strategy is reported with its diagnosis and does not stop the run.

    Example: coprocure compare scenarios/japan-eu-2030.xlsx
    """
    run_action(lambda: run_compare(scenario, strategy or [], output, as_json, quiet, workers,
                                   scheduler, columns, wide), as_json)


def run_compare(scenario: Path, strategies: list[str], output: Path | None, as_json: bool,
                quiet: bool, workers: int | None = None, scheduler: str | None = None,
                columns: str | None = None, wide: bool = False) -> int:
    # refused before the solve stack is even imported
    target = output_path(output, default_output(scenario, "base", "comparison"), scenario)
    from optimizer.planning.compare import metrics
    from optimizer.reports.comparison import write_comparison
    from optimizer.reports.stress import disruption_sheets
    from optimizer.workbook.load import load_workbook

    choose(COMPARE_COLUMNS, COMPARE_DEFAULT, columns, wide)  # a wrong name: before any solve
    loaded = load_workbook(scenario)
    names = strategies or loaded.strategy_names
    comparison = compare_with_progress(loaded, names, not (quiet or as_json), workers, scheduler)
    return deliver(loaded, comparison, target, compare_summary(comparison, target), as_json,
                   quiet, lambda: print_comparison(metrics(comparison), comparison,
                                                   wide_console(), columns, wide),
                   lambda path, prov: write_comparison(path, comparison, prov,
                                                       extra=disruption_sheets))


def compare_with_progress(loaded: LoadedWorkbook, names: list[str], show: bool,
                          workers: int | None, scheduler: str | None,
                          **options: Any) -> Comparison:
    """Every strategy of ``names`` planned on the command's executor, with a progress bar."""
    from optimizer.planning.compare import run_comparison

    for name in names:
        loaded.scenario(name)  # invalid input or an unknown strategy: stop before solving
    if show:
        show_warnings(loaded)
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


def _by_partner(met: dict[tuple[str, str], Met], worst: bool = False
                ) -> dict[str, dict[str, Any]]:
    """{partner: {material: share}} as planned; in the worst disruption {material:
    {share, scenario}}, the scenario null where no disruption leaves it short."""
    out: dict[str, dict[str, Any]] = {}
    for (partner, material), m in met.items():
        out.setdefault(partner, {})[material] = {"share": m.share, "scenario": m.scenario} \
            if worst else m.share
    return out


def compare_summary(comparison: Comparison, target: Path) -> dict[str, Any]:
    from optimizer.cli.solve import solve_summary
    from optimizer.planning.compare import diagnosis_text
    from optimizer.planning.demand_met import met_as_planned, met_in_worst

    strategies = {}
    for o in comparison.outcomes:
        entry: dict[str, Any] = {"status": str(o.run.status), "objective": o.run.objective}
        if o.run.result is not None:
            summary = solve_summary(o.run, o.name, None)
            entry.update({k: summary[k] for k in ("total_cost", "cost_breakdown", "buyers")})
            entry["demand_met"] = _by_partner(met_as_planned(o.run.result))
            worst = None if o.stress is None else met_in_worst(o.run.result, o.stress)
            if worst is not None:
                entry["demand_met_worst"] = _by_partner(worst, worst=True)
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
        "sources": None if comparison.sources is None else {
            "pro_rata_cost": comparison.sources.pro_rata,
            "joint_with_pro_rata_signing": comparison.sources.own_brackets,
            "joint_cost": comparison.sources.joint,
            "from_deals_only_the_coalition_signs": comparison.sources.from_deals,
            "deals_only_the_coalition_signs": list(comparison.sources.deals_only_together),
            "from_discount_brackets_only_pooled_volume_reaches":
                comparison.sources.from_brackets,
            "from_the_rest": comparison.sources.from_the_rest},
    }
    return {"strategies": strategies, "coordination": coordination, "output": str(target),
            "solves_ran_on": comparison.executor, "notes": comparison.notes}


COMPARE_COLUMNS = (
    Col("status", "status", "status", TEXT),
    # the lowest share of demand met of every partner and material, over the horizon
    Col("met", "demand_met", "demand\nmet", SHARE),
    Col("worst-met", "worst_demand_met", "met,\nworst", SHARE),
    Col("cost", "total_cost", "total cost", MONEY),
    Col("vs-base", "total_cost_vs_base_pct", "vs base", PCT),
    Col("change", "total_cost_vs_base", "vs base", CHANGE),
    Col("penalties", "penalties", "penalties", MONEY),
    Col("stock-left", "closing_stock_value", "stock\nleft", MONEY),
    Col("cost-per-unit", "cost_per_unit", "cost per", PRICE),
    Col("china", "china_share", "China", SHARE),
    Col("largest", "largest_country_share", "largest\ncountry", SHARE),
    Col("hhi", "hhi", "HHI", RATIO),
    Col("cover", "end_days_of_cover", "cover", DAYS),
    Col("shortfall", "shortfall", "shortfall", QTY),
    Col("expected", "expected_cost", "expected\ncost", MONEY),
    Col("worst", "worst_cost", "worst\ncost", MONEY),
    Col("expected-short", "expected_shortfall", "expected\nshort", QTY),
    Col("worst-short", "worst_shortfall", "worst\nshort", QTY),
    Col("evpi", "evpi", "EVPI", MONEY),
    Col("vss", "vss", "VSS", MONEY),
)
COMPARE_DEFAULT = ("status", "met", "worst-met", "cost", "vs-base", "china")
STRATEGY = Col("strategy", "strategy", "strategy", TEXT)


def print_comparison(metrics_table: pd.DataFrame, comparison: Comparison, console: Console,
                     columns: str | None = None, wide: bool = False) -> None:
    s = comparison.base_data.settings
    rows = metrics_table.to_dict("records")
    present = [c for c in COMPARE_COLUMNS if any(c.key in r for r in rows)]
    cols = choose(present, [n for n in COMPARE_DEFAULT if n in {c.name for c in present}],
                  columns, wide)
    console.print(table(rows, [STRATEGY], cols, s.unit, s.currency,
                        title=f"{s.name}: strategies compared (present values)"))
    stages = comparison.base_data.stages
    if stages and rows and f"largest_country@{stages[0]}" in rows[0]:
        # SPEC 3.2: the table's China share counts purchases of every stage together
        first = rows[0]
        at = ", ".join(_largest_at(first, st) for st in stages)
        console.print(f"Largest country at each stage ({first['strategy']}, bought or "
                      f"processed there): {at}. Per strategy: the Comparison sheet.")
    value = comparison.coordination
    if value is not None:
        factor, scale = money_scale([value.total_savings, *value.shapley.values()])
        unit = f"{scale} {s.currency}".strip()
        split = ", ".join(f"{b} {cell(value.shapley[b], MONEY, factor)}" for b in value.players)
        console.print(f"Coordination saves {cell(value.total_savings, MONEY, factor)} {unit} "
                      f"against planning alone; Shapley split ({unit}): {split}; "
                      f"{'stable (in the core)' if value.stable else 'NOT stable'}.")
    src = comparison.sources
    if src is not None and src.total is not None:
        factor, scale = money_scale([src.total])
        unit = f"{scale} {s.currency}".strip()
        named = ", ".join(src.deals_only_together) or "none"
        console.print(f"Against pro-rata, {cell(src.total, MONEY, factor)} {unit}: deals only "
                      f"the coalition signs {cell(src.from_deals, MONEY, factor)} {unit} "
                      f"({named}); discount brackets only pooled volume reaches "
                      f"{cell(src.from_brackets, MONEY, factor)} {unit}; the rest (shared "
                      f"capacity, freight, sharing) {cell(src.from_the_rest, MONEY, factor)} "
                      f"{unit}.")
