r"""Family 3: stock balance per buyer, material and period, with lead times and sharing.

.. math::

    I_{b,m,t} = I_{b,m,t-1} + \sum_{(s,k,\tau):\ \tau + L_{s,b} = t} x_{b,s,m,\tau,k}
        + \sum_{g} z_{g,b,m,t} - \sum_{r} z_{b,r,m,t} - (d_{b,m,t} - u_{b,m,t})

with :math:`I_{b,m,t_0-1}` the initial stock and :math:`0 \le u_{b,m,t} \le d_{b,m,t}`
(a shortfall never creates stock).

=================  ================================  =============================
symbol             meaning                           Pyomo
=================  ================================  =============================
:math:`I_{b,m,t}`  closing stock                     ``m.stock[b, mat, t]``
:math:`u_{b,m,t}`  shortfall (unmet demand)          ``m.short[b, mat, t]``
:math:`z_{g,r,m,t}`  transfer from g to r            ``m.transfer[g, r, mat, t]``
:math:`d_{b,m,t}`  demand                            ``ix.demand``
:math:`L_{s,b}`    lead time of the route, periods   ``ix.lead``
(row)              the balance                       ``m.balance[b, mat, t]``
=================  ================================  =============================
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from models.expr import linear
from models.index import ModelIndex


def add_stock_balance(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    arrivals = defaultdict(list)
    for arc, var in zip(ix.arcs, m.purchases, strict=True):
        arrivals[(arc[0], arc[2], ix.arrival[arc])].append(var)
    flows_in, flows_out = defaultdict(list), defaultdict(list)
    for key in ix.transfers:
        g, r, mat, t = key
        flows_in[(r, mat, t)].append(key)
        flows_out[(g, mat, t)].append(key)

    stock = dict(zip(m.STOCK, m.stock.values(), strict=True))
    short = dict(zip(m.SHORT, m.short.values(), strict=True))
    moved = dict(zip(m.TRANSFERS, m.transfer.values(), strict=True))

    def balance(m: pyo.ConcreteModel, b: str, mat: str, t: str):
        i = ix.position[t]
        terms = [(1.0, stock[b, mat, t])]
        if i > 0:
            terms.append((-1.0, stock[b, mat, ix.periods[i - 1]]))
        terms += [(-1.0, v) for v in arrivals[(b, mat, t)]]
        terms += [(-1.0, moved[k]) for k in flows_in[(b, mat, t)]]
        terms += [(1.0, moved[k]) for k in flows_out[(b, mat, t)]]
        d = ix.demand.get((b, mat, t), 0.0)
        if d > 0:
            terms.append((-1.0, short[b, mat, t]))
        rhs = -d + (ix.initial.get((b, mat), 0.0) if i == 0 else 0.0)
        return linear(terms) == rhs

    m.balance = pyo.Constraint(m.STOCK, rule=balance)
