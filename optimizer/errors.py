"""Errors every layer may raise: located input problems and the one exception family.

Every problem found in a workbook becomes an :class:`Issue` with a stable code, the
sheet, Excel row and column it sits in, the value found and what was expected. The
validator collects all of them before anything fails (Calliope's ``_check_inputs``,
frictionless' ``CellError``), and the CLI renders them as a table or as JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# Stable issue codes and what each means. Tests cover every code; docs list them.
CODES: dict[str, str] = {
    # The file itself
    "file-not-found": "the scenario file does not exist",
    "file-unreadable": "the file cannot be opened (permissions, a name too long)",
    "file-empty": "the file has no content",
    "file-legacy-xls": "a legacy Excel 97-2003 .xls file",
    "file-ods": "an OpenDocument spreadsheet (.ods)",
    "file-csv": "a text or CSV file, not a workbook",
    "file-not-spreadsheet": "not a spreadsheet at all",
    "file-truncated": "a damaged or truncated workbook",
    "file-encrypted": "a password-protected workbook",
    "file-too-large": "the workbook unpacks to more than is safe to read (zip bomb guard)",
    "file-unsafe-xml": "the workbook's XML declares entities (billion laughs, external entities)",
    "file-macros": "the workbook carries macros; they are never run",
    # Sheets and headers
    "sheet-missing": "a required sheet is missing",
    "sheet-unknown": "a sheet that is not part of the format; it is ignored",
    "sheet-duplicate": "two sheets whose names match the same format sheet",
    "sheet-hidden": "a format sheet is hidden",
    "sheet-empty": "a sheet has no header row",
    "column-missing": "a required column is missing",
    "column-unknown": "a column that is not part of the format; it is ignored",
    "column-duplicate": "two columns whose headers match the same format column",
    "column-no-header": "values in a column without a header",
    "cells-merged": "merged cells in a data sheet",
    "formula-no-value": "a formula cell with no stored result",
    "formula-recalculated": "formula cells without stored results were recalculated",
    "formula-error": "a cell holds a spreadsheet error such as #DIV/0!",
    # Cell values
    "value-required": "a required cell is blank",
    "value-not-number": "a number was expected",
    "value-not-integer": "a whole number was expected",
    "value-out-of-range": "a number outside its allowed range",
    "value-not-yes-no": "yes or no was expected",
    "value-not-choice": "one of a fixed set of words was expected",
    "value-not-label": "a name or label was expected",
    "key-duplicate": "two rows describe the same thing",
    "ref-unknown": "a name that is not defined on the sheet it refers to",
    "setting-unknown": "a setting name that does not exist",
    # Rules across rows and sheets
    "wide-period-unknown": "a wide-layout column header that is not a period",
    "offtake-above-capacity": "a minimum offtake larger than the capacity offered",
    "tier-price-decreasing": "a higher price tier that is cheaper than a lower one",
    "deal-without-offers": "a deal that no Supply row names: nothing to sign",
    "deal-supplier-mismatch": "a Supply row naming a deal of another supplier",
    "deal-mixed-offers": "one supplier's offer of a material in a period mixes deal and "
                         "ordinary rows, or two deals",
    "discount-without-offer": "a discount on an offer the Supply sheet does not make",
    "discount-on-tiers": "a discount on an offer with several price tiers",
    "discount-not-falling": "a discount price that is not below the one before it",
    "discount-inconsistent": "discounts of one supplier and material that mix basis or "
                             "type, or horizon breaks that differ by period",
    "facility-is-supplier": "a facility (Processing sheet) named like a supplier",
    "processing-inconsistent": "rows of one recipe (facility, output and period) that differ "
                               "in capacity, fee, lead time or deal, or rows of one facility "
                               "in different countries",
    "recipe-input-is-output": "a recipe that uses its own output as an input",
    "recipe-cycle": "recipes that make a material out of itself through other materials "
                    "(A from B and B from A)",
    "recipe-stage-order": "a recipe input at a later stage than its output",
    "processing-never-finishes": "a facility whose lead time reaches past the last period "
    "from every period it has a recipe: it can make nothing within the horizon (a "
    "warning)",
    "facility-no-capacity": "a facility that can make an output in no period: its capacity "
                            "is 0 in every one",
    "policy-stage-mismatch": "a cap at a stage on a material of another stage, or of none",
    "level-min-above-max": "a stockpile floor above the ceiling",
    "share-target-unknown": "a policy target that is not a supplier or country",
    "sharing-self": "a sharing row from a buyer to itself",
    "disruption-target": "a disruption row needs exactly one of supplier and country",
    "disruption-period-order": "a disruption that ends before it starts",
    "probability-inconsistent": "rows of one disruption scenario give different probabilities",
    "probability-sum": "disruption probabilities add up to more than 1",
    "no-demand": "no demand anywhere: there is nothing to plan",
    # Plausibility: valid values far outside what the rest of the workbook allows
    "demand-beyond-supply": "a demand larger than all the material that could be there by then",
    "budget-buys-nothing": "a budget below the landed price of one unit of anything",
    # Strategies
    "strategy-reserved": "a strategy named base (the base workbook is always 'base')",
    "strategy-sheet-unknown": "a strategy names a sheet that is not in the format",
    "strategy-column-unknown": "a strategy names a column or setting that does not exist",
    "strategy-where-invalid": "a strategy 'where' that is not key=value; key=value",
    "strategy-where-key-unknown": "a strategy 'where' key that is not a column of the sheet",
    "strategy-where-no-match": "a strategy 'where' that matches no row",
    "strategy-value-invalid": "a strategy value of the wrong type for its column",
    "strategy-conflict": "one strategy sets the same cell twice to different values",
    "strategy-invalid": "applying a strategy makes the scenario invalid",
}


@dataclass(frozen=True)
class Issue:
    """One located problem in a scenario workbook."""

    code: str
    severity: Severity
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a typo here would make codes unstable
            raise ValueError(f"unknown issue code {self.code!r}")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        parts = [p for p in (self.sheet, _row_text(self.row), self.column) if p]
        return ", ".join(parts) if parts else "file"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["value"] = _jsonable(self.value)
        return d

    @property
    def value_text(self) -> str:
        """The value found as the planner typed it ('' when there is none)."""
        return "" if self.value is None else as_typed(self.value)

    def one_line(self) -> str:
        found = "" if self.value is None else f" (found {_shown(self.value)})"
        where = f"{self.location}: " if self.sheet else ""
        return f"{self.severity}: {where}{self.message}{found}"


def error(code: str, message: str, **where: Any) -> Issue:
    return Issue(code, Severity.ERROR, message, **where)


def warning(code: str, message: str, **where: Any) -> Issue:
    return Issue(code, Severity.WARNING, message, **where)


class CoprocureError(Exception):
    """Base of every error that reaches the user as a message and an exit code."""

    exit_code = 1


class InputError(CoprocureError):
    """The scenario cannot be used; ``issues`` says every reason, located."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errors = [i for i in issues if i.is_error]
        first = errors[0].one_line() if errors else "invalid input"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class Infeasible(CoprocureError):
    """The rules of a valid scenario cannot all be met (or it cannot be planned at all)."""

    exit_code = 1


class SolverFailed(CoprocureError):
    """The run could not complete: solver failure, or a time limit without a plan."""

    exit_code = 3


class Terminated(BaseException):
    """SIGTERM: the run stops as on Ctrl-C, cleaning up as it unwinds (exit 143).

    A BaseException like KeyboardInterrupt, so that no ``except Exception`` takes it for a
    failed job; not a KeyboardInterrupt, which Click would turn into "Aborted!", exit 1.
    """


def _row_text(row: int | None) -> str | None:
    return None if row is None else f"row {row}"


def as_typed(value: Any) -> str:
    """A cell value as the planner typed it: spreadsheet readers hand every number over as
    a float, so a whole number loses its ``.0`` (65, not 65.0), real decimals stay, and
    no more digits are shown than Excel keeps (15 significant)."""
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _number_text(x: float) -> str:
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.15g}"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else as_typed(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: Any) -> Any:
    """Numbers stay numbers, a whole float becomes an int (65, not 65.0); what JSON cannot
    hold (NaN, infinity, dates) becomes text."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
