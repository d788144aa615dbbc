"""Solve the base and every strategy of a workbook and put the figures side by side.

A strategy that cannot be planned is a row with its status and diagnosis, never the end
of the run. The value of coordination (joint against each partner alone, and its
Shapley split) is computed on the base workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.data import ScenarioData
from optimizer.planning.batch import BatchPlanner
from optimizer.planning.demand_met import lowest, met_as_planned, met_in_worst
from optimizer.planning.robust import RobustInfo, robust_work
from optimizer.planning.shapley import CoordinationValue, coordination_value
from optimizer.planning.sources import CoordinationSources, coordination_sources
from optimizer.planning.stages import stage_leaders
from optimizer.planning.stress import StressResult, stress_jobs, stress_result
from optimizer.runs.executor import Executor, Job, Tracker, Work, run_works
from optimizer.solving.diagnose import Diagnosis
from optimizer.solving.plan import PlanRun
from optimizer.workbook.load import LoadedWorkbook
from optimizer.workbook.strategies import BASE, Change

if TYPE_CHECKING:
    from optimizer.solving.extract import PlanResult


@dataclass
class StrategyOutcome:
    name: str
    run: PlanRun
    changes: list[Change]
    diagnosis: Diagnosis | None = None
    stress: StressResult | None = None  # the plan under every disruption scenario

    @property
    def ok(self) -> bool:
        return self.run.result is not None and not self.run.violations


@dataclass
class Comparison:
    loaded: LoadedWorkbook
    outcomes: list[StrategyOutcome]
    coordination: CoordinationValue | None
    base_data: ScenarioData
    notes: list[str] = field(default_factory=list)
    executor: str = "this process"  # where the batches ran
    # where the value of coordination comes from, when the base workbook has deals
    sources: CoordinationSources | None = None

    def outcome(self, name: str) -> StrategyOutcome:
        return next(o for o in self.outcomes if o.name == name)


def run_comparison(loaded: LoadedWorkbook, names: list[str] | None = None,
                   progress: Tracker | None = None, coordination: bool = True,
                   reuse: bool = True, stress: bool = True, measures: bool = False,
                   executor: Executor | None = None) -> Comparison:
    """Three batches through ``executor``: the strategies' plans; every plan under the
    disruption scenarios (robust plans: their stress test and measures); the Shapley
    game's coalitions."""
    executor = executor or Executor()
    names = names or loaded.strategy_names
    if BASE not in names:
        names = [BASE, *names]  # differences are always against the base
    scenarios = [loaded.scenario(name) for name in names]
    planner = BatchPlanner(executor, reuse, progress)
    planned = planner.plan(scenarios, [f"strategy {n}" for n in names], diagnose_infeasible=True)
    outcomes = [StrategyOutcome(name, run, loaded.tables_for(name)[1], diagnosis)
                for name, (run, diagnosis) in zip(names, planned, strict=True)]
    _complete(outcomes, scenarios, stress, measures, executor, progress)
    base = loaded.scenario(BASE)
    value = None
    notes = []
    if coordination and len(base.buyers) > 1:
        value = coordination_value(base, lambda batch: planner.costs(
            batch, [f"coalition {'+'.join(d.buyers)}" for d in batch]))
    elif len(base.buyers) == 1:
        notes.append("one partner only: there is no coordination to value")
    notes += [n for o in outcomes if o.stress for n in o.stress.notes]
    sources = coordination_sources(base) if value is not None and (
        base.deals or base.discounts) else None
    return Comparison(loaded, outcomes, value, base, notes, executor.description, sources)


def _complete(outcomes: list[StrategyOutcome], scenarios: list[ScenarioData], stress: bool,
              measures: bool, executor: Executor, progress: Tracker | None) -> None:
    """The second batch: robust plans completed (their stress test, and with ``measures``
    EVPI and VSS), every other plan stressed. A plan shared by equal strategies is
    completed once."""
    works: dict[int, Work] = {}
    stressed: dict[int, StressResult] = {}
    for o, data in zip(outcomes, scenarios, strict=True):
        key = id(o.run)
        if o.run.result is None or key in works:
            continue
        if "robust_objective" in o.run.result.extra:
            works[key] = robust_work(data, o.run, measures, label=o.name)
        elif stress and data.disruptions:
            jobs = stress_jobs(o.run.result, label=o.name)

            # a def, not a lambda: mypy cannot type a lambda with default arguments
            def finish(results: list[Any], key: int = key, jobs: list[Job] = jobs) -> None:
                stressed[key] = stress_result(jobs, results)

            works[key] = Work(jobs, finish)
    run_works(executor, list(works.values()), progress)
    if not stress:
        return
    for o, data in zip(outcomes, scenarios, strict=True):
        if o.run.result is not None and data.disruptions:
            robust = o.run.result.extra.get("robust")
            o.stress = robust.stress if robust is not None else stressed[id(o.run)]


NONE_SHORT = "none short"


def _demand_met(result: PlanResult, stress: StressResult | None) -> dict[str, object]:
    """The share of demand met, lowest first and then per partner and material
    (``demand_met:EU|NdFeB magnet``), as planned and in the worst disruption."""
    row: dict[str, object] = {}
    for key, met in (("demand_met", met_as_planned(result)),
                     ("worst_demand_met", None if stress is None
                      else met_in_worst(result, stress))):
        if met is None:
            continue
        least = lowest(met)
        if least is not None:
            (partner, material), m = least
            row[key] = m.share
            row[f"{key}_where"] = NONE_SHORT if m.share >= 1.0 else f"{partner} {material}" + (
                f", {m.scenario}" if m.scenario is not None else "")
        row.update({f"{key}:{b}|{mat}": m.share for (b, mat), m in met.items()})
    return row


def metrics(comparison: Comparison) -> pd.DataFrame:
    """One row per strategy: the figures planners compare."""
    rows = []
    base_cost = None
    base_expected: object = None
    base_partner: dict[str, float] = {}
    for o in comparison.outcomes:
        row: dict[str, object] = {"strategy": o.name, "status": str(o.run.status).upper()
                                  if o.run.result is None else str(o.run.status)}
        result = o.run.result
        if result is not None:
            coalition = result.buyers.set_index("buyer").loc["coalition"]
            row.update({
                "objective": result.objective,
                "total_cost": result.total_cost,
                # rounding can leave a few units' worth of noise on a plan without penalties
                "penalties": _denoise(result.objective - result.total_cost, result.objective),
                "cost_per_unit": coalition["cost_per_unit"],
                "largest_country": coalition["largest_country"],
                "largest_country_share": coalition["largest_country_share"],
                "china_share": coalition["china_share"],
                "hhi": coalition["hhi"],
                "end_days_of_cover": coalition["end_days_of_cover"],
                "shortfall": coalition["shortfall"],
                # how much of the cost is stock still held at the end (credited, SPEC 3.1)
                "closing_stock_value": coalition["closing_stock_value"],
            })
            row.update(_demand_met(result, o.stress))
            for stage, (country, share) in stage_leaders(result).items():
                row[f"largest_country@{stage}"] = country  # SPEC 3.2: at every stage
                row[f"largest_country_share@{stage}"] = share
            for b, cost in result.buyers.set_index("buyer")["cost_pv"].items():
                if b != "coalition":
                    row[f"cost_pv:{b}"] = cost
            if o.stress is not None:
                row.update({"expected_cost": o.stress.expected_cost,
                            "worst_cost": o.stress.worst_cost,
                            "expected_shortfall": o.stress.expected_shortfall,
                            "worst_shortfall": o.stress.worst_shortfall})
            robust = result.extra.get("robust")
            if robust is not None:
                row.update({"evpi": robust.evpi, "vss": robust.vss,
                            "robust_measures": measures_state(robust)})
            if o.name == BASE:
                base_cost = result.total_cost
                base_partner = {f"cost_pv:{b}": float(c) for b, c in
                                result.buyers.set_index("buyer")["cost_pv"].items()
                                if b != "coalition"}
                base_expected = row.get("expected_cost")
        else:
            row["diagnosis"] = diagnosis_text(o)
        rows.append(row)
    df = pd.DataFrame(rows)
    if base_cost is not None and "total_cost" in df:
        # two plans of the same cost differ by rounding (2e-07 USD): shown as 0, not -0.0 %
        df["total_cost_vs_base"] = [_denoise(c - base_cost, base_cost)
                                    for c in df["total_cost"]]
        df["total_cost_vs_base_pct"] = df["total_cost_vs_base"] / base_cost
        for key, cost in base_partner.items():
            df[key.replace("cost_pv:", "cost_vs_base:")] = [
                _denoise(c - cost, cost) for c in df[key]]
    if base_expected is not None and "expected_cost" in df:
        # SPEC 5: what a plan saves in expectation against the base plan, same stress
        df["expected_cost_vs_base"] = df["expected_cost"] - base_expected
    return df


# The states of a robust strategy's EVPI and VSS in metrics()["robust_measures"]
COMPUTED, NOT_COMPUTED, INCOMPLETE = "computed", "not computed", "incomplete"


def measures_state(robust: RobustInfo) -> str:
    """Whether a robust plan's EVPI and VSS were computed (`stress` computes them,
    `compare` does not), or were asked for and a solve they need gave no answer."""
    if robust.evpi is not None and robust.vss is not None:
        return COMPUTED
    if robust.wait_and_see is None and robust.mean_value_expected is None and not any(
            _measure_job(note) for note in robust.stress.notes):
        return NOT_COMPUTED
    return INCOMPLETE


def _measure_job(note: str) -> bool:
    """Whether a failure note ("LABEL / JOB: reason") is one of a measure's solves."""
    job = note.split(": ", 1)[0].rsplit(" / ", 1)[-1]
    return job.startswith(("hindsight ", "mean-value plan"))


def _denoise(value: float, scale: float) -> float:
    return 0.0 if abs(value) <= 1e-9 * max(1.0, abs(scale)) else value


def diagnosis_text(o: StrategyOutcome) -> str:
    if o.run.reasons:
        return "; ".join(m + (f" [{src}]" if src else "") for m, src in o.run.reasons)
    if o.diagnosis is None or not o.diagnosis.conflict:
        return str(o.run.status)
    rules = [f"{r.text}" + (f" [{r.workbook_row}]" if r.workbook_row else "")
             for r in o.diagnosis.conflict if r.workbook_row][:6]
    return "conflicting rules: " + "; ".join(rules)
