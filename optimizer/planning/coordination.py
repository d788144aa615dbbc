"""Coordination modes (SPEC 3): how the partners plan, and what coordination is worth.

- ``joint``: one LP over all partners (pooled capacity, coalition rules, sharing).
- ``pro-rata``: each partner plans alone on its pro-rata share of every offer, the share
  being its demand for that material in that period over the total of the partners the
  offer is open to (Supply ``buyers``; equal shares among them where none has demand).
  Minimum offtakes, and facility capacity (SPEC 3.2), are shared the same way; where
  nobody demands the material, by demand for what is made from it.
- ``sequential``: partners plan alone one after another in Buyers order; each sees the
  capacity earlier partners left. Minimum offtakes are shared pro rata, each partner's
  part capped by what is left, so that together they still honour every minimum.

Deals (SPEC 3.1) are indivisible: a partner planning alone that signs one gets its whole
capacity, takes its whole minimum and pays all its costs. In both alone modes partners
take deals in Buyers order: each plans with every deal it may sign that no earlier
partner signed.

A partner planning alone has no stock sharing, and a coalition-wide cap becomes its own
cap: if every partner keeps within a share, so does their union. All modes use the same
formulation; the alone-scenarios are data transformations, and the combined plan is
checked against the original scenario by the independent checker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

import pandas as pd

from models.data import Offer, Recipe, ScenarioData
from optimizer.planning.shares import OfferKey, RecipeKey, offer_shares, recipe_shares
from optimizer.solving.checker import check_plan
from optimizer.solving.extract import DEAL_COLUMNS, PlanResult, buyer_table, supply_table
from optimizer.solving.highs import Status, WarmStart
from optimizer.solving.plan import PlanRun, solve_plan

DEALS_NONE = pd.DataFrame(columns=DEAL_COLUMNS)


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
    if mode not in ("pro-rata", "sequential"):  # pragma: no cover - the schema admits three
        raise ValueError(mode)
    return combine(data, _in_buyers_order(data, sequential=mode == "sequential"), check=check)


def _offers(data: ScenarioData) -> dict[OfferKey, Offer]:
    return {(o.supplier, o.material, o.period, o.tier): o for o in data.offers}


def _offtake_shares(data: ScenarioData, buyer: str,
                    shares: dict[tuple[str, OfferKey], float]) -> dict[OfferKey, float]:
    return {k: o.min_offtake * shares[(buyer, k)] for k, o in _offers(data).items()}


def _recipes(data: ScenarioData) -> dict[RecipeKey, Recipe]:
    return {(r.facility, r.output, r.period): r for r in data.recipes}


def alone(data: ScenarioData, buyer: str, capacity: dict[OfferKey, float],
          offtake: dict[OfferKey, float], plant: dict[RecipeKey, float],
          deals: Collection[str] | None = None) -> ScenarioData:
    """The scenario of one partner planning alone on the given capacity and offtake of
    the ordinary offers and ``plant`` capacity of the facilities outside deals, with
    ``deals`` whole (SPEC 3.1: a deal is indivisible; default: every deal it may sign)."""
    if deals is None:
        deals = [d.name for d in data.deals if d.signable((buyer,), data.buyers)]
    offers = []
    for key, o in _offers(data).items():
        if o.deal is not None:
            if o.deal in deals:
                offers.append(o)  # whole: capacity, minimum and costs are all its own
            continue
        cap = max(capacity.get(key, 0.0), 0.0)
        offers.append(replace(o, capacity=cap, min_offtake=min(offtake.get(key, 0.0), cap)))
    recipes = [r if r.deal is not None else replace(
        r, capacity=max(plant.get(key, 0.0), 0.0)) for key, r in _recipes(data).items()
        if r.deal is None or r.deal in deals]
    return replace(
        data,
        buyers=(buyer,),
        offers=tuple(offers),
        recipes=tuple(recipes),
        credit=tuple(data.credit_prices().items()),  # the coalition's, in every mode
        deals=tuple(d for d in data.deals if d.name in deals),
        demand=tuple(d for d in data.demand if d.buyer == buyer),
        routes=tuple(r for r in data.routes if r.buyer == buyer),
        initial_stock=tuple(i for i in data.initial_stock if i.buyer == buyer),
        stock_rules=tuple(r for r in data.stock_rules if r.buyer == buyer),
        policies=tuple(replace(p, buyer=buyer) for p in data.policies
                       if p.buyer in (None, buyer)),
        budgets=tuple(b for b in data.budgets if b.buyer == buyer),
        sharing=(),
    )


def _in_buyers_order(data: ScenarioData, sequential: bool) -> list[tuple[str, PlanRun]]:
    """Each partner alone, in Buyers order. Ordinary offers: its pro-rata share of each
    (``pro-rata``), or what earlier partners left (``sequential``); minimum offtakes
    shared pro rata either way. Deals, in both modes: whole, each one a partner may sign
    and no earlier partner signed (SPEC 3.1)."""
    shares, plant_shares = offer_shares(data), recipe_shares(data)
    left = {k: o.capacity for k, o in _offers(data).items()}
    recipes = _recipes(data)
    plant_left = {k: r.capacity for k, r in recipes.items()}
    taken: set[str] = set()
    parts = []
    for b in data.buyers:
        capacity = left if sequential else {k: o.capacity * shares[(b, k)]
                                            for k, o in _offers(data).items()}
        plant = plant_left if sequential else {k: r.capacity * plant_shares[(b, k)]
                                               for k, r in recipes.items()}
        deals = [d.name for d in data.deals
                 if d.name not in taken and d.signable((b,), data.buyers)]
        run = solve_plan(alone(data, b, capacity, _offtake_shares(data, b, shares), plant,
                               deals), check=False)
        parts.append((b, run))
        if run.result is None:
            break  # later partners' plans would rest on a plan that does not exist
        taken |= set(run.result.signed)
        bought = run.result.purchases.groupby(["supplier", "material", "period", "tier"])
        for key, q in bought["quantity"].sum().items():
            left[key] -= q
        made = run.result.processing.groupby(["facility", "output", "period"])
        for key, q in made["quantity"].sum().items():
            plant_left[key] -= q
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
    processing = pd.concat([r.processing for r in results], ignore_index=True)
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
    deals = _deals_of(data, results)
    signer_pays: dict[str, float] = defaultdict(float)  # a partner alone pays all of a deal
    for row in deals[deals["signed"].astype(bool)].itertuples(index=False):
        signer_pays[str(row.signed_by)] += float(row.cost_pv)
    gaps = [r.mip_gap for r in results if r.mip_gap is not None]
    result = PlanResult(
        scenario=data, objective=objective, purchases=purchases, stock=stock,
        transfers=transfers, supply=supply_table(data, purchases, {}, default=None),
        constraints=pd.concat(constraints, ignore_index=True), cost_breakdown=dict(costs),
        buyers=buyer_table(data, purchases, stock, transfers, _policy_penalties(results),
                           dict(signer_pays), {r.scenario.buyers[0]: float(
                               r.buyers.set_index("buyer").loc["coalition",
                                                               "closing_stock_value"])
                               for r in results}, processing),
        deals=deals, mip_gap=max(gaps) if gaps else None,
        brackets=pd.concat([r.brackets for r in results], ignore_index=True),
        processing=processing)
    violations = []
    if check:
        soft_coalition = any(p.buyer is None and p.penalty is not None for p in data.policies)
        violations = check_plan(data, purchases, transfers, stock,
                                objective=None if soft_coalition else objective,
                                signed=result.signers, brackets=result.brackets,
                                units=[[b] for b, _ in parts],  # discounts on own volume
                                processing=result.processing)
    return PlanRun(Status.OPTIMAL, result, violations=violations, timings=dict(timings),
                   options=parts[0][1].options)


def _deals_of(data: ScenarioData, results: list[PlanResult]) -> pd.DataFrame:
    """Every deal once, in Deals order: as signed by the partner who signed it, else as the
    first partner who could have signed it saw it."""
    rows = pd.concat([r.deals for r in results if len(r.deals)] or [DEALS_NONE],
                     ignore_index=True)
    signed = rows[rows["signed"].astype(bool)]
    rest = rows[~rows["deal"].isin(signed["deal"])].drop_duplicates("deal")
    order = {d.name: i for i, d in enumerate(data.deals)}
    return pd.concat([signed, rest], ignore_index=True).sort_values(
        "deal", key=lambda deal: deal.map(order)).reset_index(drop=True)


def _policy_penalties(results: list[PlanResult]) -> dict[str, float]:
    """Soft-rule penalties by partner: each partner's own caps, from its own plan."""
    return {r.scenario.buyers[0]: r.cost_breakdown.get("policy", 0.0) for r in results}
