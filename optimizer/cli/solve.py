"""`coprocure solve`: the least-cost plan of one strategy and its results workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from optimizer.cli.console import (
    default_output,
    err,
    output_path,
    print_json,
    run_action,
    wide_console,
)
from optimizer.cli.options import JsonOpt, OutputOpt, QuietOpt, Scenario, StrategyOpt
from optimizer.cli.tables import DASH
from optimizer.cli.validate import show_warnings
from optimizer.errors import Infeasible, SolverFailed

if TYPE_CHECKING:
    from optimizer.solving.plan import PlanRun
    from optimizer.workbook.load import LoadedWorkbook


def solve(scenario: Scenario, strategy: StrategyOpt = "base", output: OutputOpt = None,
          as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Plan one strategy at least cost and write the results workbook.

    Exit 0 with a plan, 1 when the workbook is invalid or the rules cannot all be met
    (then run `coprocure diagnose`), 3 when the solver fails or runs out of time.

    Example: coprocure solve scenarios/japan-eu-2030.xlsx --strategy crma-65
    """
    run_action(lambda: run_solve(scenario, strategy, output, as_json, quiet), as_json)


def run_solve(scenario: Path, strategy: str, output: Path | None, as_json: bool,
              quiet: bool) -> int:
    # refused before the solve stack is even imported
    target = output_path(output, default_output(scenario, strategy, "results"), scenario)
    from optimizer.planning.deals import cost_to_sign
    from optimizer.reports.provenance import Provenance
    from optimizer.reports.results import write_results
    from optimizer.workbook.load import load_workbook

    loaded = load_workbook(scenario)
    loaded.scenario(strategy)  # invalid input or unknown strategy: raise before solving
    if not quiet and not as_json:
        show_warnings(loaded)
        err.print(f"planning {scenario.name}, strategy {strategy} ...")
    run = plan_or_raise(loaded, strategy)
    to_sign = cost_to_sign(run) if run.result is not None and len(run.result.deals) else {}
    write_results(target, run, Provenance.of(loaded, strategy), to_sign)
    if as_json:
        print_json(solve_summary(run, strategy, target, to_sign))
    elif not quiet:
        print_summary(run, strategy, wide_console())
        err.print(f"wrote {target}")
    return 0


def plan_or_raise(loaded: LoadedWorkbook, strategy: str) -> PlanRun:
    """The checked plan of ``strategy``, or the error that says why there is none."""
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.solving.highs import Status

    run = plan_coordinated(loaded.scenario(strategy))
    where = f"{loaded.path.name} (strategy {strategy})"
    if run.status is Status.INFEASIBLE:
        reasons = "".join(f"\n  - {m}" + (f" [{src}]" if src else "") for m, src in run.reasons)
        raise Infeasible(f"{where}: the rules cannot all be met{reasons}\nRun `coprocure "
                         f"diagnose {loaded.path}` to see which rules conflict.")
    if run.status is Status.NOT_AVAILABLE:
        raise Infeasible(f"{where}: " + "; ".join(m for m, _ in run.reasons))
    if not run.status.has_plan:
        raise SolverFailed(f"{where}: {run.status} ({run.solver_status}); raise time_limit_s "
                           "in Settings or simplify the scenario")
    if run.violations:
        listing = "\n  - ".join(str(v) for v in run.violations[:10])
        raise SolverFailed(f"{where}: the independent checker found violations in the plan "
                           f"(a bug: please report it):\n  - {listing}")
    return run


def solve_summary(run: PlanRun, strategy: str, output: Path | None,
                  cost_to_sign: dict[str, float | None] | None = None) -> dict[str, Any]:
    result = run.result
    assert result is not None  # summarised only when there is a plan
    buyers = {}
    for row in result.buyers.to_dict("records"):
        name = row.pop("buyer")
        buyers[name] = {"cost": row["cost_pv"], "shortfall": row["shortfall"],
                        **{k: v for k, v in row.items() if k != "cost_pv"}}
    return {
        "status": str(run.status),
        "strategy": strategy,
        "objective": run.objective,
        "total_cost": result.total_cost,
        "currency": result.scenario.settings.currency,
        "unit": result.scenario.settings.unit,
        "cost_breakdown": result.cost_breakdown,
        "buyers": buyers,
        "mip_gap": result.mip_gap,
        "deals": [{"deal": d["deal"], "signed": bool(d["signed"]), "signed_by": d["signed_by"],
                   "cost_pv": d["cost_pv"], "volume": d["volume"],
                   "cost_to_sign": None if d["signed"] else (cost_to_sign or {}).get(d["deal"])}
                  for d in result.deals.to_dict("records")],
        "check": {"passed": not run.violations, "violations": [str(v) for v in run.violations]},
        "timings": run.timings,
        "output": str(output) if output else None,
    }


def print_summary(run: PlanRun, strategy: str, console: Console) -> None:
    result = run.result
    assert result is not None  # summarised only when there is a plan
    s = result.scenario.settings
    table = Table(title=f"{s.name}\nstrategy {strategy}: {run.status}, total cost "
                        f"{result.total_cost:,.0f} {s.currency} (present value)")
    for name in ("buyer", f"cost ({s.currency} PV)", f"bought ({s.unit})",
                 f"shortfall ({s.unit})", "largest country", "China share",
                 "days of cover (end)"):
        table.add_column(name, justify="left" if name in ("buyer", "largest country")
                         else "right")
    for row in result.buyers.itertuples(index=False):
        # a share of nothing bought, the cover of no demand: undefined, shown as a dash
        table.add_row(str(row.buyer), f"{row.cost_pv:,.0f}", f"{row.quantity_bought:,.0f}",
                      f"{row.shortfall:,.1f}", row.largest_country or DASH,
                      DASH if row.china_share is None else f"{row.china_share:.1%}",
                      DASH if row.end_days_of_cover is None
                      else f"{row.end_days_of_cover:,.0f}")
    console.print(table)
    if len(result.deals):
        signed = ", ".join(f"{d} ({who})" for d, who in result.signers.items()) or "none"
        console.print(f"Deals signed: {signed} of {len(result.deals)}; MIP gap "
                      f"{result.mip_gap or 0:.2%} (shadow prices with the deals fixed).")
