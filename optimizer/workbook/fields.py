"""The vocabulary the workbook schema is declared in: column kinds and their parsing.

A :class:`Column` says what one column holds; :func:`parse_cell` turns one raw cell
into a typed value or says, in a planner's words, what was expected instead. Reader,
validator, template and documentation all read these declarations.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

STAR = "*"

# The largest magnitude any workbook number may have. HiGHS takes 1e20 and above as
# infinite (a demand of 1e300 made the solve fail with "Empty") and refuses matrix entries
# of 1e15 and above. Real figures stay far below 1e13: tonnages of critical materials are
# at most millions (even iron ore is 2.5e9 t a year), prices at most millions per tonne,
# budgets and deal costs billions (2e9 USD a year, a mine 1e10 USD; 1.5e12 in yen), and a
# horizon's total cost ~1e10 USD. The model multiplies one workbook number by at most
# about 10 (the default shortage penalty is 10 x the highest price; spot prices add the
# premium; landed prices add tariff and freight), which keeps 1e13 a hundred times below
# HiGHS's limit on matrix entries and a million times below its infinity.
LARGEST = 1e13


class Kind(StrEnum):
    TEXT = "text"  # free text, kept as written
    NAME = "name"  # a label: names, periods; 2026 and "2026" are the same label
    NUMBER = "number"
    INTEGER = "integer"
    BOOL = "yes/no"
    CHOICE = "choice"


@dataclass(frozen=True)
class Ref:
    """A column whose values must be names defined on another sheet."""

    sheet: str
    column: str
    star: bool = False  # `*` means "every one of them"
    also: tuple[str, ...] = ()  # further words allowed, e.g. "coalition"
    # further (sheet, column) pairs whose names are allowed too: a Disruptions `supplier`
    # may name a facility of the Processing sheet
    or_from: tuple[tuple[str, str], ...] = ()
    # without its sheet the column names things itself (Materials `stage` without a Stages
    # sheet: the order of first appearance); otherwise a name needs its sheet
    names_itself: bool = False

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """Every (sheet, column) whose names the column may hold."""
        return ((self.sheet, self.column), *self.or_from)

    def sheets_text(self) -> str:
        """Where the names come from, in words: "Suppliers or Processing"."""
        return " or ".join(dict.fromkeys(sheet for sheet, _ in self.sources))


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None
    unit: str | None = None  # "quantity", "money", "money/quantity", "fraction", ...
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    ref: Ref | None = None
    percent_ok: bool = False  # "65%" accepted as 0.65

    def expected(self) -> str:
        """What a valid cell looks like, in words."""
        if self.kind is Kind.CHOICE:
            text = "one of " + ", ".join(self.choices)
        elif self.kind is Kind.BOOL:
            text = "yes or no"
        elif self.ref is not None:
            text = f"a {self.ref.column} from {self.ref.sheet}"
            for sheet, column in self.ref.or_from:
                text += (f" or {sheet}" if column == self.ref.column
                         else f" or a {column} from {sheet}")
            extra = ([STAR] if self.ref.star else []) + list(self.ref.also)
            if extra:
                text += " or " + " or ".join(extra)
        elif self.kind in (Kind.NUMBER, Kind.INTEGER):
            text = "a whole number" if self.kind is Kind.INTEGER else "a number"
            text += _range_text(self)
        elif self.kind is Kind.NAME:
            text = "a name"
        else:
            text = "text"
        return text


def _bounds(col: Column) -> tuple[float, float]:
    """The column's own range within the largest magnitude any number may have."""
    lo = -LARGEST if col.minimum is None else max(col.minimum, -LARGEST)
    hi = LARGEST if col.maximum is None else min(col.maximum, LARGEST)
    return lo, hi


def _range_text(col: Column) -> str:
    lo, hi = _bounds(col)
    if col.min_exclusive:
        return f" > {_num(lo)} and at most {_num(hi)}"
    return f" from {_num(lo)} to {_num(hi)}"


def _num(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x:g}".replace("e+", "e")  # 1e13, as planners type it in Excel
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    key: tuple[str, ...] = ()  # columns that identify a row; duplicates are errors
    wide_value: str | None = None  # the value column of the wide layout (period columns)
    examples: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    # Rows that show how to fill the sheet without being entered in the template: its
    # small scenario is the base of many known answers, which deals, discounts or
    # processing would change (and a deal or discount makes it mixed-integer).
    illustration: tuple[dict[str, Any], ...] = field(default=(), repr=False)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Setting:
    """One row of the Settings sheet: a named value with its own type."""

    name: str
    column: Column  # kind, range, choices and default of the value


def normalise_header(text: Any) -> str:
    """Header and sheet-name matching: case, surrounding spaces, spaces vs underscores."""
    return re.sub(r"[\s_]+", "_", str(text).strip().lower())


def label(value: Any) -> str:
    """The canonical text of a label: 2026, 2026.0 and " 2026 " are all "2026"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value).strip()


class CellProblem(ValueError):
    """A cell that does not parse; ``code`` is the issue code to report."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0"}
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_cell(col: Column, value: Any) -> Any:
    """Parse one non-blank raw cell for ``col``; raise :class:`CellProblem` if it cannot."""
    kind = col.kind
    if kind is Kind.TEXT:
        return label(value)
    if kind is Kind.NAME:
        if isinstance(value, bool):
            raise CellProblem("value-not-label", f"expected {col.expected()}, found yes/no")
        return label(value)
    if kind is Kind.BOOL:
        return _parse_bool(col, value)
    if kind is Kind.CHOICE:
        return _parse_choice(col, value)
    number = _parse_number(col, value)
    if kind is Kind.INTEGER and not number.is_integer():
        raise CellProblem("value-not-integer", f"expected {col.expected()}")
    _check_range(col, number)
    return int(number) if kind is Kind.INTEGER else number


def _parse_bool(col: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = label(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellProblem("value-not-yes-no", f"{col.name} must be yes or no")


def choice_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "-", text.strip().lower())


def _parse_choice(col: Column, value: Any) -> str:
    wanted = choice_key(label(value))
    for choice in col.choices:
        if choice_key(choice) == wanted:
            return choice
    raise CellProblem("value-not-choice", f"{col.name} must be one of {', '.join(col.choices)}")


def _parse_number(col: Column, value: Any) -> float:
    if isinstance(value, bool):
        raise CellProblem("value-not-number", f"{col.name} must be a number, not yes/no")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        scale = 1.0
        if col.percent_ok and text.endswith("%"):
            text, scale = text[:-1], 0.01
        if not _NUMBER_TEXT.match(text):
            hint = (": write the bare number, without units or thousands separators"
                    if any(ch.isdigit() for ch in text) else "")
            raise CellProblem("value-not-number", f"{col.name} must be {col.expected()}{hint}")
        number = float(text) * scale
    else:
        raise CellProblem("value-not-number", f"{col.name} must be {col.expected()}")
    if not math.isfinite(number):
        raise CellProblem("value-not-number", f"{col.name} must be a finite number")
    return number


def _check_range(col: Column, number: float) -> None:
    lo, hi = _bounds(col)
    low_bad = number <= lo if col.min_exclusive else number < lo
    if low_bad or number > hi:
        hint = ""
        if col.unit == "fraction" and hi == 1.0 and 1 < number <= 100:
            hint = f": a share is a fraction, write {number / 100:g} or {number:g}%"
        elif abs(number) > LARGEST and LARGEST in (lo, hi):  # not a column's own range
            hint = (": no real quantity, price or budget is that large, and the solver would "
                    "take it for infinity")
        raise CellProblem("value-out-of-range", f"{col.name} must be{_range_text(col)}{hint}")
