r"""Family 5 (with 9 and 16): diversification caps, hard or soft, at a stage or not.

For cap row :math:`p` (a policy in one period, or over the horizon), with
:math:`C_p` the purchases from the capped supplier or country and :math:`A_p` all
purchases of the buyer(s) and material in scope; for a cap at a stage (SPEC 3.2 family
16) also :math:`D_p` the processing runs at the target's facilities (its country's, or
the facility itself for a supplier cap) and :math:`E_p` all runs making the material:

.. math::

    \sum_{a \in C_p} x_a + \sum_{i \in D_p} q_i
        - \mathit{share}_p \Big(\sum_{a \in A_p} x_a + \sum_{i \in E_p} q_i\Big) \le v_p

where the excess :math:`v_p \ge 0` exists only for soft rules (those with a penalty) and
costs :math:`\mathit{penalty}_p \cdot v_p` in the objective; for hard rules
:math:`v_p = 0`. Purchases count in the period they are ordered.

=============  ===================================  ==============================
symbol         meaning                              Pyomo
=============  ===================================  ==============================
:math:`x_a`    purchase on arc a                    ``m.buy[i]``
:math:`v_p`    excess over a soft cap               ``m.cap_excess[p]``
(row)          the cap                              ``m.share_cap[p]``
=============  ===================================  ==============================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyomo.environ as pyo

from models.expr import PyomoExpr, linear
from models.family import Binding, Family, Row, Sense
from models.index import ModelIndex


def add_diversification(m: pyo.ConcreteModel, ix: ModelIndex, soft: bool = True) -> None:
    """Every cap on the purchases (and, at a stage, processing); with ``soft`` False only
    the hard caps on purchases alone (the extensive form charges soft caps in each
    scenario instead, on contracts and spot together, and holds caps on processing there,
    where processing is decided)."""
    made = getattr(m, "processing", None)
    caps = [p for p, row in enumerate(ix.caps) if (soft or row.policy.penalty is None)
            and (made is not None or not row.made_counted)]
    m.CAPS = pyo.Set(initialize=caps, ordered=True)
    m.SOFT_CAPS = pyo.Set(initialize=[p for p in caps if ix.caps[p].policy.penalty is not None],
                          ordered=True)
    m.cap_excess = pyo.Var(m.SOFT_CAPS, domain=pyo.NonNegativeReals)
    excess = dict(zip(m.SOFT_CAPS, m.cap_excess.values(), strict=True))
    m.share_cap = pyo.Constraint(m.CAPS, rule=cap_rule(ix, m.purchases, {}, excess, made or ()))


def cap_rule(ix: ModelIndex, purchases: Sequence[PyomoExpr], spot: Mapping[int, PyomoExpr],
             excess: Mapping[int, PyomoExpr], made: Sequence[PyomoExpr] = ()) -> Callable:
    """The row of cap ``p`` on purchases by arc position, plus the ``spot`` purchases on
    the arcs that have one (a disruption scenario's: SPEC 5, the same rules in every
    world), the output ``made`` by processing of a cap at a stage (by position in
    ``ix.processes``) and the ``excess`` of a soft cap."""

    def cap(_: pyo.Block, p: int) -> PyomoExpr:
        row = ix.caps[p]
        coef = {a: -row.policy.share for a in row.counted}
        for a in row.capped:
            coef[a] += 1.0
        terms = [(c, purchases[a]) for a, c in coef.items()]
        terms += [(c, spot[a]) for a, c in coef.items() if a in spot]
        runs = {i: -row.policy.share for i in row.made_counted}
        for i in row.made_capped:
            runs[i] += 1.0
        terms += [(c, made[i]) for i, c in runs.items()]
        if p in excess:
            terms.append((-1.0, excess[p]))
        return linear(terms) <= 0.0

    return cap


def _cap_row(ix: ModelIndex, k: tuple) -> Row:
    cap = ix.caps[k[0]]
    pol = cap.policy
    whose = f"{pol.buyer}'s" if pol.buyer else "the coalition's"
    when = f"in {cap.period}" if cap.period else "over the horizon"
    return Row(f"{pol.kind} '{pol.name}'", f"at most {pol.share:.0%} of {whose} {pol.material}"
               f" purchases {when} from {pol.target}", pol.src,
               f"allow more from {pol.target} under this cap", pol.buyer or "coalition",
               pol.material, cap.period or "horizon", pol.share)


def _cap_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    cap = ix.caps[k[0]]
    pol = cap.policy
    counted = float(np.asarray(b.bought)[list(cap.counted)].sum())
    whose = f"{pol.buyer}'s" if pol.buyer else "the coalition's"
    when = f"in {cap.period}" if cap.period else "over the horizon"
    return (f"{whose} {pol.share:.0%} cap on {pol.target} for {pol.material} {when} costs "
            f"{price:,.0f} {b.currency} per {ix.unit} it moves away from {pol.target}; loosening "
            f"it by one percentage point saves about {price * 0.01 * counted:,.0f} {b.currency}")


SHARE_CAP = Family("diversification cap", "5, 9", "share_cap", Sense.LE, "Policies",
                   add_diversification, _cap_row, _cap_binding)
