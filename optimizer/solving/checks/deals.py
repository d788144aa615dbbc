"""SPEC 3.1 family 10: a deal the plan signs has an offer or a plant; it pays its upfront
cost in the first period of its term and its fixed cost in each. A partner who signed
alone pays all of it; the coalition splits it by the partners' shares of the horizon
demand for the deal's materials."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from models.data import ScenarioData
from optimizer.solving.checks.common import Labels, Money, Violation, find
from optimizer.solving.checks.tables import Demand


def check_deals(data: ScenarioData, labels: Labels, demand: Demand,
                signed: Mapping[str, str], out: list[Violation]) -> tuple[float, Money]:
    """Returns the deals' cost (present value) and each partner's part by period."""
    cost, payer, period, paid = 0.0, [], [], []
    if not any(deal.name in signed for deal in data.deals):
        return cost, Money(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64),
                           np.empty(0))
    rows: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)  # (period, material)
    for o in data.offers:
        if o.deal is not None:
            rows[o.deal].append((o.period, o.material))
    for r in data.recipes:
        if r.deal is not None:
            rows[r.deal].append((r.period, r.output))
    buyers = data.buyers
    partner = labels.codes(buyers)
    of_buyer = find([partner], [demand.buyer.code])
    pos = {t: i for i, t in enumerate(labels.periods)}
    for deal in data.deals:
        if deal.name not in signed:
            continue
        if not rows[deal.name]:
            out.append(Violation(f"deal {deal.name!r} signed without an offer", deal.name,
                                 1.0, 0.0))
            continue
        term = sorted({t for t, _ in rows[deal.name]}, key=pos.__getitem__)
        materials = [labels.code(m) for m in {m for _, m in rows[deal.name]}]
        counted = np.isin(demand.material.code, materials) & (of_buyer >= 0)
        need = np.bincount(of_buyer[counted], weights=demand.quantity[counted],
                           minlength=len(buyers)).tolist()  # demand for them, by partner
        total = sum(need)
        alone = signed[deal.name] in buyers and len(buyers) > 1
        for t in term:
            due = deal.fixed_cost + (deal.upfront_cost if t == term[0] else 0.0)
            cost += float(labels.discount[pos[t]]) * due
            for b, code, n in zip(buyers, partner, need, strict=True):
                part = (1.0 if b == signed[deal.name] else 0.0) if alone else (
                    n / total if total > 0 else 1 / len(buyers))
                payer.append(code)
                period.append(pos[t])
                paid.append(due * part)
    return cost, Money(np.array(payer, dtype=np.int64), np.array(period, dtype=np.int64),
                       np.array(paid, dtype=float))
