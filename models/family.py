"""What a constraint family is, declared once: the type every family module fills in.

A :class:`Family` names one kind of rule of SPEC section 3 in the planner's words, the
Pyomo component that holds its rows (or, for a rule that is a variable bound, its
variable), the sense of its rows, the workbook sheet its rows come from, the function
that builds it, and how one of its rows is described: what it says (for a diagnosis),
how to loosen it, and what its shadow price means when it binds (for the report).
:data:`models.families.FAMILIES` lists them; the model build, the diagnosis and the
shadow-price report all iterate over that one list, so a new family cannot be built and
then forgotten by the other two.

The sheet is the planner's name for where the rows come from; ``models`` never reads a
workbook, and the application checks these names against its schema (tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import pyomo.environ as pyo

from models.index import ModelIndex

if TYPE_CHECKING:
    import numpy as np


class Sense(StrEnum):
    LE = "<="
    GE = ">="
    EQ = "=="

    @property
    def loosening(self) -> int:
        """+1 when the limit may rise to loosen the rule (>=: the body may fall below),
        -1 when it may fall (<=), 0 for a balance that is never relaxed."""
        return {Sense.LE: -1, Sense.GE: 1, Sense.EQ: 0}[self]


@dataclass(frozen=True)
class Row:
    """One row of a family, in the planner's words."""

    rule: str  # the kind of rule: "supplier capacity", "country-cap 'crma-65'"
    says: str  # what it says, with its numbers
    workbook_row: str  # "Stockpile!4", or "" for a rule built into the model
    bend: str  # what loosening it means: "lower the floor", ...
    buyer: str | None = None
    material: str | None = None
    period: str | None = None
    limit: float | None = None


@dataclass(frozen=True)
class Binding:
    """What a shadow-price explanation may use besides the row: the plan's purchases by
    arc of ``ix.arcs`` and the money unit."""

    bought: Sequence[float] | np.ndarray
    currency: str


@dataclass(frozen=True)
class Family:
    name: str  # the planner's words
    spec: str  # the SPEC section 3 family number(s)
    component: str  # the Pyomo component holding its rows (a Var for a bound family)
    sense: Sense
    sheet: str | None  # the workbook sheet its rows come from; None: built in
    add: Callable[[pyo.ConcreteModel, ModelIndex], None] | None  # None: built with variables
    row: Callable[[ModelIndex, tuple], Row]
    # The report's sentence for a binding row with shadow price ``price`` (> 0, in the
    # planner's direction: what one more unit of the limit saves or costs).
    explain: Callable[[ModelIndex, tuple, float, Binding], str] | None = None
    # Why no shadow price is reported, for a family without ``explain``.
    unreported: str = ""
    bound: bool = False  # a variable bound rather than a row of constraints

    @property
    def relaxable(self) -> bool:
        return self.sense is not Sense.EQ

    def rows(self, m: pyo.ConcreteModel) -> pyo.Component:
        """The family's Pyomo component in a built model."""
        return getattr(m, self.component)

    def key(self, index: object) -> tuple:
        """A component index as a tuple (single indices are not)."""
        return index if isinstance(index, tuple) else (index,)
