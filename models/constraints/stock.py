r"""Family 3: stock balance per buyer, material and period, with lead times and sharing.

.. math::

    I_{b,m,t} = I_{b,m,t-1} + \sum_{(s,k,\tau):\ \tau + L_{s,b} = t} x_{b,s,m,\tau,k}
        + \sum_{g} z_{g,b,m,t} - \sum_{r} z_{b,r,m,t} - (d_{b,m,t} - u_{b,m,t})
        + P_{b,m,t}

with :math:`P_{b,m,t}` what processing adds and draws (family 15,
:mod:`models.constraints.processing`), :math:`I_{b,m,t_0-1}` the initial stock and
:math:`0 \le u_{b,m,t} \le d_{b,m,t}` (a shortfall never creates stock).

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
from collections.abc import Callable

import pyomo.environ as pyo

from models.constraints.processing import process_flows
from models.expr import PyomoExpr, linear
from models.family import Family, Row, Sense
from models.index import ModelIndex


def add_stock_balance(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    arrivals = defaultdict(list)
    for arc, var in zip(ix.arcs, m.purchases, strict=True):
        arrivals[(arc[0], arc[2], ix.arrival[arc])].append((1.0, var))
    for key, terms in process_flows(ix, m.processing).items():  # family 15
        arrivals[key] += terms
    stock = dict(zip(m.STOCK, m.stock.values(), strict=True))
    short = dict(zip(m.SHORT, m.short.values(), strict=True))
    moved = dict(zip(m.TRANSFERS, m.transfer.values(), strict=True))
    m.balance = pyo.Constraint(m.STOCK, rule=balance_rule(ix, stock, short, moved, arrivals))


def balance_rule(ix: ModelIndex, stock: dict, short: dict, moved: dict,
                 arrivals: dict[tuple[str, str, str], list[tuple[float, object]]]) -> Callable:
    """The balance row of key (b, m, t): shared by the plan and by every scenario of the
    extensive form (:mod:`models.stochastic`), whose arrivals scale contracts by a
    capacity factor and add spot purchases.

    ``stock``, ``short`` and ``moved`` map keys to their variables; ``arrivals`` maps
    (b, m, t) to (coefficient, variable) pairs of what arrives then, processing included
    (its inputs with negative coefficients, :func:`models.constraints.processing.process_flows`).
    """
    flows_in, flows_out = defaultdict(list), defaultdict(list)
    for key, var in moved.items():
        g, r, mat, t = key
        flows_in[(r, mat, t)].append(var)
        flows_out[(g, mat, t)].append(var)

    def balance(_: pyo.Block, b: str, mat: str, t: str) -> PyomoExpr:
        i = ix.position[t]
        terms = [(1.0, stock[b, mat, t])]
        if i > 0:
            terms.append((-1.0, stock[b, mat, ix.periods[i - 1]]))
        terms += [(-c, v) for c, v in arrivals[(b, mat, t)]]
        terms += [(-1.0, v) for v in flows_in[(b, mat, t)]]
        terms += [(1.0, v) for v in flows_out[(b, mat, t)]]
        d = ix.demand.get((b, mat, t), 0.0)
        if d > 0:
            terms.append((-1.0, short[b, mat, t]))
        rhs = -d + (ix.initial.get((b, mat), 0.0) if i == 0 else 0.0)
        return linear(terms) == rhs

    return balance


def _balance_row(ix: ModelIndex, k: tuple) -> Row:
    b, mat, t = k
    return Row("stock balance", f"{b}'s {mat} stock in {t}: opening + arrivals + transfers - "
               f"(demand {ix.demand.get(k, 0.0):,.6g} - shortfall) = closing", "",
               "(a physical balance: never relaxed)", b, mat, t, ix.demand.get(k, 0.0))


def _shortfall_row(ix: ModelIndex, k: tuple) -> Row:
    b, mat, t = k
    return Row("shortfall", f"{b} cannot run short of more than its {mat} demand in {t} "
               f"({ix.demand[k]:,.6g} {ix.unit}): running short never creates stock", "",
               "(built in: never relaxed)", b, mat, t, ix.demand[k])


BALANCE = Family(
    "stock balance", "3", "balance", Sense.EQ, "Demand", add_stock_balance, _balance_row,
    unreported="a physical balance always holds with equality: its dual is the value of one "
    "more unit of the material, not the price of a rule that could be loosened")
SHORTFALL = Family(
    "shortfall", "3", "short", Sense.LE, "Demand", None, _shortfall_row,
    unreported="a bound built into the model (a shortfall never creates stock): never "
    "loosened", bound=True)
