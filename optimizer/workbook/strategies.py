"""Strategies: named sets of overrides on the base workbook (SPEC 4.13).

A strategy is the base tables plus all its Strategies rows, each setting one column of
the rows of one sheet that match `where`. Applying one yields new tables, the exact
list of cells changed (old and new value), and located problems; the base tables are
never modified. `base` is always the unmodified workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.errors import Issue, error
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.fields import (
    STAR,
    CellProblem,
    Column,
    is_blank,
    label,
    normalise_header,
    parse_cell,
)
from optimizer.workbook.read import suggest
from optimizer.workbook.schema import SETTING_BY_NAME, SHEETS, SheetName

BASE = "base"


@dataclass(frozen=True)
class Change:
    """One cell a strategy overrides."""

    strategy: str
    sheet: str
    row: int | None  # Excel row of the overridden row (None: a setting the base omits)
    column: str  # format column, or the setting's name on Settings
    old: Any
    new: Any
    by_row: int | None  # the Strategies row that made the change


@dataclass(frozen=True)
class Strategy:
    name: str
    rows: tuple[Row, ...]  # its Strategies rows, in workbook order


def list_strategies(tables: Tables) -> tuple[list[Strategy], list[Issue]]:
    """Strategies in order of first appearance; `base` is implicit and reserved."""
    grouped: dict[str, list[Row]] = {}
    issues = []
    for row in tables[SheetName.STRATEGIES]:
        name = row.values.get("strategy")
        if name is None:
            continue
        if name.strip().lower() == BASE:
            issues.append(error("strategy-reserved", "'base' is the unmodified workbook; give "
                                "this strategy another name", **row.where("strategy"),
                                value=name))
            continue
        grouped.setdefault(name, []).append(row)
    return [Strategy(n, tuple(rows)) for n, rows in grouped.items()], issues


def apply_strategy(tables: Tables, strategy: Strategy) -> tuple[Tables, list[Change], list[Issue]]:
    """The tables of ``strategy``, the cells it changed, and any problem with its rows."""
    rows = {sheet: list(values) for sheet, values in tables.rows.items()}
    changes: dict[tuple, Change] = {}
    issues: list[Issue] = []
    for srow in strategy.rows:
        _apply_row(rows, strategy.name, srow, changes, issues)
    return Tables(rows, tables.unreadable), list(changes.values()), issues


def _apply_row(rows: dict[str, list[Row]], name: str, srow: Row, changes: dict[tuple, Change],
               issues: list[Issue]) -> None:
    sheet_text = srow.values.get("sheet") or ""
    spec = next((s for s in SHEETS if normalise_header(s.name) == normalise_header(sheet_text)),
                None)
    if spec is None or spec.name == SheetName.STRATEGIES:
        issues.append(error("strategy-sheet-unknown", f"sheet {sheet_text!r} cannot be "
                            f"overridden{suggest(sheet_text, [s.name for s in SHEETS])}",
                            **srow.where("sheet"), value=sheet_text))
        return
    if spec.name == SheetName.SETTINGS:
        _apply_setting(rows, name, srow, changes, issues)
        return
    col_text = srow.values.get("column") or ""
    col = next((c for c in spec.columns if normalise_header(c.name) == normalise_header(col_text)),
               None)
    if col is None:
        issues.append(error("strategy-column-unknown", f"sheet {spec.name} has no column "
                            f"{col_text!r}{suggest(col_text, spec.column_names)}",
                            **srow.where("column"), value=col_text))
        return
    conditions = _parse_where(srow, spec.column_names, issues)
    if conditions is None:
        return
    ok, value = _parse_value(col, srow, issues)
    if not ok:
        return
    matched = False
    for i, row in enumerate(rows.get(spec.name, [])):
        if all(_matches(row.values.get(k), v) for k, v in conditions.items()):
            matched = True
            _record(changes, issues, Change(name, spec.name, row.row, col.name,
                                            row.values.get(col.name), value, srow.row), srow)
            rows[spec.name][i] = row.with_value(col.name, value)
    if not matched:
        issues.append(error("strategy-where-no-match", f"no row of {spec.name} matches "
                            f"{srow.values.get('where') or '(every row)'}"
                            f"{_near_miss(rows.get(spec.name, []), conditions)}",
                            **srow.where("where"), value=srow.values.get("where")))


def _apply_setting(rows: dict[str, list[Row]], name: str, srow: Row,
                   changes: dict[tuple, Change], issues: list[Issue]) -> None:
    key = normalise_header(srow.values.get("column") or "")
    setting = SETTING_BY_NAME.get(key)
    if setting is None:
        issues.append(error("strategy-column-unknown", f"there is no setting {key!r}"
                            f"{suggest(key, list(SETTING_BY_NAME))}", **srow.where("column"),
                            value=srow.values.get("column")))
        return
    if not is_blank(srow.values.get("where")):
        issues.append(error("strategy-where-invalid", "leave 'where' blank for a setting",
                            **srow.where("where"), value=srow.values.get("where")))
        return
    ok, value = _parse_value(setting.column, srow, issues)
    if not ok:
        return
    settings = rows.setdefault(SheetName.SETTINGS, [])
    for i, row in enumerate(settings):
        if row.values["setting"] == key:
            _record(changes, issues, Change(name, SheetName.SETTINGS, row.row, key,
                                            row.values["value"], value, srow.row), srow)
            settings[i] = row.with_value("value", value)
            return
    _record(changes, issues, Change(name, SheetName.SETTINGS, None, key, setting.column.default,
                                    value, srow.row), srow)
    settings.append(Row(SheetName.SETTINGS, None, {"setting": key, "value": value}))


def _parse_where(srow: Row, columns: tuple[str, ...], issues: list[Issue]) -> dict | None:
    text = srow.values.get("where")
    conditions: dict[str, str] = {}
    if is_blank(text):
        return conditions
    for part in str(text).split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            issues.append(error("strategy-where-invalid", f"{part.strip()!r} is not key=value",
                                **srow.where("where"), value=text,
                                expected="key=value; key=value"))
            return None
        column = next((c for c in columns if normalise_header(c) == normalise_header(key)), None)
        if column is None:
            issues.append(error("strategy-where-key-unknown", f"'where' key {key.strip()!r} is "
                                f"not a column{suggest(key.strip(), columns)}",
                                **srow.where("where"), value=text))
            return None
        conditions[column] = value.strip()
    return conditions


def _parse_value(col: Column, srow: Row, issues: list[Issue]) -> tuple[bool, Any]:
    raw = srow.values.get("value")
    if is_blank(raw):
        if col.required:
            issues.append(error("strategy-value-invalid", f"{col.name} cannot be blank",
                                **srow.where("value"), expected=col.expected()))
            return False, None
        return True, col.default
    if col.ref is not None and col.ref.star and str(raw).strip() == STAR:
        return True, STAR
    try:
        return True, parse_cell(col, raw)
    except CellProblem as exc:
        issues.append(error("strategy-value-invalid", str(exc), **srow.where("value"), value=raw,
                            expected=col.expected()))
        return False, None


def _matches(actual: Any, wanted: str) -> bool:
    return actual is not None and label(actual).casefold() == label(wanted).casefold()


def _near_miss(rows: list[Row], conditions: dict[str, str]) -> str:
    for key, wanted in conditions.items():
        present = sorted({label(r.values[key]) for r in rows if r.values.get(key) is not None})
        if not any(p.casefold() == wanted.casefold() for p in present):
            hint = suggest(wanted, present).strip(" ()")
            return f"; {key} {wanted!r} appears nowhere" + (f", {hint}" if hint else "")
    return ""


def _record(changes: dict[tuple, Change], issues: list[Issue], change: Change, srow: Row) -> None:
    key = (change.sheet, change.row, change.column)
    earlier = changes.get(key)
    if earlier is not None and earlier.new != change.new:
        issues.append(error("strategy-conflict", f"{change.sheet} row {change.row} "
                            f"{change.column} is already set to {earlier.new!r} by row "
                            f"{earlier.by_row}", **srow.where("value"), value=change.new))
        return
    if earlier is not None:
        change = Change(change.strategy, change.sheet, change.row, change.column, earlier.old,
                        change.new, change.by_row)
    changes[key] = change
