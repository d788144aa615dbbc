"""What the CLI commands do, apart from parsing arguments: load, plan, report, summarise.

Kept out of :mod:`optimizer.cli` so the commands are callable from Python too; the CLI
module stays the one place that picks exit codes from what these return or raise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from optimizer.coordination import plan_scenario
from optimizer.executor import Executor, Tracker, open_executor
from optimizer.issues import CoprocureError
from optimizer.loader import LoadedWorkbook, load_workbook
from optimizer.plan import PlanRun
from optimizer.reports import Provenance, write_results
from optimizer.solve import Status


class Infeasible(CoprocureError):
    exit_code = 1


class SolverFailed(CoprocureError):
    exit_code = 3


def provenance(loaded: LoadedWorkbook, strategy: str) -> Provenance:
    tables, _ = loaded.tables_for(strategy)
    notes = {row.src: (row.values.get("source"), row.values.get("note"))
             for rows in tables.rows.values() for row in rows if row.row is not None}
    return Provenance(str(loaded.path), loaded.sha256, strategy, notes)


def default_output(scenario: Path, strategy: str, kind: str) -> Path:
    suffix = "" if strategy == "base" else f"-{strategy}"
    return Path.cwd() / f"{scenario.stem}{suffix}-{kind}.xlsx"


def plan_or_raise(loaded: LoadedWorkbook, strategy: str) -> PlanRun:
    run = plan_scenario(loaded.scenario(strategy))
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


def run_solve(scenario: Path, strategy: str, output: Path | None, as_json: bool, quiet: bool,
              err: Console) -> int:
    loaded = load_workbook(scenario)
    loaded.scenario(strategy)  # invalid input or unknown strategy: raise before solving
    if not quiet and not as_json:
        err.print(f"planning {scenario.name}, strategy {strategy} ...")
    run = plan_or_raise(loaded, strategy)
    target = output or default_output(scenario, strategy, "results")
    write_results(target, run, provenance(loaded, strategy))
    summary = solve_summary(run, strategy, target)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    elif not quiet:
        print_summary(run, strategy, wide_console())
        err.print(f"wrote {target}")
    return 0


def solve_summary(run: PlanRun, strategy: str, output: Path | None) -> dict[str, Any]:
    result = run.result
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
        "check": {"passed": not run.violations, "violations": [str(v) for v in run.violations]},
        "timings": run.timings,
        "output": str(output) if output else None,
    }


def wide_console(stderr: bool = False) -> Console:
    """A console that does not fold tables into 80 columns when output is not a terminal."""
    console = Console(stderr=stderr, highlight=False, markup=False)
    if not console.is_terminal:
        console.width = 160
    return console


def print_summary(run: PlanRun, strategy: str, console: Console) -> None:
    result = run.result
    s = result.scenario.settings
    table = Table(title=f"{s.name}\nstrategy {strategy}: {run.status}, total cost "
                        f"{result.total_cost:,.0f} {s.currency} (present value)")
    for name in ("buyer", f"cost ({s.currency} PV)", f"bought ({s.unit})",
                 f"shortfall ({s.unit})", "largest country", "China share",
                 "days of cover (end)"):
        table.add_column(name, justify="left" if name in ("buyer", "largest country")
                         else "right")
    for row in result.buyers.itertuples(index=False):
        table.add_row(str(row.buyer), f"{row.cost_pv:,.0f}", f"{row.quantity_bought:,.0f}",
                      f"{row.shortfall:,.1f}", f"{row.largest_country or '-'}",
                      f"{row.china_share:.1%}", "-" if row.end_days_of_cover is None
                      else f"{row.end_days_of_cover:,.0f}")
    console.print(table)


def run_diagnose(scenario: Path, strategy: str, as_json: bool, err: Console) -> int:
    from optimizer.diagnose import diagnose

    loaded = load_workbook(scenario)
    data = loaded.scenario(strategy)
    result = diagnose(data)
    unit = data.settings.unit
    if as_json:
        sys.stdout.write(json.dumps({
            "feasible": result.feasible,
            "impossible": [{"rule": m, "workbook_row": src} for m, src in result.impossible],
            "conflict": [r.__dict__ for r in result.conflict],
            "bends": [{**b.rule.__dict__, "amount": b.amount} for b in result.bends],
        }, indent=2) + "\n")
        return 0 if result.feasible else 1
    where = f"{scenario.name} (strategy {strategy})"
    if result.feasible:
        err.print(f"{where} is feasible: every rule can be met; nothing to diagnose.")
        return 0
    if result.impossible:
        err.print(f"{where} cannot be planned:")
        for message, src in result.impossible:
            err.print(f"  - {message}" + (f" [{src}]" if src else ""))
        return 1
    table = Table(title=f"{where}: these rules cannot all hold together")
    for name in ("rule", "workbook row", "what it says"):
        table.add_column(name)
    for rule in result.conflict:
        table.add_row(rule.family, rule.workbook_row or "(built in)", rule.text)
    wide_console(stderr=True).print(table)
    if result.bends:
        err.print("Any one of these would resolve it:" if any(
            b.amount is not None for b in result.bends) else
            "No single rule can bend enough on its own; several must change together:")
    for bend in result.bends:
        if bend.amount is not None:
            amount = f"{bend.amount:,.4g}" + ("" if bend.rule.family == "budget" else f" {unit}")
            err.print(f"  - {bend.rule.bend} by {amount}: {bend.rule.text}"
                      + (f" [{bend.rule.workbook_row}]" if bend.rule.workbook_row else ""))
    return 1


@contextmanager
def progress_bar(err: Console, show: bool, what: str) -> Iterator[Tracker]:
    """A transient bar on stderr that counts the solves of every batch."""
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=not show) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"{what} {label}" if label else what)

        yield Tracker(update)


@contextmanager
def executor_for(workers: int | None, scheduler: str | None, err: Console,
                 show: bool) -> Iterator[Executor]:
    """The executor of one command; what it noticed is said on stderr when it closes."""
    with open_executor(workers, scheduler) as executor:
        yield executor
        if show:
            for note in executor.notes:
                err.print(f"note: {note}", soft_wrap=True)
            if executor.retries:
                err.print(f"note: {executor.retries} time(s) a worker process died; its "
                          "solves were run again", soft_wrap=True)


def _compare_with_progress(loaded: LoadedWorkbook, names: list[str], show: bool, err: Console,
                           workers: int | None, scheduler: str | None, **options: Any):
    from optimizer.compare import run_comparison

    for name in names:
        loaded.scenario(name)  # invalid input or an unknown strategy: stop before solving
    with executor_for(workers, scheduler, err, show) as executor, \
            progress_bar(err, show, "solving") as tracker:
        return run_comparison(loaded, names, progress=tracker, executor=executor, **options)


def run_compare(scenario: Path, strategies: list[str], output: Path | None, as_json: bool,
                quiet: bool, err: Console, workers: int | None = None,
                scheduler: str | None = None) -> int:
    from optimizer.compare import metrics

    loaded = load_workbook(scenario)
    names = strategies or loaded.strategy_names
    comparison = _compare_with_progress(loaded, names, not (quiet or as_json), err, workers,
                                        scheduler)
    target = output or default_output(scenario, "base", "comparison")
    return _deliver(loaded, comparison, target, compare_summary(comparison, target), as_json,
                    quiet, lambda: print_comparison(metrics(comparison), comparison,
                                                    wide_console()), err)


def _deliver(loaded: LoadedWorkbook, comparison, target: Path, summary: dict[str, Any],
             as_json: bool, quiet: bool, show, err: Console) -> int:
    """Write the comparison workbook, then the JSON summary or the terminal table."""
    from optimizer.comparison_report import write_comparison

    prov = replace(provenance(loaded, "base"), computed_on=comparison.executor)
    write_comparison(target, comparison, prov)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    elif not quiet:
        show()
        err.print(f"wrote {target}")
    return 0


def compare_summary(comparison, target: Path) -> dict[str, Any]:
    strategies = {}
    for o in comparison.outcomes:
        entry: dict[str, Any] = {"status": str(o.run.status), "objective": o.run.objective}
        if o.run.result is not None:
            summary = solve_summary(o.run, o.name, None)
            entry.update({k: summary[k] for k in ("total_cost", "cost_breakdown", "buyers")})
        else:
            from optimizer.compare import diagnosis_text

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


def print_comparison(table, comparison, console: Console) -> None:
    s = comparison.base_data.settings
    out = Table(title=f"{s.name}: strategies compared ({s.currency}, present value)")
    for name in ("strategy", "status", "total cost", "vs base", "penalties", f"cost/{s.unit}",
                 "China share", "HHI", "days of cover (end)", f"shortfall ({s.unit})"):
        out.add_column(name, justify="left" if name in ("strategy", "status") else "right")

    def num(row, key, fmt):
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


def run_stress(scenario: Path, strategies: list[str], disruptions: Path | None,
               output: Path | None, as_json: bool, quiet: bool, err: Console,
               workers: int | None = None, scheduler: str | None = None) -> int:
    loaded = load_workbook(scenario, disruptions_from=disruptions)
    if not loaded.scenario().disruptions:
        raise Infeasible(f"{scenario.name} has no disruption scenarios: add a Disruptions "
                         "sheet or pass --disruptions OTHER.xlsx")
    names = strategies or loaded.strategy_names
    comparison = _compare_with_progress(loaded, names, not (quiet or as_json), err, workers,
                                        scheduler, coordination=False, measures=True)
    target = output or default_output(scenario, "base", "stress")
    summary = stress_summary(comparison, target)
    return _deliver(loaded, comparison, target, summary, as_json, quiet,
                    lambda: print_stress(summary, comparison, wide_console()), err)


def stress_summary(comparison, target: Path) -> dict[str, Any]:
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


def print_stress(summary: dict[str, Any], comparison, console: Console) -> None:
    s = comparison.base_data.settings
    table = Table(title=f"{s.name}: plans under disruption ({s.currency}, present value)")
    for name in ("strategy", "plan cost", "expected cost", "worst-case cost",
                 f"expected shortfall ({s.unit})", f"worst shortfall ({s.unit})", "EVPI", "VSS"):
        table.add_column(name, justify="left" if name == "strategy" else "right")

    def num(value, fmt=",.0f"):
        return "-" if value is None else format(value, fmt)

    for name, e in summary["strategies"].items():
        table.add_row(name, num(e.get("plan_cost")), num(e.get("expected_cost")),
                      num(e.get("worst_cost")), num(e.get("expected_shortfall"), ",.1f"),
                      num(e.get("worst_shortfall"), ",.1f"), num(e.get("evpi")),
                      num(e.get("vss")))
    console.print(table)


def run_sweep_command(scenario: Path, varies: list[str], curve: str | None, strategy: str,
                      output: Path | None, as_json: bool, quiet: bool, err: Console,
                      workers: int | None = None, scheduler: str | None = None) -> int:
    from optimizer.sweep import CURVES, parse_vary, run_sweep, sweep_table
    from optimizer.sweep_report import write_sweep

    if bool(varies) == bool(curve) or len(varies) > 2:
        raise CoprocureError("give one or two --vary, or one --curve (diversification or "
                             "stockpile)")
    extend = None
    if curve:
        if curve not in CURVES:
            raise CoprocureError(f"unknown curve {curve!r}: diversification or stockpile")
        parsed, extend = [CURVES[curve][0]], CURVES[curve][1]
    else:
        parsed = [parse_vary(v) for v in varies]
    loaded = load_workbook(scenario)
    show = not (quiet or as_json)
    with executor_for(workers, scheduler, err, show) as executor, \
            progress_bar(err, show, "solving") as tracker:
        points = run_sweep(loaded, parsed, strategy, extend=extend, progress=tracker,
                           executor=executor)
    table = sweep_table(parsed, points)
    s = loaded.scenario(strategy).settings
    kind = f"sweep-{curve}" if curve else "sweep"
    target = output or default_output(scenario, strategy, kind)
    title = f"{s.name}: strategy {strategy}, " + " x ".join(v.label for v in parsed)
    compiled_once = any(p.run is not None and p.run.options.get("parametric") for p in points)
    prov = replace(provenance(loaded, strategy), computed_on="this process (compiled once, "
                   "solved warm)" if compiled_once else executor.description)
    write_sweep(target, table, parsed, s.unit, s.currency, title, prov)
    if as_json:
        sys.stdout.write(json.dumps({"varied": [v.label for v in parsed],
                                     "points": table.to_dict("records"),
                                     "output": str(target)}, indent=2, default=str) + "\n")
    elif not quiet:
        out = Table(title=title)
        shown = [c for c in table.columns if not c.startswith("cost_pv:")][:8]
        for name in shown:
            out.add_column(name, justify="right")
        for row in table[shown].itertuples(index=False):
            out.add_row(*[f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row])
        wide_console().print(out)
        err.print(f"wrote {target}")
    return 0
