"""Every constraint family of the formulation, in build order: the one list that the model
build, the diagnosis of an infeasible scenario and the shadow-price report iterate over.

Order matters for the build: sharing creates the transfers and processing the runs that
the stock balance moves,
and the report lists binding rules in this order.
"""

from __future__ import annotations

from models.constraints.budget import BUDGET
from models.constraints.diversification import SHARE_CAP
from models.constraints.processing import PROCESS_CAPACITY
from models.constraints.sharing import SHARING_LIMIT
from models.constraints.stock import BALANCE, SHORTFALL
from models.constraints.stockpile import CEILING, FLOOR
from models.constraints.supply import CAPACITY, MIN_OFFTAKE
from models.family import Family

FAMILIES: tuple[Family, ...] = (
    CAPACITY,       # 1: pooled capacity with tiers
    MIN_OFFTAKE,    # 2: take-or-pay minimum
    SHORTFALL,      # 3: a shortfall is at most the demand (a bound, built with the variables)
    SHARING_LIMIT,  # 8: transfers between partners (bounds), used by the stock balance
    PROCESS_CAPACITY,  # 15: processing by recipe, used by the stock balance
    BALANCE,        # 3: stock balance with lead times (7: routes are in the index)
    FLOOR,          # 4: strategic reserve
    CEILING,        # 4: storage capacity
    SHARE_CAP,      # 5, 9: supplier/country/origin caps, hard or soft
    BUDGET,         # 6: budgets
)

BY_COMPONENT: dict[str, Family] = {f.component: f for f in FAMILIES}
