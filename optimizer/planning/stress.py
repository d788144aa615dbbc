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

import pandas as pd
from pyomo.common.gc_manager import PauseGC

from models.data import ScenarioData
from models.index import ModelIndex, build_index
from models.world import NO_DISRUPTION, Outlook, aimed_arcs, outlooks
from optimizer.planning.stress_reading import CAP_SHARES, TOL, Reader, ScenarioStress, no_plan
from optimizer.planning.worlds import world_model
from optimizer.runs.executor import Executor, Failed, Job
from optimizer.solving.extract import PlanResult
from optimizer.solving.highs import Status


@dataclass
class StressResult:
    scenarios: list[ScenarioStress]
    notes: list[str] = field(default_factory=list)
    unit: str = "t"
    currency: str = "USD"

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

    @property
    def plan_cost(self) -> float | None:
        """The plan's cost: what it costs when nothing goes wrong."""
        calm = [s for s in self.scenarios if s.scenario == NO_DISRUPTION]
        return calm[0].cost if calm else None

    def why_cheaper(self, s: ScenarioStress) -> str:
        """Why a scenario costs less than the plan, from what changed; '' when it does
        not (SPEC 5: the report says which contracts and purchases made the difference)."""
        plan = self.plan_cost
        if plan is None or s.cost is None or s.cost >= plan - 1e-6 * max(1.0, abs(plan)):
            return ""
        parts = [f"costs {plan - s.cost:,.0f} {self.currency} less than the plan"]
        if len(s.lapsed):
            parts.append("contracts not delivered are not paid: " + _listing(
                s.lapsed, "undelivered", "not_paid_pv", self.unit, self.currency))
        if len(s.spot):
            parts.append("spot purchases replaced them: " + _listing(
                s.spot, "quantity", "cost_pv", self.unit, self.currency))
        # the plan's own reserve gaps and shortfalls are no reason: only what is beyond them
        calm = next(c for c in self.scenarios if c.scenario == NO_DISRUPTION)
        if s.below_floor > calm.below_floor + TOL:
            parts.append(f"{s.below_floor - calm.below_floor:,.0f} {self.unit}-periods more "
                         "below the reserve floor than planned")
        if s.shortfall > calm.shortfall + TOL:
            parts.append(f"{s.shortfall - calm.shortfall:,.0f} {self.unit} more short than "
                         "planned")
        return "; ".join(parts)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "scenario": s.scenario, "probability": s.probability, "status": str(s.status),
            "cost_pv": s.cost, "shortfall": s.shortfall, "spot_bought": s.spot_bought,
            "periods_short": s.periods_short, "periods_below_floor": s.periods_below_floor,
            "days_below_floor": s.days_below_floor, "why_cheaper": self.why_cheaper(s)}
            for s in self.scenarios])

    def cap_table(self, moved_only: bool = False) -> pd.DataFrame:
        """Every cap in every disrupted scenario, on contracted and on delivered shares;
        ``moved_only``: the rows where the disruption moved the delivered share away from
        the contracted one (a cut leaving the capped country's share above its limit, as
        delivered, shows there)."""
        frames = [s.caps.assign(scenario=s.scenario) for s in self.scenarios if len(s.caps)]
        if not frames:
            return pd.DataFrame(columns=["scenario", *CAP_SHARES])
        table = pd.concat(frames, ignore_index=True)[["scenario", *CAP_SHARES]]
        if moved_only:
            gap = (table["delivered_share"].astype(float)
                   - table["contracted_share"].astype(float)).abs()
            table = table[gap > 1e-6].reset_index(drop=True)
        return table


def _listing(df: pd.DataFrame, qty: str, money: str, unit: str, currency: str,
             most: int = 3) -> str:
    """'S1 NdPr 1,200 t (12,345,678 USD), ...' for the largest rows by money."""
    rows = df.sort_values(money, ascending=False)
    shown = [f"{r.supplier} {r.material} {getattr(r, qty):,.0f} {unit} "
             f"({getattr(r, money):,.0f} {currency})" for r in rows.head(most).itertuples()]
    if len(rows) > most:
        shown.append(f"and {len(rows) - most} more")
    return ", ".join(shown)


def contracts_of(ix: ModelIndex, purchases: pd.DataFrame) -> list[float]:
    """A plan's purchases as one quantity per arc of the model index."""
    keys = ["buyer", "supplier", "material", "period", "tier"]
    bought = purchases.groupby(keys)["quantity"].sum().to_dict() if len(purchases) else {}
    return [float(bought.get(arc, 0.0)) for arc in ix.arcs]


def rebates_of(ix: ModelIndex, purchases: pd.DataFrame) -> list[float]:
    """Per arc of the model index, the money a plan's volume discounts take off its
    contract at the Supply landed price (0 for an arc without one)."""
    if not len(purchases):
        return [0.0] * len(ix.arcs)
    keys = ["buyer", "supplier", "material", "period", "tier"]
    paid = purchases.groupby(keys)[["quantity", "cost"]].sum()
    bought = dict(zip(paid.index, zip(paid["quantity"], paid["cost"], strict=True),
                      strict=True))
    out = []
    for arc in ix.arcs:
        q, cost = bought.get(arc, (0.0, 0.0))
        out.append(max(0.0, float(q) * ix.arc_cost[arc].unit - float(cost)))
    return out


def stress_plan(plan: PlanResult, scenarios: list[Outlook] | None = None,
                data: ScenarioData | None = None, executor: Executor | None = None
                ) -> StressResult:
    """Hold the plan's contracts and solve the recourse in every scenario.

    ``data`` is the scenario to stress in (default: the plan's own). Each scenario's cost
    is every cost of its world under the plan's rules (SPEC 5), its soft-cap penalties on
    contracts and spot purchases included.
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
    ix = build_index(data)
    contracts = contracts_of(ix, plan.purchases)
    rebates = rebates_of(ix, plan.purchases) if data.discounts else None
    prefix = f"{label} / " if label else ""
    signed = plan.signed
    scenarios = scenarios or outlooks(data)
    aimed = aimed_arcs(ix, scenarios)
    # Jobs in the order of the worlds they set (first disrupted period), so that each
    # changes little in the model the previous one set; stress_result restores the
    # scenarios' order. A result does not depend on the order (optimizer/solving/resolve.py).
    last = len(ix.periods)
    order = sorted(range(len(scenarios)), key=lambda w: (
        last if scenarios[w].first_period is None else scenarios[w].first_period, w))
    return [Job(f"{prefix}stress {scenarios[w].name}", stress_one,
                (data, contracts, scenarios[w], signed, rebates, aimed, w)) for w in order]


def stress_result(jobs: list[Job], results: list) -> StressResult:
    """The results of :func:`stress_jobs` as one stress test; a job that failed is its
    scenario without a plan (at its probability), with the reason in the notes."""
    out, notes = [], []
    done = sorted(zip(jobs, results, strict=True), key=lambda jr: jr[0].args[6])
    for job, r in done:
        if isinstance(r, Failed):
            outlook = job.args[2]
            notes.append(str(r))
            out.append(no_plan(outlook.name, outlook.probability, Status.ERROR))
        else:
            out.append(r)
    settings = jobs[0].args[0].settings if jobs else None
    return StressResult(out, notes, *((settings.unit, settings.currency) if settings else ()))


def stress_one(data: ScenarioData, contracts: list[float], outlook: Outlook,
               signed: tuple[str, ...] = (), rebates: list[float] | None = None,
               aimed: frozenset[int] = frozenset(), order: int = 0) -> ScenarioStress:
    """The recourse of one plan in one scenario (a batch job); ``signed``: the deals the
    plan signed, ``rebates``: the discounts its contracts earned, both fixed like them;
    ``aimed``: the arcs the batch's scenarios aim a shock at; ``order``: the scenario's
    place in its stress test (for :func:`stress_result`).

    The jobs of one plan share one model: built and compiled once with every scenario's
    numbers as data, set to each scenario and re-solved warm (:mod:`models.world`,
    :mod:`optimizer.solving.resolve`)."""
    with PauseGC():
        form = world_model(data, outlook, contracts, signed, rebates, aimed)
        if form.reader is None:
            form.reader = Reader(form.ix, form.model.scenario[0], form.resolver, contracts,
                                 rebates, data.settings.spot_premium)
        outcome = form.solve(outlook)
        if not outcome.status.has_plan:
            return no_plan(outlook.name, outlook.probability, outcome.status)
        world = form.model.world
        return form.reader.read(outcome, outlook.name, outlook.probability,
                                outlook.first_period is not None, world.delivered_now,
                                world.price_now)


__all__ = ["NO_DISRUPTION", "ScenarioStress", "StressResult", "contracts_of", "stress_jobs",
           "stress_one", "stress_plan", "stress_result"]
