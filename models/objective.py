r"""The objective, assembled from named cost components (SPEC 3, objective).

.. math::

    \min \sum_t \delta_t \Big( \underbrace{\sum (p(1+\tau) + f)\,x}_{\text{purchase}}
      + \underbrace{\sum h\,I}_{\text{holding}} + \underbrace{\sum c\,z}_{\text{transfer}}
      + \underbrace{\pi \sum u}_{\text{shortfall}}
      + \underbrace{\sum_{p \in t} \rho_p v_p}_{\text{policy}} \Big)
      + \sum_{p\ \text{horizon}} \rho_p v_p

with :math:`\delta_t = (1 + r)^{-i(t)}` the discount factor of the period's position
:math:`i(t)` (1 in the first period). Each component is a Pyomo ``Expression`` named in
:data:`COST_COMPONENTS`, so every report can break the cost down without recomputing it.
The purchase component is the landed cost (price, tariff and freight) in one expression:
three expressions over every purchase arc tripled the objective's terms, which cost
about a second at the large benchmark size (benchmarks/README.md); reports split it into
price, tariff and freight from the arcs' unit costs.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex

COST_COMPONENTS = ("purchase", "holding", "transfer", "shortfall", "policy")


def add_objective(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    d = ix.discount
    m.cost_purchase = pyo.Expression(expr=linear(
        (d[a[3]] * ix.arc_cost[a].unit, v) for a, v in zip(ix.arcs, m.purchases, strict=True)))
    m.cost_holding = pyo.Expression(expr=linear(
        (d[k[2]] * ix.holding.get(k, 0.0), m.stock[k]) for k in m.STOCK))
    m.cost_transfer = pyo.Expression(expr=linear(
        (d[k[3]] * ix.transfer_cost[k[:3]], m.transfer[k]) for k in m.TRANSFERS))
    m.cost_shortfall = pyo.Expression(expr=linear(
        (d[k[2]] * ix.shortage_penalty, m.short[k]) for k in m.SHORT))
    m.cost_policy = pyo.Expression(expr=linear(
        ((d[ix.caps[p].period] if ix.caps[p].period else 1.0) * ix.caps[p].policy.penalty,
         m.cap_excess[p]) for p in m.SOFT_CAPS))
    m.total_cost = pyo.Objective(
        expr=sum(component(m, name) for name in COST_COMPONENTS), sense=pyo.minimize)


def component(m: pyo.ConcreteModel, name: str) -> pyo.Expression:
    """The named cost component of a built model."""
    return getattr(m, f"cost_{name}")
