r"""Family 4: strategic stockpile floor and storage ceiling (holding cost: objective).

.. math::

    I_{b,m,t} + g_{b,m,t} \ge \mathit{floor}_{b,m,t} = \max\left(\mathit{min\_level}_{b,m,t},
        \ \mathit{min\_days}_{b,m,t} \cdot \frac{d_{b,m,t}}{\mathit{days}_t}\right),
        \quad g_{b,m,t} \ge 0 \qquad
    I_{b,m,t} \le \mathit{max\_level}_{b,m,t}

The floor is a reserve to be drawn on (SPEC 3 family 4, SPEC 5): the gap
:math:`g_{b,m,t}` below it costs :math:`\rho \pi \, \mathit{days}_t / 365` per unit in the
objective (``reserve_gap_penalty`` x the shortage penalty per unit and year, pro rata for
the period), well below the shortage penalty, so a partner draws its reserve before it
runs short, and well above what keeping stock costs, so the reserve is kept whenever
supply allows. The same rows, on each scenario's stock, hold in every disruption
scenario (:mod:`models.stochastic`): a disruption lifts no rule.

=================  =============================  ===========================
symbol             meaning                        Pyomo
=================  =============================  ===========================
:math:`I_{b,m,t}`  closing stock                  ``m.stock[b, mat, t]``
:math:`g_{b,m,t}`  gap below the floor            ``m.reserve_gap[b, mat, t]``
floor              strategic reserve              ``ix.floor``, row ``m.floor``
:math:`\rho \pi`   gap cost per unit and period   ``ix.gap_rate``
ceiling            storage capacity               ``ix.ceiling``, row ``m.ceiling``
=================  =============================  ===========================

Both are rows rather than variable bounds so that their shadow prices are reported
in the planner's terms and a diagnosis can name the Stockpile row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyomo.environ as pyo

from models.expr import PyomoExpr, at_least
from models.family import Binding, Family, Row, Sense
from models.index import ModelIndex


def add_floor(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    m.FLOOR = pyo.Set(initialize=list(ix.floor), dimen=3, ordered=True)
    m.reserve_gap = pyo.Var(m.FLOOR, domain=pyo.NonNegativeReals)
    gap = dict(zip(m.FLOOR, m.reserve_gap.values(), strict=True))
    m.floor = pyo.Constraint(m.FLOOR, rule=floor_rule(ix, m.stock, gap))


def add_ceiling(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    m.CEILING = pyo.Set(initialize=list(ix.ceiling), dimen=3, ordered=True)
    m.ceiling = pyo.Constraint(m.CEILING, rule=ceiling_rule(ix, m.stock))


def floor_rule(ix: ModelIndex, stock: Mapping[tuple, PyomoExpr],
               gap: Mapping[tuple, PyomoExpr]) -> Callable:
    """The floor row of key (b, m, t) on ``stock`` and its ``gap`` (the plan's, or one
    scenario's)."""
    return lambda _, *k: at_least(stock[k] + gap[k], ix.floor[k])


def ceiling_rule(ix: ModelIndex, stock: Mapping[tuple, PyomoExpr]) -> Callable:
    return lambda _, *k: stock[k] <= ix.ceiling[k]


def _floor_row(ix: ModelIndex, k: tuple) -> Row:
    b, mat, t = k
    return Row("stockpile floor", f"{b}'s {mat} reserve at the end of {t} must be at least "
               f"{ix.floor[k]:,.6g} {ix.unit}", ix.src.get(("stock", *k), ""),
               "lower the floor", b, mat, t, ix.floor[k])


def _floor_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    buyer, mat, t = k
    return (f"{buyer}'s {mat} reserve floor in {t} ({ix.floor[k]:,.1f} {ix.unit}) costs "
            f"{price:,.0f} {b.currency} per {ix.unit} of reserve")


def _ceiling_row(ix: ModelIndex, k: tuple) -> Row:
    b, mat, t = k
    return Row("storage ceiling", f"{b}'s {mat} stock at the end of {t} may be at most "
               f"{ix.ceiling[k]:,.6g} {ix.unit}", ix.src.get(("stock", *k), ""),
               "raise the ceiling", b, mat, t, ix.ceiling[k])


def _ceiling_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    buyer, mat, t = k
    return (f"{buyer}'s {mat} storage ceiling in {t} ({ix.ceiling[k]:,.0f} {ix.unit}) binds: "
            f"one more {ix.unit} of storage would save {price:,.0f} {b.currency}")


FLOOR = Family("stockpile floor", "4", "floor", Sense.GE, "Stockpile", add_floor, _floor_row,
               _floor_binding)
CEILING = Family("storage ceiling", "4", "ceiling", Sense.LE, "Stockpile", add_ceiling,
                 _ceiling_row, _ceiling_binding)
