"""Build the joint procurement LP: reads like a table of contents of SPEC section 3.

``build_model(data)`` is a pure function of validated :class:`~models.data.ScenarioData`:
index sets first (sparse), then variables, then each constraint family of
:data:`models.families.FAMILIES` in order, then the objective. Coordination modes other
than ``joint`` are data transformations done by the application (each partner alone on
its share of every offer), so the formulation is the same for all.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.constraints.deals import add_signing
from models.constraints.discounts import add_discounts
from models.data import ScenarioData
from models.families import FAMILIES
from models.index import ModelIndex, build_index
from models.objective import add_objective


def build_model(data: ScenarioData, ix: ModelIndex | None = None,
                model: pyo.ConcreteModel | None = None) -> pyo.ConcreteModel:
    """The LP of ``data``; built into ``model`` when given (one that already holds the
    fixed variable a parametric index refers to)."""
    ix = ix if ix is not None else build_index(data)
    m = model if model is not None else pyo.ConcreteModel(name=data.settings.name)
    m.ix = ix  # the index the model was built from, for mapping results back
    add_variables(m, ix)
    for family in FAMILIES:      # models/families.py: the table of contents of SPEC 3
        if family.add is not None:
            family.add(m, ix)
    add_objective(m, ix)         # named cost components, discounted
    return m


def add_variables(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """Purchases, deal signing, stock and shortfall; the families add their own auxiliary
    variables.

    Purchases are indexed by their position in ``ix.arcs`` (a range, not a set of
    5-tuples: hashing and normalising 5-tuple keys cost more than the rows they feed), and
    ``m.purchases`` lists them in that order so that the families take them by position.
    """
    m.ARCS = pyo.RangeSet(0, len(ix.arcs) - 1)
    m.buy = pyo.Var(m.ARCS, domain=pyo.NonNegativeReals)
    m.purchases = list(m.buy.values())
    add_signing(m, ix)  # family 10: one binary per deal, used by the supply rows
    add_discounts(m, ix)  # family 11: purchases split by price bracket, used by budgets
    m.STOCK = pyo.Set(initialize=[(b, mat, t) for b, mat in ix.stock_keys for t in ix.periods],
                      dimen=3, ordered=True)
    m.stock = pyo.Var(m.STOCK, domain=pyo.NonNegativeReals)
    m.SHORT = pyo.Set(initialize=list(ix.demand), dimen=3, ordered=True)
    m.short = pyo.Var(m.SHORT, bounds=lambda m, b, mat, t: (0, ix.demand[b, mat, t]))
