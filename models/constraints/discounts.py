r"""Family 11: volume discounts (SPEC 3.1), price breaks on the volume the planning unit
buys from one supplier of one material, per period or over the horizon.

Each purchase :math:`x_a` counted by schedule g is split by bracket, :math:`x_a =
\sum_k y_{g,k,a}`; bracket 0 is the Supply price below the first break, bracket k
starts at :math:`L_k` (the k-th from-quantity) and ends at :math:`U_k` (the next one; the
last at the offer's capacity over the schedule's periods). With
:math:`V_{g,k} = \sum_a y_{g,k,a}` the volume in bracket k:

- **all-units** (the price of the bracket reached applies to every unit): one binary
  :math:`z_{g,k}` per bracket, exactly one chosen, the whole volume in it:

  .. math:: \sum_k z_{g,k} = 1, \qquad L_k z_{g,k} \le V_{g,k} \le U_k z_{g,k}

- **incremental** (each bracket's price on the units inside it): brackets filled in
  order, a bracket open only when the one below is full:

  .. math:: V_{g,k} \le (U_k - L_k) z_{g,k}, \qquad V_{g,k} \ge (U_k - L_k) z_{g,k+1},
            \qquad z_{g,k+1} \le z_{g,k}, \qquad z_{g,0} = 1

This is the quantity-split formulation with one binary per bracket; its LP relaxation is
the convex hull of each schedule's cost curve, tighter than a big-M on the price. Each
unit in bracket k costs its Supply landed price less the rebate :math:`r_{a,k} =
(p_{t,0} - p_{t,k})(1 + \tau_a)`, freight unchanged; the rebates are the (negative)
``discount`` cost component and enter the budgets. The volume is the planning unit's:
the data a partner planning alone gets holds only its own purchases. Spot purchases in a
disrupted scenario pay the Supply price and never count (:mod:`models.stochastic`).

=====================  ==============================  ==========================
symbol                 meaning                         Pyomo
=====================  ==============================  ==========================
:math:`y_{g,k,a}`      purchase a's units in bracket k ``m.bracket_buy[g, k, a]``
:math:`z_{g,k}`        bracket k open / chosen         ``m.bracket[g, k]``
:math:`L_k, U_k`       where bracket k starts and ends ``ix.brackets[g].low/high``
:math:`r_{a,k}`        rebate per unit in bracket k    ``ix.brackets[g].rebate``
=====================  ==============================  ==========================
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex

Terms = list[tuple[float, object]]


def add_discounts(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """Brackets, their binaries and the rows that tie them to the purchases; empty
    without a Discounts sheet (the model stays an LP)."""
    live = [(g, b) for g, b in enumerate(ix.brackets) if b.arcs]  # nothing to buy: no row
    splits = [(g, k, a) for g, b in live for k in range(b.count) for a in b.arcs]
    m.BRACKET_BUYS = pyo.Set(initialize=splits, dimen=3, ordered=True)
    m.bracket_buy = pyo.Var(m.BRACKET_BUYS, domain=pyo.NonNegativeReals)
    m.BRACKETS = pyo.Set(initialize=[(g, k) for g, b in live for k in range(b.count)],
                         dimen=2, ordered=True)
    m.bracket = pyo.Var(m.BRACKETS, domain=pyo.Binary)
    y = dict(zip(m.BRACKET_BUYS, m.bracket_buy.values(), strict=True))
    z = m.bracket
    volume: dict[tuple[int, int], list] = defaultdict(list)
    for (g, k, _), var in y.items():
        volume[(g, k)].append((1.0, var))

    m.SPLITS = pyo.Set(initialize=[(g, a) for g, b in live for a in b.arcs], dimen=2,
                       ordered=True)
    m.discount_split = pyo.Constraint(m.SPLITS, rule=lambda m, g, a: linear(
        [(1.0, y[(g, k, a)]) for k in range(ix.brackets[g].count)]
        + [(-1.0, m.purchases[a])]) == 0.0)

    def bounds(m: pyo.ConcreteModel, g: int, k: int, side: str) -> object:
        b = ix.brackets[g]
        v = volume[(g, k)]
        if b.schedule.kind == "all-units":  # the whole volume in the one bracket chosen
            if side == "low":
                return linear([*v, (-b.low[k], z[g, k])]) >= 0.0
            return linear([*v, (-b.high[k], z[g, k])]) <= 0.0
        width = b.high[k] - b.low[k]  # incremental: filled in order
        if side == "low":
            if k + 1 == b.count:
                return pyo.Constraint.Skip
            return linear([*v, (-width, z[g, k + 1])]) >= 0.0
        return linear([*v, (-width, z[g, k])]) <= 0.0

    m.bracket_low = pyo.Constraint(m.BRACKETS, rule=lambda m, g, k: bounds(m, g, k, "low"))
    m.bracket_high = pyo.Constraint(m.BRACKETS, rule=lambda m, g, k: bounds(m, g, k, "high"))
    m.ONE_BRACKET = pyo.Set(initialize=[g for g, b in live if b.schedule.kind == "all-units"],
                            ordered=True)
    m.one_bracket = pyo.Constraint(m.ONE_BRACKET, rule=lambda m, g: linear(
        [(1.0, z[g, k]) for k in range(ix.brackets[g].count)]) == 1.0)
    m.IN_ORDER = pyo.Set(initialize=[(g, k) for g, b in live if b.schedule.kind == "incremental"
                                     for k in range(b.count)], dimen=2, ordered=True)
    m.in_order = pyo.Constraint(m.IN_ORDER, rule=lambda m, g, k: (
        z[g, k] == 1 if k == 0 else linear([(1.0, z[g, k]), (-1.0, z[g, k - 1])]) <= 0.0))


def rebate_terms(ix: ModelIndex, m: pyo.ConcreteModel, discounted: bool = True) -> Terms:
    """The discount cost component: minus each bracket's rebate on its units (present
    value with ``discounted``, else nominal)."""
    terms: Terms = []
    for (g, k, a), var in zip(m.BRACKET_BUYS, m.bracket_buy.values(), strict=True):
        r = ix.brackets[g].rebate.get((a, k), 0.0)
        if r:
            terms.append((-(ix.discount[ix.arcs[a][3]] if discounted else 1.0) * r, var))
    return terms


def rebate_spend(ix: ModelIndex, m: pyo.ConcreteModel) -> dict[tuple[str, str], Terms]:
    """(buyer, period) -> the rebates on its purchases, for its budget (nominal)."""
    out: dict[tuple[str, str], Terms] = defaultdict(list)
    for (g, k, a), var in zip(m.BRACKET_BUYS, m.bracket_buy.values(), strict=True):
        r = ix.brackets[g].rebate.get((a, k), 0.0)
        if r:
            arc = ix.arcs[a]
            out[(arc[0], arc[3])].append((-r, var))
    return out
