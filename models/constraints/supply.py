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
The tranches and minimum of a deal's offer scale with its signing binary (family 10,
:mod:`models.constraints.deals`): the right-hand sides above times :math:`w_d`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyomo.environ as pyo

from models.expr import at_least, linear
from models.family import Binding, Family, Row, Sense
from models.index import ModelIndex


def add_capacity(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    tranche = defaultdict(list)
    for arc, var in zip(ix.arcs, m.purchases, strict=True):
        tranche[arc[1:]].append(var)
    m.CAPACITY = pyo.Set(initialize=list(tranche), dimen=4, ordered=True)

    def rule(m: pyo.ConcreteModel, *k: Any) -> object:
        bought = [(1.0, v) for v in tranche[k]]
        deal = ix.deal_of.get(k[:3])  # a deal's tranche exists only if it is signed
        if deal is not None:
            return linear([*bought, (-ix.capacity[k], m.sign[deal])]) <= 0.0
        # relational rows (not (lb, body, ub) tuples): a bound may be an expression of a
        # swept value held in a fixed variable (optimizer/solving/parametric.py)
        return linear(bought) <= ix.capacity[k]

    m.capacity = pyo.Constraint(m.CAPACITY, rule=rule)


def add_min_offtake(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    offer = defaultdict(list)
    for arc, var in zip(ix.arcs, m.purchases, strict=True):
        offer[arc[1:4]].append(var)
    keys = [k for k in ix.offtake if k in offer or k in ix.deal_of]
    m.OFFTAKE = pyo.Set(initialize=keys, dimen=3, ordered=True)

    def rule(m: pyo.ConcreteModel, *k: Any) -> object:
        bought = [(1.0, v) for v in offer[k]]
        deal = ix.deal_of.get(k)  # a deal's bankable minimum binds only if it is signed
        if deal is not None:
            return linear([*bought, (-ix.offtake[k], m.sign[deal])]) >= 0.0
        return at_least(linear(bought), ix.offtake[k])

    m.min_offtake = pyo.Constraint(m.OFFTAKE, rule=rule)


def add_supply(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """Both families: contracts within capacity and minimum offtake."""
    add_capacity(m, ix)
    add_min_offtake(m, ix)


def _capacity_row(ix: ModelIndex, k: tuple) -> Row:
    s, mat, t, tier = k
    return Row("supplier capacity", f"{s} offers at most {ix.capacity[k]:,.6g} {ix.unit} of "
               f"{mat} in {t} (tier {tier})", ix.src.get(("offer", *k), ""),
               "raise the capacity", None, mat, t, ix.capacity[k])


def _capacity_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    s, mat, t, tier = k
    return (f"{s}'s {mat} capacity in {t} (tier {tier}, {ix.capacity[k]:,.0f} {ix.unit}) is "
            f"used up: one more {ix.unit} would save {price:,.0f} {b.currency}")


def _offtake_row(ix: ModelIndex, k: tuple) -> Row:
    s, mat, t = k
    return Row("minimum offtake", f"at least {ix.offtake[k]:,.6g} {ix.unit} of {mat} must be "
               f"bought from {s} in {t}", ix.src.get(("offtake", *k), ""),
               "lower the minimum offtake", None, mat, t, ix.offtake[k])


def _offtake_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    s, mat, t = k
    return (f"the minimum offtake of {ix.offtake[k]:,.0f} {ix.unit} of {mat} from {s} in {t}"
            f" costs {price:,.0f} {b.currency} per {ix.unit} more than buying elsewhere")


CAPACITY = Family("supplier capacity", "1", "capacity", Sense.LE, "Supply", add_capacity,
                  _capacity_row, _capacity_binding)
MIN_OFFTAKE = Family("minimum offtake", "2", "min_offtake", Sense.GE, "Supply",
                     add_min_offtake, _offtake_row, _offtake_binding)
