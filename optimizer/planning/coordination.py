"""Coordination modes (SPEC 3): how the partners plan, and what coordination is worth.

- ``joint``: one LP over all partners (pooled capacity, coalition rules, sharing).
- ``pro-rata``: each partner plans alone on its pro-rata share of every offer, the share
  being its demand for that material in that period over the total of the partners the
  offer is open to (Supply ``buyers``; equal shares among them where none has demand).
  Minimum offtakes are shared the same way.
- ``sequential``: partners plan alone one after another in Buyers order; each sees the
  capacity earlier partners left. Minimum offtakes are shared pro rata, each partner's
  part capped by what is left, so that together they still honour every minimum.

A partner planning alone has no stock sharing, and a coalition-wide cap becomes its own
cap: if every partner keeps within a share, so does their union. All modes use the same
formulation; the alone-scenarios are data transformations, and the combined plan is
checked against the original scenario by the independent checker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import pandas as pd

from models.data import Offer, ScenarioData
from optimizer.planning.shares import OfferKey, offer_shares
from optimizer.solving.checker import check_plan
from optimizer.solving.extract import PlanResult, buyer_table, supply_table
from optimizer.solving.highs import Status, WarmStart
from optimizer.solving.plan import PlanRun, solve_plan


def plan_coordinated(data: ScenarioData, check: bool = True, warm: WarmStart | None = None,
                  measures: bool = False, complete_robust: bool = True) -> PlanRun:
    """Plan ``data`` in its own coordination mode; ``warm`` serves joint plans only.

    ``measures``: for a robust plan, also compute EVPI and VSS (a hindsight plan per
    scenario and a mean-value plan: more solves than the plan itself). Without
    ``complete_robust`` a robust plan comes without its stress test and measures, which
    the caller then runs as a batch (:func:`optimizer.planning.robust.robust_work`).
    """
    if data.settings.robust != "no":
        if data.settings.coordination != "joint" and len(data.buyers) > 1:
            return PlanRun(Status.NOT_AVAILABLE, None, reasons=[(
                f"robust = {data.settings.robust} plans the coalition jointly; with "
                f"coordination {data.settings.coordination} set robust to no", "")])
        from optimizer.planning.robust import plan_robust, robust_contracts

        return plan_robust(data, measures=measures) if complete_robust else robust_contracts(data)
    mode = data.settings.coordination
    if mode == "joint" or len(data.buyers) == 1:
        return solve_plan(data, check=check, warm=warm)
    if mode == "pro-rata":
        shares = offer_shares(data)
        parts = [(b, solve_plan(alone(data, b, {k: o.capacity * shares[(b, k)]
                                          for k, o in _offers(data).items()},
                                    _offtake_shares(data, b, shares)), check=False))
                 for b in data.buyers]
    elif mode == "sequential":
        parts = _sequential(data)
    else:  # pragma: no cover - the schema admits only the three modes
        raise ValueError(mode)
    return combine(data, parts, check=check)


def _offers(data: ScenarioData) -> dict[OfferKey, Offer]:
    return {(o.supplier, o.material, o.period, o.tier): o for o in data.offers}


def _offtake_shares(data: ScenarioData, buyer: str,
                    shares: dict[tuple[str, OfferKey], float]) -> dict[OfferKey, float]:
    return {k: o.min_offtake * shares[(buyer, k)] for k, o in _offers(data).items()}


def alone(data: ScenarioData, buyer: str, capacity: dict[OfferKey, float],
          offtake: dict[OfferKey, float]) -> ScenarioData:
    """The scenario of one partner planning alone on the given capacity and offtake."""
    offers = []
    for key, o in _offers(data).items():
        cap = max(capacity.get(key, 0.0), 0.0)
        offers.append(replace(o, capacity=cap, min_offtake=min(offtake.get(key, 0.0), cap)))
    return replace(
        data,
        buyers=(buyer,),
        offers=tuple(offers),
        demand=tuple(d for d in data.demand if d.buyer == buyer),
        routes=tuple(r for r in data.routes if r.buyer == buyer),
        initial_stock=tuple(i for i in data.initial_stock if i.buyer == buyer),
        stock_rules=tuple(r for r in data.stock_rules if r.buyer == buyer),
        policies=tuple(replace(p, buyer=buyer) for p in data.policies
                       if p.buyer in (None, buyer)),
        budgets=tuple(b for b in data.budgets if b.buyer == buyer),
        sharing=(),
    )


def _sequential(data: ScenarioData) -> list[tuple[str, PlanRun]]:
    shares = offer_shares(data)
    left = {k: o.capacity for k, o in _offers(data).items()}
    parts = []
    for b in data.buyers:
        run = solve_plan(alone(data, b, left, _offtake_shares(data, b, shares)), check=False)
        parts.append((b, run))
        if run.result is None:
            break  # later partners' plans would rest on a plan that does not exist
        bought = run.result.purchases.groupby(["supplier", "material", "period", "tier"])
        for key, q in bought["quantity"].sum().items():
            left[key] -= q
    return parts


def combine(data: ScenarioData, parts: list[tuple[str, PlanRun]], check: bool = True) -> PlanRun:
    """One plan for the coalition from the partners' own plans."""
    timings: dict[str, float] = defaultdict(float)
    for _, run in parts:
        for k, v in run.timings.items():
            timings[k] += v
    failed = [(b, run) for b, run in parts if run.result is None]
    if failed:
        b, run = failed[0]
        reasons = [(f"{b} planning alone: {m}", src) for m, src in run.reasons] or [
            (f"{b} planning alone: {run.status}", "")]
        return PlanRun(run.status, None, reasons=reasons, timings=dict(timings),
                       options=run.options, outcome=run.outcome,
                       solver_status=run.solver_status)
    results = [run.result for _, run in parts if run.result is not None]  # all: none failed
    purchases = pd.concat([r.purchases for r in results], ignore_index=True)
    stock = pd.concat([r.stock for r in results], ignore_index=True)
    transfers = results[0].transfers.iloc[0:0]
    constraints = []
    for b, r in zip((b for b, _ in parts), results, strict=True):
        table = r.constraints.copy()
        table["buyer"] = table["buyer"].fillna(b).replace("coalition", b)
        constraints.append(table)
    costs: dict[str, float] = defaultdict(float)
    for r in results:
        for k, v in r.cost_breakdown.items():
            costs[k] += v
    objective = sum(r.objective for r in results)
    result = PlanResult(
        scenario=data, objective=objective, purchases=purchases, stock=stock,
        transfers=transfers, supply=supply_table(data, purchases, {}, default=None),
        constraints=pd.concat(constraints, ignore_index=True), cost_breakdown=dict(costs),
        buyers=buyer_table(data, purchases, stock, transfers, _policy_penalties(results)))
    violations = []
    if check:
        soft_coalition = any(p.buyer is None and p.penalty is not None for p in data.policies)
        violations = check_plan(data, purchases, transfers, stock,
                                objective=None if soft_coalition else objective)
    return PlanRun(Status.OPTIMAL, result, violations=violations, timings=dict(timings),
                   options=parts[0][1].options)


def _policy_penalties(results: list[PlanResult]) -> dict[str, float]:
    """Soft-rule penalties by partner: each partner's own caps, from its own plan."""
    return {r.scenario.buyers[0]: r.cost_breakdown.get("policy", 0.0) for r in results}
