"""Raw sheets -> typed rows, cell by cell, collecting every located problem.

Each data row becomes a :class:`Row` holding parsed values by format column and the
Excel column letter of each, so later checks (references, duplicates, rules across
sheets, strategies) can still point at the exact cell. The wide layout of Supply and
Demand (one column per period) is unfolded here into ordinary rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.errors import Issue, error, warning
from optimizer.workbook.fields import STAR, CellProblem, Column, is_blank, label, parse_cell
from optimizer.workbook.read import SPREADSHEET_ERRORS, RawSheet, RawWorkbook, col_letter, suggest
from optimizer.workbook.schema import ANNOTATIONS, SETTING_BY_NAME, SHEET_BY_NAME, SHEETS, SheetName

ANNOTATION_NAMES = tuple(c.name for c in ANNOTATIONS)
# The columns a row of each format sheet may be asked for. A row of another "sheet" (a
# sweep's --vary, read like a Strategies row) knows the columns it was made with.
_KNOWN: dict[str, frozenset[str]] = {}


class Values(dict[str, Any]):
    """A row's values by format column. Asking for a column its sheet does not have is a
    bug in coprocure (a misspelt name), so it fails loudly here instead of reading as a
    blank cell; a column the sheet has but the row left blank reads as its default."""

    __slots__ = ("known", "sheet")

    def __init__(self, sheet: str, values: dict[str, Any], known: frozenset[str]):
        super().__init__(values)
        self.sheet = sheet
        self.known = known

    def __missing__(self, column: str) -> Any:
        raise KeyError(self._unknown(column) if column not in self.known else
                       f"column {column!r} of {self.sheet} has no value in this row")

    def get(self, column: str, default: Any = None) -> Any:
        if column not in self.known and column not in self:
            raise KeyError(self._unknown(column))
        return super().get(column, default)

    def _unknown(self, column: str) -> str:
        return f"{column!r} is not a column of the {self.sheet} sheet"

    def __reduce__(self) -> tuple:
        return (Values, (self.sheet, dict(self), self.known))


def _known_columns(sheet: str) -> frozenset[str]:
    spec = SHEET_BY_NAME.get(sheet)
    names = spec.column_names if spec is not None else ()
    return frozenset(names) | frozenset(ANNOTATION_NAMES)


@dataclass(frozen=True)
class Row:
    """One typed data row: values by format column (blank -> the column's default)."""

    sheet: str
    row: int | None  # Excel row; None for a row a strategy added (a setting not listed)
    values: dict[str, Any]
    letters: dict[str, str] = field(default_factory=dict)  # format column -> Excel column
    given: frozenset[str] = frozenset()  # columns whose cell was not blank

    def __post_init__(self) -> None:
        if not isinstance(self.values, Values):
            known = _KNOWN.get(self.sheet) or _known_columns(self.sheet) | set(self.values)
            object.__setattr__(self, "values", Values(self.sheet, self.values, known))

    @property
    def src(self) -> str:
        return f"{self.sheet}!{self.row}" if self.row is not None else self.sheet

    def where(self, column: str) -> dict[str, Any]:
        """Location keywords for an issue about ``column`` of this row."""
        return {"sheet": self.sheet, "row": self.row, "column": self.letters.get(column, column)}

    def with_value(self, column: str, value: Any) -> Row:
        values = dict(self.values)
        values[column] = value
        return replace(self, values=values, given=self.given | {column})


_KNOWN.update({s.name: _known_columns(s.name) for s in SHEETS})


@dataclass
class Tables:
    """Every format sheet as typed rows; absent optional sheets are empty lists."""

    rows: dict[str, list[Row]]
    # sheets in the file whose rows could not be read (reported as such): names on them
    # are unknowable, not missing
    unreadable: frozenset[str] = frozenset()

    def __getitem__(self, sheet: str) -> list[Row]:
        # Application code names sheets by their schema name; a misspelt one must fail
        # loudly here rather than read as an empty optional sheet.
        if sheet not in SHEET_BY_NAME:
            raise KeyError(f"{sheet!r} is not a sheet of the schema")
        return self.rows.get(sheet, [])

    def names(self, sheet: str, column: str) -> list[str]:
        if column not in SHEET_BY_NAME[sheet].column_names:
            raise KeyError(f"{column!r} is not a column of {sheet}")
        return [r.values[column] for r in self[sheet] if r.values.get(column) is not None]

    def settings(self) -> dict[str, Row]:
        return {r.values["setting"]: r for r in self[SheetName.SETTINGS]}


def parse_tables(raw: RawWorkbook) -> tuple[Tables, list[Issue]]:
    """Type every cell of every sheet; return the rows and the problems found.

    A sheet whose rows cannot be read (a required column is missing) is left out of the
    tables like a missing sheet, so that the checks that follow do not report its
    consequences (the sheet 'has no rows', every name on it 'is not on the sheet') as
    problems of their own.
    """
    issues: list[Issue] = []
    rows: dict[str, list[Row]] = {}
    periods = (_parse_sheet(raw.sheets[SheetName.PERIODS], issues, None)
               if SheetName.PERIODS in raw.sheets else None)
    period_labels = (None if periods is None else
                     [r.values["period"] for r in periods if r.values.get("period")])
    for spec in SHEETS:
        sheet = raw.sheets.get(spec.name)
        if sheet is None:
            continue
        parsed = periods if spec.name == SheetName.PERIODS else _parse_sheet(
            sheet, issues, period_labels)
        if parsed is not None:
            rows[spec.name] = parsed
    tables = Tables(rows, frozenset(s.name for s in SHEETS
                                    if s.name in raw.sheets and s.name not in rows))
    if SheetName.SETTINGS in rows:
        rows[SheetName.SETTINGS] = _parse_settings(rows[SheetName.SETTINGS], issues)
    return tables, issues


def _parse_sheet(sheet: RawSheet, issues: list[Issue],
                 period_labels: list[str] | None) -> list[Row] | None:
    """The typed rows of ``sheet``, or None when they cannot be read (``period_labels`` is
    None when the Periods sheet cannot be read)."""
    spec = sheet.spec
    if period_labels is None and spec.wide_value is not None and "period" not in sheet.columns:
        return None  # a wide layout or a missing period column: unknowable without Periods
    wide = _wide_columns(sheet, issues, period_labels or [])
    for idx, head in sheet.other.items():
        if idx not in wide.values():
            issues.append(warning(
                "column-unknown", f"column {label(head)!r} is not part of sheet {spec.name} and "
                f"is ignored{suggest(label(head), spec.column_names)}", sheet=sheet.title,
                row=sheet.header_row, column=col_letter(idx), value=head))
    missing = [c for c in spec.columns if c.required and c.name not in sheet.columns
               and not (wide and c.name in ("period", spec.wide_value))]
    for col in missing:
        issues.append(error("column-missing", f"required column {col.name} is missing",
                            sheet=sheet.title, row=sheet.header_row))
    if missing:
        return None
    out: list[Row] = []
    for excel_row, cells in sheet.rows:
        base = _parse_row(sheet, excel_row, cells, issues)
        if not wide:
            out.append(base)
            continue
        assert spec.wide_value is not None  # _wide_columns finds none without it
        for period, idx in wide.items():
            value = cells[idx] if idx < len(cells) else None
            if is_blank(value):
                continue
            col = spec.column(spec.wide_value)
            parsed = _parse_value(sheet, col, value, excel_row, col_letter(idx), issues)
            letters = dict(base.letters, period=col_letter(idx))
            letters[spec.wide_value] = col_letter(idx)
            values = dict(base.values, period=period)
            values[spec.wide_value] = parsed
            out.append(Row(spec.name, excel_row, values, letters,
                           base.given | {"period", spec.wide_value}))
    return out


def _wide_columns(sheet: RawSheet, issues: list[Issue], periods: list[str]) -> dict[str, int]:
    """Period label -> column index, when the sheet uses the wide layout."""
    spec = sheet.spec
    if spec.wide_value is None or "period" in sheet.columns or not periods:
        return {}
    wide = {label(h): i for i, h in sheet.other.items() if label(h) in periods}
    if wide and spec.wide_value in sheet.columns:
        issues.append(error(
            "wide-period-unknown", f"sheet {spec.name} has both a {spec.wide_value} column "
            "and period columns: use one layout", sheet=sheet.title, row=sheet.header_row,
            column=col_letter(sheet.columns[spec.wide_value])))
        return {}
    if wide:
        for idx, head in sheet.other.items():
            text = label(head)
            if idx not in wide.values() and text[:1].isdigit():
                issues.append(error(
                    "wide-period-unknown", f"column {text!r} looks like a period but is not "
                    f"on the Periods sheet{suggest(text, periods)}", sheet=sheet.title,
                    row=sheet.header_row, column=col_letter(idx), value=head))
    return wide


def _parse_row(sheet: RawSheet, excel_row: int, cells: list[Any],
               issues: list[Issue]) -> Row:
    values: dict[str, Any] = {}
    letters: dict[str, str] = {}
    given: set[str] = set()
    for col in sheet.spec.columns + ANNOTATIONS:
        idx = sheet.columns.get(col.name)
        letters[col.name] = col_letter(idx) if idx is not None else col.name
        raw = cells[idx] if idx is not None and idx < len(cells) else None
        if is_blank(raw):
            if col.required and idx is not None:
                issues.append(error("value-required", f"{col.name} is required",
                                    sheet=sheet.title, row=excel_row, column=letters[col.name],
                                    expected=col.expected()))
            values[col.name] = col.default
            continue
        given.add(col.name)
        values[col.name] = _parse_value(sheet, col, raw, excel_row, letters[col.name], issues)
    return Row(sheet.spec.name, excel_row, values, letters, frozenset(given))


def _parse_value(sheet: RawSheet, col: Column, raw: Any, excel_row: int, letter: str,
                 issues: list[Issue]) -> Any:
    if isinstance(raw, str) and raw.strip() in SPREADSHEET_ERRORS:
        issues.append(error("formula-error", f"the cell holds the spreadsheet error {raw}: fix "
                            "the formula", sheet=sheet.title, row=excel_row, column=letter,
                            value=raw, expected=col.expected()))
        return col.default
    try:
        value = parse_cell(col, raw)
    except CellProblem as exc:
        issues.append(error(exc.code, str(exc), sheet=sheet.title, row=excel_row, column=letter,
                            value=raw, expected=col.expected()))
        return col.default
    if col.ref is not None and col.ref.star and value == STAR:
        return STAR
    return value


def _parse_settings(rows: list[Row], issues: list[Issue]) -> list[Row]:
    """Give each setting's value its own type; unknown settings are located errors."""
    out = []
    for row in rows:
        name = row.values.get("setting")
        if name is None:
            continue
        key = name.strip().lower().replace(" ", "_")
        setting = SETTING_BY_NAME.get(key)
        if setting is None:
            issues.append(error("setting-unknown", f"unknown setting {name!r}"
                                f"{suggest(name, list(SETTING_BY_NAME))}", **row.where("setting"),
                                value=name))
            continue
        value = parse_setting(setting.column, row.values.get("value"), issues, row)
        notes = {a: row.values.get(a) for a in ANNOTATION_NAMES}
        out.append(Row(row.sheet, row.row, {"setting": key, "value": value, **notes},
                       row.letters, row.given))
    return out


def parse_setting(col: Column, raw: Any, issues: list[Issue], row: Row) -> Any:
    if is_blank(raw):
        return col.default
    try:
        return parse_cell(col, raw)
    except CellProblem as exc:
        issues.append(error(exc.code, str(exc).replace("value", row.values.get("setting", "")),
                            **row.where("value"), value=raw, expected=col.expected()))
        return col.default
