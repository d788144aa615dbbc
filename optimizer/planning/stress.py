"""Stress tests (SPEC 5): a plan's contracts held fixed, the recourse solved per scenario.

For each disruption scenario (and 'no disruption'), the contracts of a plan deliver
their quantity times the capacity factor of their offer, and the partners react: spot
purchases from what offers have left, stock drawn down, sharing, shortfall. Reported per
scenario: cost, shortfall by partner and material, periods (and their days) below the
reserve floor and with shortfall; per plan: expected and worst-case cost and shortfall.
A plan stressed with no disruption costs exactly what it cost when planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.data import ScenarioData
from models.index import ModelIndex, build_index
from models.stochastic import NO_DISRUPTION, Outlook, build_extensive_form, outlooks
from optimizer.runs.executor import Executor, Failed, Job
from optimizer.solving.extract import PlanResult
from optimizer.solving.highs import Outcome, Status, solve_model

TOL = 1e-6


@dataclass
class ScenarioStress:
    scenario: str
    probability: float
    status: Status
    cost: float | None  # present value: delivered contracts, spot, holding, transfers, penalties
    shortfall: float
    shortfalls: pd.DataFrame  # buyer, material, shortfall
    periods_short: int  # (buyer, material, period) triples with shortfall
    periods_below_floor: int
    days_below_floor: float
    spot_bought: float


@dataclass
class StressResult:
    scenarios: list[ScenarioStress]
    notes: list[str] = field(default_factory=list)

    def _weighted(self, attr: str) -> float | None:
        solved = [s for s in self.scenarios if s.cost is not None]
        if len(solved) < len(self.scenarios):
            return None
        return sum(s.probability * getattr(s, attr) for s in solved)

    @property
    def expected_cost(self) -> float | None:
        return self._weighted("cost")

    @property
    def expected_shortfall(self) -> float | None:
        return self._weighted("shortfall")

    @property
    def worst_cost(self) -> float | None:
        costs = [s.cost for s in self.scenarios if s.probability > 0]
        if any(c is None for c in costs):
            return None
        return max(cast("list[float]", costs), default=None)

    @property
    def worst_shortfall(self) -> float:
        return max((s.shortfall for s in self.scenarios if s.probability > 0), default=0.0)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "scenario": s.scenario, "probability": s.probability, "status": str(s.status),
            "cost_pv": s.cost, "shortfall": s.shortfall, "spot_bought": s.spot_bought,
            "periods_short": s.periods_short, "periods_below_floor": s.periods_below_floor,
            "days_below_floor": s.days_below_floor} for s in self.scenarios])


def contracts_of(ix: ModelIndex, purchases: pd.DataFrame) -> list[float]:
    """A plan's purchases as one quantity per arc of the model index."""
    keys = ["buyer", "supplier", "material", "period", "tier"]
    bought = purchases.groupby(keys)["quantity"].sum().to_dict() if len(purchases) else {}
    return [float(bought.get(arc, 0.0)) for arc in ix.arcs]


def stress_plan(plan: PlanResult, scenarios: list[Outlook] | None = None,
                data: ScenarioData | None = None, executor: Executor | None = None
                ) -> StressResult:
    """Hold the plan's contracts and solve the recourse in every scenario.

    ``data`` is the scenario to stress in (default: the plan's own); the plan's soft-cap
    penalties, a first-stage cost, are part of every scenario's cost.
    """
    jobs = stress_jobs(plan, scenarios, data)
    return stress_result(jobs, (executor or Executor()).map(jobs))


def stress_jobs(plan: PlanResult, scenarios: list[Outlook] | None = None,
                data: ScenarioData | None = None, label: str = "") -> list[Job]:
    """One job per disruption scenario; they share one data and one contracts object, so
    a chunk of them is sent to a worker once."""
    data = data or plan.scenario
    if data.settings.coordination != "joint":
        data = replace(data, sharing=())  # partners planning alone do not share stock
    contracts = contracts_of(build_index(data), plan.purchases)
    fixed = plan.cost_breakdown.get("policy", 0.0)
    prefix = f"{label} / " if label else ""
    return [Job(f"{prefix}stress {o.name}", stress_one, (data, contracts, o, fixed))
            for o in (scenarios or outlooks(data))]


def stress_result(jobs: list[Job], results: list) -> StressResult:
    """The results of :func:`stress_jobs` as one stress test; a job that failed is its
    scenario without a plan (at its probability), with the reason in the notes."""
    out, notes = [], []
    for job, r in zip(jobs, results, strict=True):
        if isinstance(r, Failed):
            outlook = job.args[2]
            notes.append(str(r))
            out.append(_no_plan(outlook.name, outlook.probability, Status.ERROR))
        else:
            out.append(r)
    return StressResult(out, notes)


_last_index: list = [None, None]  # (data, its index): jobs of one chunk share their data


def stress_one(data: ScenarioData, contracts: list[float], outlook: Outlook,
               fixed_cost: float) -> ScenarioStress:
    """The recourse of one plan in one scenario (a batch job)."""
    with PauseGC():
        if _last_index[0] is not data:
            _last_index[:] = [data, build_index(data)]
        ix = _last_index[1]
        single = replace(outlook, probability=1.0)
        m = build_extensive_form(data, [single], contracts=contracts, ix=ix)
        outcome = solve_model(m, data.settings.time_limit_s)
        if not outcome.status.has_plan:
            return _no_plan(outlook.name, outlook.probability, outcome.status)
        return _read(data, ix, m, outcome, outlook, fixed_cost)


def _no_plan(name: str, probability: float, status: Status) -> ScenarioStress:
    return ScenarioStress(name, probability, status, None, 0.0,
                          pd.DataFrame(columns=["buyer", "material", "shortfall"]), 0, 0, 0.0,
                          0.0)


def _read(data: ScenarioData, ix: ModelIndex, m: pyo.ConcreteModel, outcome: Outcome,
          outlook: Outlook, fixed_cost: float) -> ScenarioStress:
    blk = m.scenario[0]
    short = outcome.values(blk.short)
    stock = dict(zip(blk.STOCK, outcome.values(blk.stock), strict=True))
    rows = [(k[0], k[1], float(u)) for k, u in zip(blk.SHORT, short, strict=True) if u > TOL]
    shortfalls = pd.DataFrame(rows, columns=["buyer", "material", "shortfall"])
    if len(shortfalls):
        shortfalls = shortfalls.groupby(["buyer", "material"], as_index=False)["shortfall"].sum()
    below = [k for k, level in ix.floor.items() if stock[k] < level - TOL]
    assert outcome.objective is not None  # read only from an outcome with a plan
    return ScenarioStress(
        scenario=outlook.name, probability=outlook.probability, status=outcome.status,
        cost=float(outcome.objective) + fixed_cost, shortfall=float(np.sum(short)),
        shortfalls=shortfalls,
        periods_short=len(rows), periods_below_floor=len(below),
        days_below_floor=float(sum(ix.days[k[2]] for k in below)),
        spot_bought=float(np.sum(outcome.values(blk.spot))) if len(blk.spot) else 0.0)


__all__ = ["NO_DISRUPTION", "ScenarioStress", "StressResult", "contracts_of", "stress_jobs",
           "stress_one", "stress_plan", "stress_result"]
