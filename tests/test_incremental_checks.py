"""Checking a strategy's or a sweep point's tables again only where they changed finds
exactly what checking them whole finds.

``checked_tables(applied, like, changed)`` re-runs only the checks that looked at a
changed sheet when ``like`` was checked. The reference is ``check_tables(applied)``, every
check run again. Overrides are drawn over every sheet and column of the schema, with
values that break rules as often as not: names from other columns, unknown names,
negative and huge numbers, blanks.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.workbook.cells import Row
from optimizer.workbook.load import load_workbook
from optimizer.workbook.rules import check_tables, checked_tables
from optimizer.workbook.schema import SHEETS, SheetName
from optimizer.workbook.strategies import Strategy, apply_strategy

ROOT = Path(__file__).resolve().parents[1]
LOADED = {name: load_workbook(ROOT / "scenarios" / name)
          for name in ("japan-eu-2030.xlsx", "japan-eu-crisis-2026.xlsx")}
SHEETS_VARIED = [s for s in SHEETS if s.name not in (SheetName.STRATEGIES, SheetName.SETTINGS)]


@st.composite
def overrides(draw) -> tuple[str, tuple[Row, ...]]:
    """A workbook and one to three Strategies rows overriding its cells."""
    book = draw(st.sampled_from(sorted(LOADED)))
    tables = LOADED[book].tables
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        spec = draw(st.sampled_from(SHEETS_VARIED))
        column = draw(st.sampled_from(spec.column_names))
        sheet_rows = tables[spec.name]
        where = ""
        if sheet_rows and spec.key and draw(st.booleans()):
            row = draw(st.sampled_from(sheet_rows))
            where = "; ".join(f"{k}={row.values.get(k)}" for k in spec.key
                              if row.values.get(k) is not None)
        seen = [r.values.get(c) for r in sheet_rows for c in spec.column_names
                if r.values.get(c) is not None]
        value = draw(st.one_of(
            st.sampled_from(seen) if seen else st.just("x"),
            st.sampled_from(["no", "yes", "China", "nowhere", "*", "", "2027", "joint"]),
            st.sampled_from([-1.0, 0.0, 0.5, 1.0, 3.0, 1e12])))
        rows.append(Row(SheetName.STRATEGIES, None, {
            "strategy": "drawn", "sheet": spec.name, "where": where, "column": column,
            "value": value}))
    return book, tuple(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(overrides())
def test_checking_again_where_changed_finds_what_checking_whole_finds(drawn) -> None:
    book, rows = drawn
    tables = LOADED[book].tables
    applied, changes, _ = apply_strategy(tables, Strategy("drawn", rows))
    whole = check_tables(applied)
    again = checked_tables(applied, checked_tables(tables), {c.sheet for c in changes}).issues
    assert again == whole
