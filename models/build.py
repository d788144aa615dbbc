"""Build the joint procurement LP: reads like a table of contents of SPEC section 3.

``build_model(data)`` is a pure function of validated :class:`~models.data.ScenarioData`:
index sets first (sparse), then variables, then one call per constraint family, then
the objective. Coordination modes other than ``joint`` are data transformations done
by the application (each partner alone on its share of every offer), so the
formulation is the same for all.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.constraints.budget import add_budgets
from models.constraints.diversification import add_diversification
from models.constraints.sharing import add_sharing
from models.constraints.stock import add_stock_balance
from models.constraints.stockpile import add_stockpile
from models.constraints.supply import add_supply
from models.data import ScenarioData
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
    add_supply(m, ix)            # 1, 2: pooled capacity with tiers, minimum offtake
    add_sharing(m, ix)           # 8: transfers between partners
    add_stock_balance(m, ix)     # 3: stock balance with lead times (7: routes in the index)
    add_stockpile(m, ix)         # 4: floor and ceiling
    add_diversification(m, ix)   # 5, 9: supplier/country/origin caps, hard or soft
    add_budgets(m, ix)           # 6: budgets
    add_objective(m, ix)         # named cost components, discounted
    return m


def add_variables(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """Purchases, stock and shortfall; the families add their own auxiliary variables.

    Purchases are indexed by their position in ``ix.arcs`` (a range, not a set of
    5-tuples: hashing and normalising 5-tuple keys cost more than the rows they feed), and
    ``m.purchases`` lists them in that order so that the families take them by position.
    """
    m.ARCS = pyo.RangeSet(0, len(ix.arcs) - 1)
    m.buy = pyo.Var(m.ARCS, domain=pyo.NonNegativeReals)
    m.purchases = list(m.buy.values())
    m.STOCK = pyo.Set(initialize=[(b, mat, t) for b, mat in ix.stock_keys for t in ix.periods],
                      dimen=3, ordered=True)
    m.stock = pyo.Var(m.STOCK, domain=pyo.NonNegativeReals)
    m.SHORT = pyo.Set(initialize=list(ix.demand), dimen=3, ordered=True)
    m.short = pyo.Var(m.SHORT, bounds=lambda m, b, mat, t: (0, ix.demand[b, mat, t]))
