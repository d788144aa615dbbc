"""`coprocure stress`: each plan's contracts held fixed in every disruption scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from optimizer.cli.compare import compare_with_progress, deliver
from optimizer.cli.console import default_output, run_action, wide_console
from optimizer.cli.options import JsonOpt, OutputOpt, QuietOpt, Scenario, SchedulerOpt, WorkersOpt
from optimizer.errors import Infeasible

if TYPE_CHECKING:
    from optimizer.planning.compare import Comparison


def stress(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to plan and stress (repeat; default: all).")] = None,
    disruptions: Annotated[Path | None, typer.Option(
        "--disruptions", help="Take the Disruptions sheet from this workbook instead.")] = None,
    output: OutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
) -> None:
    """Plan each strategy, then hold its contracts and let the partners react in every
    disruption scenario: cost, shortfall, periods below the reserve floor; expected and
    worst case per strategy; EVPI and VSS for robust strategies.

    Example: coprocure stress scenarios/japan-eu-2030.xlsx --strategy base --strategy robust
    """
    run_action(lambda: run_stress(scenario, strategy or [], disruptions, output, as_json,
                                  quiet, workers, scheduler), as_json)


def run_stress(scenario: Path, strategies: list[str], disruptions: Path | None,
               output: Path | None, as_json: bool, quiet: bool, workers: int | None = None,
               scheduler: str | None = None) -> int:
    from optimizer.reports.stress import write_stress
    from optimizer.workbook.load import load_workbook

    loaded = load_workbook(scenario, disruptions_from=disruptions)
    if not loaded.scenario().disruptions:
        raise Infeasible(f"{scenario.name} has no disruption scenarios: add a Disruptions "
                         "sheet or pass --disruptions OTHER.xlsx")
    names = strategies or loaded.strategy_names
    comparison = compare_with_progress(loaded, names, not (quiet or as_json), workers,
                                       scheduler, coordination=False, measures=True)
    target = output or default_output(scenario, "base", "stress")
    summary = stress_summary(comparison, target)
    return deliver(loaded, comparison, target, summary, as_json, quiet,
                   lambda: print_stress(summary, comparison, wide_console()),
                   lambda path, prov: write_stress(path, comparison, prov))


def stress_summary(comparison: Comparison, target: Path) -> dict[str, Any]:
    out = {}
    for o in comparison.outcomes:
        entry: dict[str, Any] = {"status": str(o.run.status), "plan_cost": o.run.objective}
        if o.stress is not None:
            st = o.stress
            entry.update({
                "expected_cost": st.expected_cost, "worst_cost": st.worst_cost,
                "expected_shortfall": st.expected_shortfall,
                "worst_shortfall": st.worst_shortfall,
                "scenarios": {s.scenario: {
                    "probability": s.probability, "status": str(s.status), "cost": s.cost,
                    "shortfall": s.shortfall, "spot_bought": s.spot_bought,
                    "periods_below_floor": s.periods_below_floor,
                    "days_below_floor": s.days_below_floor,
                    "shortfall_by_partner": s.shortfalls.to_dict("records")}
                    for s in st.scenarios}})
        robust = o.run.result.extra.get("robust") if o.run.result is not None else None
        if robust is not None:
            entry.update({"evpi": robust.evpi, "vss": robust.vss, "risk": robust.risk})
        out[o.name] = entry
    return {"strategies": out, "output": str(target), "solves_ran_on": comparison.executor,
            "notes": comparison.notes}


def print_stress(summary: dict[str, Any], comparison: Comparison, console: Console) -> None:
    s = comparison.base_data.settings
    table = Table(title=f"{s.name}: plans under disruption ({s.currency}, present value)")
    for name in ("strategy", "plan cost", "expected cost", "worst-case cost",
                 f"expected shortfall ({s.unit})", f"worst shortfall ({s.unit})", "EVPI", "VSS"):
        table.add_column(name, justify="left" if name == "strategy" else "right")

    def num(value: float | None, fmt: str = ",.0f") -> str:
        return "-" if value is None else format(value, fmt)

    for name, e in summary["strategies"].items():
        table.add_row(name, num(e.get("plan_cost")), num(e.get("expected_cost")),
                      num(e.get("worst_cost")), num(e.get("expected_shortfall"), ",.1f"),
                      num(e.get("worst_shortfall"), ",.1f"), num(e.get("evpi")),
                      num(e.get("vss")))
    console.print(table)
