r"""Family 8: stock sharing between partners (joint coordination only).

.. math::

    0 \le z_{g,r,m,t} \le \mathit{max}_{g,r,m}

Transfers enter both partners' stock balances in the period they happen
(:mod:`models.constraints.stock`) and cost :math:`\mathit{cost}_{g,r,m}` per unit
(:mod:`models.objective`). The limit is a variable bound: it involves one variable.

=====================  ==============================  ===========================
symbol                 meaning                         Pyomo
=====================  ==============================  ===========================
:math:`z_{g,r,m,t}`    moved from g to r               ``m.transfer[g, r, mat, t]``
=====================  ==============================  ===========================
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.family import Family, Row, Sense
from models.index import ModelIndex


def add_sharing(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    m.TRANSFERS = pyo.Set(initialize=ix.transfers, dimen=4, ordered=True)
    m.transfer = pyo.Var(m.TRANSFERS, domain=pyo.NonNegativeReals,
                         bounds=lambda m, g, r, mat, t: (0, ix.transfer_limit[g, r, mat]))


def _limit_row(ix: ModelIndex, k: tuple) -> Row:
    g, r, mat, t = k
    return Row("sharing limit", f"at most {ix.transfer_limit[(g, r, mat)]:,.6g} {ix.unit} of "
               f"{mat} may move from {g} to {r} in {t}", ix.src.get(("sharing", g, r, mat), ""),
               "raise the sharing limit", r, mat, t, ix.transfer_limit[(g, r, mat)])


SHARING_LIMIT = Family(
    "sharing limit", "8", "transfer", Sense.LE, "Sharing", add_sharing, _limit_row,
    unreported="a bound on one variable, not a row: its value shows in the Transfers sheet",
    bound=True)
