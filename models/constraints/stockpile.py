r"""Family 4: strategic stockpile floor and storage ceiling (holding cost: objective).

.. math::

    I_{b,m,t} \ge \max\left(\mathit{min\_level}_{b,m,t},\ \mathit{min\_days}_{b,m,t}
        \cdot \frac{d_{b,m,t}}{\mathit{days}_t}\right) \qquad
    I_{b,m,t} \le \mathit{max\_level}_{b,m,t}

=================  =============================  ===========================
symbol             meaning                        Pyomo
=================  =============================  ===========================
:math:`I_{b,m,t}`  closing stock                  ``m.stock[b, mat, t]``
floor              strategic reserve              ``ix.floor``, row ``m.floor``
ceiling            storage capacity               ``ix.ceiling``, row ``m.ceiling``
=================  =============================  ===========================

Both are rows rather than variable bounds so that their shadow prices are reported
in the planner's terms and a diagnosis can name the Stockpile row.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index import ModelIndex


def add_stockpile(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    m.FLOOR = pyo.Set(initialize=list(ix.floor), dimen=3, ordered=True)
    m.floor = pyo.Constraint(m.FLOOR, rule=lambda m, *k: m.stock[k] >= ix.floor[k])
    m.CEILING = pyo.Set(initialize=list(ix.ceiling), dimen=3, ordered=True)
    m.ceiling = pyo.Constraint(m.CEILING, rule=lambda m, *k: m.stock[k] <= ix.ceiling[k])
