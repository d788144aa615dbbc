"""Binding rules and their shadow prices, said in the planner's words.

A shadow price is what one more unit of a rule's limit would change the total cost by
(present value when a discount rate is set). HiGHS reports d(objective)/d(bound): a
binding `<=` row has a dual <= 0 and a binding `>=` row a dual >= 0; the sign is turned
here into "saves" or "costs" so that nobody has to know the convention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.data import ScenarioData
from models.families import FAMILIES
from models.family import Binding, Sense
from optimizer.solving.highs import Outcome

if TYPE_CHECKING:
    from pyomo.core.base.indexed_component import IndexedComponent

EPS = 1e-7
COLUMNS = ["rule", "workbook_row", "buyer", "material", "period", "limit", "shadow_price",
           "explanation"]


def constraint_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome) -> pd.DataFrame:
    """Every binding row of every family that reports a shadow price, in registry order."""
    if outcome.row_dual is None:
        return pd.DataFrame(columns=COLUMNS)
    ix = m.ix
    context = Binding(outcome.values(m.buy), data.settings.currency)
    rows: list[dict] = []
    for family in FAMILIES:
        if family.explain is None:
            continue
        component = family.rows(m)
        # HiGHS: a binding <= row has a dual <= 0, a >= row one >= 0 (module docstring)
        duals = outcome.duals(component) * (-1.0 if family.sense is Sense.LE else 1.0)
        for key, price in _binding(component, duals):
            key = family.key(key)
            row = family.row(ix, key)
            rows.append({"rule": row.rule, "workbook_row": row.workbook_row,
                         "buyer": row.buyer, "material": row.material, "period": row.period,
                         "limit": row.limit, "shadow_price": price,
                         "explanation": family.explain(ix, key, price, context)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _binding(index: IndexedComponent, duals: np.ndarray) -> list[tuple]:
    """(key, dual) for the members of a constraint family whose dual is not zero."""
    keys = list(index)
    return [(keys[i], float(duals[i])) for i in np.flatnonzero(duals > EPS)]
