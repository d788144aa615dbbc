"""An independent checker: every rule of SPEC section 3, recomputed from the scenario data
and the plan's tables alone.

It deliberately shares nothing with the formulation (no ``models.index``, no Pyomo):
floors, caps, arrivals, lead times and costs are derived again here from
:class:`~models.data.ScenarioData`, so a bug in the model cannot hide itself. It runs
after every solve and in the tests, and reports each violation beyond tolerance.

Each rule family (a module of :mod:`optimizer.solving.checks`) is checked over whole
columns of the plan's tables at once, matching rows on their labels. The violations come
family by family in the order below; within one, in the order of a check row by row
(purchases, transfers and runs in table order; offers as first met; the stock of each
(buyer, material) pair, sorted, period by period).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from models.data import ScenarioData
from optimizer.solving.checks.caps import check_caps
from optimizer.solving.checks.common import (
    ABS_TOL,
    REL_TOL,
    Labels,
    Money,
    Violation,
    groups,
    tol,
)
from optimizer.solving.checks.deals import check_deals
from optimizer.solving.checks.discounts import check_discounts
from optimizer.solving.checks.processing import check_processing
from optimizer.solving.checks.purchases import check_purchases
from optimizer.solving.checks.sharing import check_transfers
from optimizer.solving.checks.stock import check_demand_reported, check_stock, closing_credit
from optimizer.solving.checks.tables import (
    Brackets,
    Demand,
    Offers,
    Purchases,
    Reported,
    Routes,
    Runs,
    Transfers,
)

__all__ = ["ABS_TOL", "REL_TOL", "Violation", "check_plan"]


def check_plan(data: ScenarioData, purchases: pd.DataFrame, transfers: pd.DataFrame,
               stock: pd.DataFrame, objective: float | None = None,
               cap_excess: dict[tuple, float] | None = None,
               signed: Mapping[str, str] | None = None,
               brackets: pd.DataFrame | None = None,
               units: Sequence[Sequence[str]] | None = None,
               processing: pd.DataFrame | None = None) -> list[Violation]:
    """All violations of the scenario's rules by the plan; empty when the plan is sound.

    ``stock`` supplies the plan's shortfall and closing stock per buyer, material and
    period; the closing stock is recomputed here and compared. ``objective`` (present
    value) is recomputed when given. Soft caps may be exceeded; ``cap_excess`` is then
    not needed: the penalty is recomputed from the purchases. ``signed`` maps each deal the
    plan signs to who signed it: a deal's offers exist, and its minimum binds, only when
    it is signed; a partner who signed alone pays all of it, the coalition splits it by
    the partners' shares of the horizon demand for its materials (SPEC 3.1).
    """
    signed = signed or {}
    # ``brackets``: the plan's units of each discounted purchase by price bracket; ``units``:
    # the planning units whose volume a discount counts (default: the coalition);
    # ``processing``: the plan's runs (buyer, facility, output, period, quantity)
    out: list[Violation] = []
    labels = Labels(data)
    offers, routes, demand = Offers(data, labels), Routes.of(data, labels), \
        Demand.of(data, labels)
    buys, runs = Purchases.of(purchases, labels), Runs.of(processing, labels)
    reported = Reported.of(stock, labels)

    # 1, 2, 7: purchases exist as offers, over open routes, within capacity and offtake
    bought = check_purchases(data, labels, offers, routes, buys, signed, out)
    cost = bought.cost
    spend = [bought.spend]  # money paid by (buyer, period), for the budgets
    # 11: volume discounts, from the plan's split of each purchase by bracket
    if data.discounts:
        saved = check_discounts(data, labels, offers, routes, buys,
                                Brackets.of(brackets, labels), units or [list(data.buyers)],
                                out)
        cost -= _present_value(labels, saved)
        spend.append(Money(saved.buyer, saved.period, -saved.amount))
    # 15: processing by recipe, within facility capacity, its fees paid when it starts
    processed = check_processing(data, labels, runs, signed, out)
    cost += _present_value(labels, processed.fees)
    spend.append(processed.fees)
    # 8: transfers only where sharing is allowed, within limits
    moved = check_transfers(data, labels, Transfers.of(transfers, labels), out)
    cost += moved.cost
    # 3, 4: stock balance recomputed, shortfall within demand, floors and ceilings
    cost += check_stock(data, labels, demand, reported, arrivals=bought.arrivals,
                        made=processed.made, drawn=processed.drawn, received=moved.received,
                        given=moved.given, out=out)
    check_demand_reported(demand, reported, out)
    # 5, 9: diversification caps (hard: violation; soft: penalty)
    cost += check_caps(data, labels, buys, runs, out)
    # 13: stock left at the end of the last period is credited at the credit price
    cost -= closing_credit(data, labels, offers, routes, reported, out)
    # 10: deals signed pay their upfront and fixed costs, split between the partners
    deal_cost, deal_parts = check_deals(data, labels, demand, signed, out)
    cost += deal_cost
    spend.append(deal_parts)
    # 6: budgets
    _check_budgets(data, labels, spend, out)

    if objective is not None and abs(cost - objective) > 1e-6 * max(1.0, abs(objective)):
        out.append(Violation("objective recomputed", "total cost (present value)", objective,
                             cost))
    return out


def _present_value(labels: Labels, money: Money) -> float:
    return float(np.sum(labels.discount[money.period] * money.amount))


def _check_budgets(data: ScenarioData, labels: Labels, spend: list[Money],
                   out: list[Violation]) -> None:
    """Each budget holds what its buyer pays in its period."""
    if not data.budgets:
        return
    buyer = np.concatenate([m.buyer for m in spend])
    period = np.concatenate([m.period for m in spend])
    group, first = groups(buyer, period)
    summed = np.bincount(group, weights=np.concatenate([m.amount for m in spend]),
                         minlength=len(first))  # in the order counted, as the money came
    paid = {(int(buyer[f]), int(period[f])): float(summed[k]) for k, f in enumerate(first)}
    pos = {t: i for i, t in enumerate(labels.periods)}
    for limit in data.budgets:
        q = paid.get((labels.code(limit.buyer), pos.get(limit.period, -1)), 0.0)
        if q > limit.amount + tol(limit.amount):
            out.append(Violation("budget", f"{limit.buyer} {limit.period}", q, limit.amount))
