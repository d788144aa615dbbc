r"""Families 1 and 2: shared supplier capacity (with price tiers) and minimum offtake.

.. math::

    \sum_{b} x_{b,s,m,t,k} \le \mathit{cap}_{s,m,t,k}
        \qquad \forall (s,m,t,k) \text{ with at least one purchase arc}

    \sum_{b,k} x_{b,s,m,t,k} \ge \mathit{offtake}_{s,m,t}
        \qquad \forall (s,m,t) : \mathit{offtake}_{s,m,t} > 0

=====================  ==============================  ==========================
symbol                 meaning                         Pyomo
=====================  ==============================  ==========================
:math:`x_{b,s,m,t,k}`  bought by b from s, tier k      ``m.buy[i]``, arc i of ``ix.arcs``
:math:`cap_{s,m,t,k}`  capacity of the tranche         ``ix.capacity``
:math:`offtake`        take-or-pay minimum             ``ix.offtake``
(row)                  capacity of one tranche         ``m.capacity[s, mat, t, k]``
(row)                  minimum offtake                 ``m.min_offtake[s, mat, t]``
=====================  ==============================  ==========================

Tiers are successive tranches: each is its own capacity row, and the cost minimisation
fills the cheaper tranche first. Capacity is pooled: all buyers draw on the same row.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex


def add_supply(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    tranche = defaultdict(list)
    offer = defaultdict(list)
    x = m.purchases
    for arc, var in zip(ix.arcs, x, strict=True):
        tranche[arc[1:]].append(var)
        offer[arc[1:4]].append(var)
    m.CAPACITY = pyo.Set(initialize=list(tranche), dimen=4, ordered=True)
    # relational rows (not (lb, body, ub) tuples): a bound may be an expression of a swept
    # value held in a fixed variable (optimizer/parametric.py)
    m.capacity = pyo.Constraint(m.CAPACITY, rule=lambda m, *k: (
        linear((1.0, v) for v in tranche[k]) <= ix.capacity[k]))
    keys = [k for k in ix.offtake if k in offer]
    m.OFFTAKE = pyo.Set(initialize=keys, dimen=3, ordered=True)
    m.min_offtake = pyo.Constraint(m.OFFTAKE, rule=lambda m, *k: (
        linear((1.0, v) for v in offer[k]) >= ix.offtake[k]))
