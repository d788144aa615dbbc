r"""Family 10: deals, all or nothing (SPEC 3.1).

A deal (a bankable offtake, a prepayment or stake in a new mine or plant) is signed as a
whole or not at all: one binary :math:`w_d` per deal of the planning unit. Its offers
exist only if it is signed, so the capacity and minimum offtake rows of its tranches
(families 1 and 2, :mod:`models.constraints.supply`) carry it:

.. math::

    \sum_b x_{b,s,m,t,k} \le \mathit{cap}_{s,m,t,k}\, w_d \qquad
    \sum_{b,k} x_{b,s,m,t,k} \ge \mathit{offtake}_{s,m,t}\, w_d
    \qquad (s,m,t) \in \text{offers of } d

The deal's capacity times its binary, never an arbitrary big-M: the LP relaxation is as
tight as the data allows. Signing costs the upfront cost :math:`U_d` in the first period
of its term and the fixed cost :math:`F_d` in each period of it, discounted like every
other cost of that period:

.. math::

    \text{deal cost} = \sum_d w_d \Big( \delta_{t_0(d)} U_d + \sum_{t \in \mathit{term}(d)}
        \delta_t F_d \Big)

In a budget the coalition's deal costs are split between the partners by their shares
of the horizon demand for the deal's materials (``DealTerms.part``). Signing is a first
stage decision in robust planning (:mod:`models.stochastic`). Who may sign which deal in
which coordination mode is decided by the application: the data a planning unit gets
holds only the deals it may sign.

=====================  ==============================  ==========================
symbol                 meaning                         Pyomo
=====================  ==============================  ==========================
:math:`w_d`            deal d signed                   ``m.sign[d]``
:math:`U_d, F_d`       upfront and fixed cost          ``ix.deals[d]``
:math:`term(d)`        periods of its Supply rows      ``ix.deals[d].term``
=====================  ==============================  ==========================
"""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.environ as pyo

from models.index import ModelIndex

Terms = list[tuple[float, object]]


def add_signing(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """One binary per deal with an offer; ``m.sign`` is empty without deals (an LP)."""
    m.DEALS = pyo.Set(initialize=list(ix.deals), ordered=True)
    m.sign = pyo.Var(m.DEALS, domain=pyo.Binary)


def signed(m: pyo.ConcreteModel, deal: str | None) -> object | None:
    """The signing variable that an offer of ``deal`` scales with; None for an ordinary
    offer."""
    return None if deal is None else m.sign[deal]


def deal_terms(ix: ModelIndex, sign: Iterable[tuple[str, object]]) -> Terms:
    """The discounted cost of signing each deal."""
    d = ix.discount
    return [(sum(d[t] * ix.deals[name].cost(t) for t in ix.deals[name].term), w)
            for name, w in sign]


def deal_spend(ix: ModelIndex, sign: Iterable[tuple[str, object]]
               ) -> dict[tuple[str, str], Terms]:
    """(buyer, period) -> the money its part of each signed deal costs in that period,
    for budgets."""
    out: dict[tuple[str, str], Terms] = {}
    for name, w in sign:
        terms = ix.deals[name]
        for t in terms.term:
            for b, part in terms.part.items():
                out.setdefault((b, t), []).append((part * terms.cost(t), w))
    return out
