r"""The objective, assembled from named cost components (SPEC 3, objective).

.. math::

    \min \sum_t \delta_t \Big( \underbrace{\sum (p(1+\tau) + f)\,x}_{\text{purchase}}
      + \underbrace{\sum \phi\,q}_{\text{processing}}
      + \underbrace{\sum h\,I}_{\text{holding}} + \underbrace{\sum c\,z}_{\text{transfer}}
      + \underbrace{\pi \sum u}_{\text{shortfall}}
      + \underbrace{\sum \rho \pi \tfrac{\mathit{days}_t}{365} g}_{\text{reserve}}
      + \underbrace{\sum_{p \in t} \rho_p v_p}_{\text{policy}} \Big)
      + \sum_{p\ \text{horizon}} \rho_p v_p
      - \underbrace{\sum \delta_t r_{a,k} y_{g,k,a}}_{\text{discount}}
      - \underbrace{\delta_T \sum_{b,m} \kappa\, P_m I_{b,m,T}}_{\text{closing stock value}}
      + \underbrace{\sum_d w_d \big(\delta_{t_0(d)} U_d + \textstyle\sum_{t \in term(d)}
        \delta_t F_d\big)}_{\text{deal}}

with :math:`\delta_t = (1 + r)^{-i(t)}` the discount factor of the period's position
:math:`i(t)` (1 in the first period). Each component is a Pyomo ``Expression`` named in
:data:`COST_COMPONENTS`, so every report can break the cost down without recomputing it.
The purchase component is the landed cost (price, tariff and freight) in one expression:
three expressions over every purchase arc tripled the objective's terms, which cost
about a second at the large benchmark size (benchmarks/README.md); reports split it into
price, tariff and freight from the arcs' unit costs.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo

from models.constraints.deals import deal_terms
from models.constraints.discounts import rebate_terms
from models.constraints.processing import fee_terms
from models.expr import linear
from models.index import ModelIndex

COST_COMPONENTS = ("purchase", "discount", "deal", "processing", "holding", "transfer",
                   "closing_stock_value", "shortfall", "reserve", "policy")


def add_objective(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    d = ix.discount
    m.cost_purchase = pyo.Expression(expr=linear(
        (d[a[3]] * ix.arc_cost[a].unit, v) for a, v in zip(ix.arcs, m.purchases, strict=True)))
    m.cost_discount = pyo.Expression(expr=linear(rebate_terms(ix, m)))
    m.cost_deal = pyo.Expression(expr=linear(deal_terms(ix, zip(m.DEALS, m.sign.values(),
                                                                   strict=True))))
    m.cost_processing = pyo.Expression(expr=linear(fee_terms(ix, m.processing)))
    stock = zip(m.STOCK, m.stock.values(), strict=True)
    moved = zip(m.TRANSFERS, m.transfer.values(), strict=True)
    short = zip(m.SHORT, m.short.values(), strict=True)
    m.cost_holding = pyo.Expression(expr=linear(holding_terms(ix, stock)))
    m.cost_transfer = pyo.Expression(expr=linear(transfer_terms(ix, moved)))
    closing = zip(m.STOCK, m.stock.values(), strict=True)
    m.cost_closing_stock_value = pyo.Expression(expr=linear(credit_terms(ix, closing)))
    m.cost_shortfall = pyo.Expression(expr=linear(shortfall_terms(ix, short)))
    gap = zip(m.FLOOR, m.reserve_gap.values(), strict=True)
    m.cost_reserve = pyo.Expression(expr=linear(reserve_terms(ix, gap)))
    excess = zip(m.SOFT_CAPS, m.cap_excess.values(), strict=True)
    m.cost_policy = pyo.Expression(expr=linear(policy_terms(ix, excess)))
    m.total_cost = pyo.Objective(
        expr=sum(component(m, name) for name in COST_COMPONENTS), sense=pyo.minimize)


# The cost terms below are shared with each scenario of the extensive form
# (models/stochastic.py): one statement of what holding, moving and lacking stock cost.
Terms = list[tuple[float, object]]


def holding_terms(ix: ModelIndex, stock: Iterable[tuple[tuple, object]]) -> Terms:
    d = ix.discount
    return [(d[k[2]] * ix.holding.get(k, 0.0), v) for k, v in stock]


def transfer_terms(ix: ModelIndex, moved: Iterable[tuple[tuple, object]]) -> Terms:
    d = ix.discount
    return [(d[k[3]] * ix.transfer_cost[k[:3]], v) for k, v in moved]


def credit_terms(ix: ModelIndex, stock: Iterable[tuple[tuple, object]]) -> Terms:
    """Stock left at the end of the last period keeps its value (SPEC 3.1 family 13): a
    negative cost, so a stockpile strategy costs what it consumes, not what it keeps."""
    last = ix.periods[-1]
    return [(-ix.discount[last] * ix.credit[k[:2]], v) for k, v in stock
            if k[2] == last and k[:2] in ix.credit]


def shortfall_terms(ix: ModelIndex, short: Iterable[tuple[tuple, object]]) -> Terms:
    d = ix.discount
    return [(d[k[2]] * ix.shortage_penalty[k[1]], v) for k, v in short]


def reserve_terms(ix: ModelIndex, gap: Iterable[tuple[tuple, object]]) -> Terms:
    """What being below the floor costs (models/constraints/stockpile.py)."""
    d = ix.discount
    return [(d[k[2]] * ix.gap_rate[k], v) for k, v in gap]


def policy_terms(ix: ModelIndex, excess: Iterable[tuple[int, object]]) -> Terms:
    """Soft-cap penalties on each cap's excess: per period when the cap is per period,
    once over the horizon."""
    terms: Terms = []
    for p, v in excess:
        cap = ix.caps[p]
        assert cap.policy.penalty is not None  # only soft caps have an excess
        discount = ix.discount[cap.period] if cap.period else 1.0
        terms.append((discount * cap.policy.penalty, v))
    return terms


def component(m: pyo.ConcreteModel, name: str) -> pyo.Expression:
    """The named cost component of a built model."""
    return getattr(m, f"cost_{name}")
