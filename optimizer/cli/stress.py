"""`coprocure stress`: each plan's contracts held fixed in every disruption scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from optimizer.cli.compare import STRATEGY, compare_with_progress, deliver
from optimizer.cli.console import default_output, output_path, run_action, wide_console
from optimizer.cli.options import (
    JsonOpt,
    QuietOpt,
    Scenario,
    SchedulerOpt,
    StressColumnsOpt,
    StressOutputOpt,
    WideOpt,
    WorkersOpt,
)
from optimizer.cli.tables import MONEY, QTY, Col, choose, table
from optimizer.errors import Infeasible

if TYPE_CHECKING:
    from optimizer.planning.compare import Comparison


def stress(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to plan and stress (repeat; default: all). The "
        "base workbook is always included.")] = None,
    disruptions: Annotated[Path | None, typer.Option(
        "--disruptions", help="Take the Disruptions sheet from this workbook instead.")] = None,
    output: StressOutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None, columns: StressColumnsOpt = None,
    wide: WideOpt = False,
) -> None:
    """Plan each strategy, then hold its contracts and let the partners react in every
    disruption scenario: cost, shortfall, periods below the reserve floor; expected and
    worst case per strategy; EVPI and VSS for robust strategies.

    Example: coprocure stress scenarios/japan-eu-2030.xlsx --strategy base --strategy robust
    """
    run_action(lambda: run_stress(scenario, strategy or [], disruptions, output, as_json,
                                  quiet, workers, scheduler, columns, wide), as_json)


def run_stress(scenario: Path, strategies: list[str], disruptions: Path | None,
               output: Path | None, as_json: bool, quiet: bool, workers: int | None = None,
               scheduler: str | None = None, columns: str | None = None,
               wide: bool = False) -> int:
    # refused before the solve stack is even imported
    target = output_path(output, default_output(scenario, "base", "stress"), scenario,
                         disruptions)
    from optimizer.reports.stress import write_stress
    from optimizer.workbook.load import load_workbook

    choose(STRESS_COLUMNS, STRESS_DEFAULT, columns, wide)  # a wrong name: before any solve
    loaded = load_workbook(scenario, disruptions_from=disruptions)
    if not loaded.scenario().disruptions:
        raise Infeasible(f"{scenario.name} has no disruption scenarios: add a Disruptions "
                         "sheet or pass --disruptions OTHER.xlsx")
    names = strategies or loaded.strategy_names
    comparison = compare_with_progress(loaded, names, not (quiet or as_json), workers,
                                       scheduler, coordination=False, measures=True)
    summary = stress_summary(comparison, target)
    return deliver(loaded, comparison, target, summary, as_json, quiet,
                   lambda: print_stress(summary, comparison, wide_console(), columns, wide),
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


STRESS_COLUMNS = (
    Col("plan", "plan_cost", "plan\ncost", MONEY),
    Col("expected", "expected_cost", "expected\ncost", MONEY),
    Col("worst", "worst_cost", "worst\ncost", MONEY),
    Col("expected-short", "expected_shortfall", "expected\nshort", QTY),
    Col("worst-short", "worst_shortfall", "worst\nshort", QTY),
    Col("evpi", "evpi", "EVPI", MONEY),
    Col("vss", "vss", "VSS", MONEY),
)
STRESS_DEFAULT = tuple(c.name for c in STRESS_COLUMNS)


def print_stress(summary: dict[str, Any], comparison: Comparison, console: Console,
                 columns: str | None = None, wide: bool = False) -> None:
    s = comparison.base_data.settings
    rows = [{"strategy": name, **e} for name, e in summary["strategies"].items()]
    cols = choose(STRESS_COLUMNS, STRESS_DEFAULT, columns, wide)
    console.print(table(rows, [STRATEGY], cols, s.unit, s.currency,
                        title=f"{s.name}: plans under disruption (present values, penalties "
                        "for shortfall and reserve gaps included; EVPI and VSS for robust "
                        "strategies)"))
