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
from models.stochastic import (
    NO_DISRUPTION,
    Outlook,
    build_extensive_form,
    outlooks,
    spot_unit_cost,
)
from optimizer.runs.executor import Executor, Failed, Job
from optimizer.solving.extract import PlanResult
from optimizer.solving.highs import Outcome, Status, solve_model

TOL = 1e-6
LAPSED = ["supplier", "material", "undelivered", "not_paid_pv"]
SPOT = ["supplier", "material", "quantity", "cost_pv"]
CAP_SHARES = ["policy", "buyer", "material", "period", "target", "limit", "contracted_share",
              "delivered_share"]


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
    # What made the difference to the plan (SPEC 5): contracts not delivered (supplier,
    # material, undelivered, not_paid_pv) and spot purchases (supplier, material, quantity,
    # cost_pv); the reserve drawn below the floor, in unit-periods.
    lapsed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LAPSED))
    spot: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPOT))
    below_floor: float = 0.0
    # Each cap on the shares it is enforced on (contracts at their contracted quantity,
    # plus spot) and on what was delivered (SPEC 5).
    caps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CAP_SHARES))


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
    out = []
    for arc in ix.arcs:
        if arc in paid.index:
            q, cost = paid.loc[arc]
            out.append(max(0.0, float(q) * ix.arc_cost[arc].unit - float(cost)))
        else:
            out.append(0.0)
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
    return [Job(f"{prefix}stress {o.name}", stress_one, (data, contracts, o, signed, rebates))
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
    settings = jobs[0].args[0].settings if jobs else None
    return StressResult(out, notes, *((settings.unit, settings.currency) if settings else ()))


_last_index: list = [None, None]  # (data, its index): jobs of one chunk share their data


def stress_one(data: ScenarioData, contracts: list[float], outlook: Outlook,
               signed: tuple[str, ...] = (), rebates: list[float] | None = None
               ) -> ScenarioStress:
    """The recourse of one plan in one scenario (a batch job); ``signed``: the deals the
    plan signed, ``rebates``: the discounts its contracts earned, both fixed like them."""
    with PauseGC():
        if _last_index[0] is not data:
            _last_index[:] = [data, build_index(data)]
        ix = _last_index[1]
        single = replace(outlook, probability=1.0)
        m = build_extensive_form(data, [single], contracts=contracts, ix=ix, signed=signed,
                                 rebates=rebates)
        outcome = solve_model(m, data.settings.time_limit_s)
        if not outcome.status.has_plan:
            return _no_plan(outlook.name, outlook.probability, outcome.status)
        return _read(data, ix, m, outcome, outlook, contracts, rebates)


def _no_plan(name: str, probability: float, status: Status) -> ScenarioStress:
    return ScenarioStress(name, probability, status, None, 0.0,
                          pd.DataFrame(columns=["buyer", "material", "shortfall"]), 0, 0, 0.0,
                          0.0)


def _read(data: ScenarioData, ix: ModelIndex, m: pyo.ConcreteModel, outcome: Outcome,
          outlook: Outlook, contracts: list[float], rebates: list[float] | None = None
          ) -> ScenarioStress:
    blk = m.scenario[0]
    short = outcome.values(blk.short)
    stock = dict(zip(blk.STOCK, outcome.values(blk.stock), strict=True))
    rows = [(k[0], k[1], float(u)) for k, u in zip(blk.SHORT, short, strict=True) if u > TOL]
    shortfalls = pd.DataFrame(rows, columns=["buyer", "material", "shortfall"])
    if len(shortfalls):
        shortfalls = shortfalls.groupby(["buyer", "material"], as_index=False)["shortfall"].sum()
    below = [k for k, level in ix.floor.items() if stock[k] < level - TOL]
    x = np.maximum(np.asarray(contracts, dtype=float), 0.0)  # fixed: not columns of the LP
    spot = dict(zip(blk.SPOT, outcome.values(blk.spot), strict=True))
    factor = np.array([outlook.delivered(a) for a in ix.arcs])
    assert outcome.objective is not None  # read only from an outcome with a plan
    return ScenarioStress(
        scenario=outlook.name, probability=outlook.probability, status=outcome.status,
        cost=float(outcome.objective), shortfall=float(np.sum(short)),
        shortfalls=shortfalls,
        periods_short=len(rows), periods_below_floor=len(below),
        days_below_floor=float(sum(ix.days[k[2]] for k in below)),
        spot_bought=float(sum(spot.values())),
        lapsed=_lapsed(ix, x, factor, rebates),
        spot=_spot(ix, spot, outlook, data.settings.spot_premium),
        below_floor=float(sum(ix.floor[k] - stock[k] for k in below)),
        caps=_cap_shares(ix, x, factor, spot, outcome.values(blk.make))
        if outlook.first_period is not None
        else pd.DataFrame(columns=CAP_SHARES))


def _lapsed(ix: ModelIndex, x: np.ndarray, factor: np.ndarray,
            rebates: list[float] | None = None) -> pd.DataFrame:
    """Contracts a disruption left undelivered, and what was then not paid (PV), at the
    price the contract pays (volume discounts included)."""
    short = x * (1.0 - factor)
    off = rebates or [0.0] * len(ix.arcs)
    rows = [(a[1], a[2], float(short[i]),
             float(short[i]) * (ix.arc_cost[a].unit - off[i] / x[i]) * ix.discount[a[3]])
            for i, a in enumerate(ix.arcs) if short[i] > TOL]
    df = pd.DataFrame(rows, columns=LAPSED)
    return df.groupby(["supplier", "material"], as_index=False).sum() if len(df) else df


def _spot(ix: ModelIndex, spot: dict[int, float], outlook: Outlook,
          premium: float) -> pd.DataFrame:
    """Spot purchases of the scenario with their cost (PV)."""
    rows = []
    for i, q in spot.items():
        if q > TOL:
            a = ix.arcs[i]
            unit = spot_unit_cost(ix.arc_cost[a], outlook.price(a), premium)
            rows.append((a[1], a[2], q, q * unit * ix.discount[a[3]]))
    df = pd.DataFrame(rows, columns=SPOT)
    return df.groupby(["supplier", "material"], as_index=False).sum() if len(df) else df


def _cap_shares(ix: ModelIndex, x: np.ndarray, factor: np.ndarray,
                spot: dict[int, float], made: np.ndarray) -> pd.DataFrame:
    """Each cap's share on contracted quantities plus spot (what it is enforced on) and on
    delivered quantities plus spot; a cap at a stage adds what this world processed
    (``made``, by position in ``ix.processes``)."""
    y = np.zeros(len(ix.arcs))
    for i, q in spot.items():
        y[i] = q
    rows = []
    for cap in ix.caps:
        counted, capped = list(cap.counted), list(cap.capped)
        own = float(made[list(cap.made_counted)].sum())
        own_capped = float(made[list(cap.made_capped)].sum())
        total = float((x + y)[counted].sum()) + own
        delivered = float((x * factor + y)[counted].sum()) + own
        pol = cap.policy
        rows.append((f"{pol.kind} '{pol.name}'", pol.buyer or "coalition", pol.material,
                     cap.period or "horizon", pol.target, pol.share,
                     (float((x + y)[capped].sum()) + own_capped) / total if total > TOL
                     else None,
                     (float((x * factor + y)[capped].sum()) + own_capped) / delivered
                     if delivered > TOL else None))
    return pd.DataFrame(rows, columns=CAP_SHARES)


__all__ = ["NO_DISRUPTION", "ScenarioStress", "StressResult", "contracts_of", "stress_jobs",
           "stress_one", "stress_plan", "stress_result"]
