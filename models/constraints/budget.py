r"""Family 6: spending limit per buyer and period (purchases at their landed cost, the
partner's part of deals signed, toll fees of its processing).

.. math::

    \sum_{s,m,k} \left(p_{s,m,t,k}(1 + \tau_{s,b}) + f_{s,b}\right) x_{b,s,m,t,k}
        + \sum_{f,o} \phi_{f,o,t}\, q_{b,f,o,t} + \dots \le \mathit{budget}_{b,t}

=====================  ===============================  =======================
symbol                 meaning                          Pyomo
=====================  ===============================  =======================
:math:`p, \tau, f`     price, tariff rate, freight      ``ix.arc_cost``
(row)                  the budget                       ``m.budget[b, t]``
=====================  ===============================  =======================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import pyomo.environ as pyo

from models.constraints.deals import deal_spend
from models.constraints.discounts import rebate_spend
from models.constraints.processing import fee_spend
from models.expr import linear
from models.family import Binding, Family, Row, Sense
from models.index import ModelIndex


def add_budgets(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    spend = defaultdict(list)
    for arc, var in zip(ix.arcs, m.purchases, strict=True):
        spend[(arc[0], arc[3])].append((ix.arc_cost[arc].unit, var))
    for key, terms in deal_spend(ix, zip(m.DEALS, m.sign.values(), strict=True)).items():
        spend[key] += terms  # each partner's part of the deals signed
    for key, terms in rebate_spend(ix, m).items():
        spend[key] += terms  # volume discounts on its purchases
    # toll fees of its processing (SPEC 3.2); the first stage of the extensive form has
    # none: processing is decided in each world there (models/stochastic.py)
    for key, terms in fee_spend(ix, getattr(m, "processing", ())).items():
        spend[key] += terms
    m.BUDGETS = pyo.Set(initialize=list(ix.budgets), dimen=2, ordered=True)
    m.budget = pyo.Constraint(m.BUDGETS, rule=budget_rule(ix, spend))


def budget_rule(ix: ModelIndex, spend: Mapping[tuple[str, str], list[tuple[float, object]]],
                fixed: Mapping[tuple[str, str], float] | None = None) -> Callable:
    """The budget row of (buyer, period) on ``spend``: (unit cost, purchase) pairs, the
    plan's, or a scenario's delivered contracts and spot purchases (SPEC 5); ``fixed``:
    money already decided in that period (a stressed plan's discounts, negative)."""
    fixed = fixed or {}
    return lambda _, b, t: linear(spend[(b, t)]) <= ix.budgets[b, t] - fixed.get((b, t), 0.0)


def _budget_row(ix: ModelIndex, k: tuple) -> Row:
    b, t = k
    return Row("budget", f"{b} may spend at most {ix.budgets[k]:,.0f} {ix.currency} in {t}",
               ix.src.get(("budget", *k), ""), "raise the budget", b, None, t, ix.budgets[k])


def _budget_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    buyer, t = k
    return (f"{buyer}'s budget in {t} ({ix.budgets[k]:,.0f} {b.currency}) is spent: one more "
            f"{b.currency} of budget would save {price:,.2f} {b.currency}")


BUDGET = Family("budget", "6", "budget", Sense.LE, "Budgets", add_budgets, _budget_row,
                _budget_binding)
