"""Corrupting random cells of a valid workbook never escapes as an exception: every
problem comes back as a located issue, and whatever still validates builds a scenario."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.errors import CODES, InputError
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED

SHEET_LEVEL = {"sheet-missing", "sheet-unknown", "sheet-duplicate", "sheet-hidden", "sheet-empty",
               "no-demand", "probability-sum", "formula-recalculated", "file-macros"}

junk = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["*", "yes", "no", "coalition", "China", "2026", "2099", "-1", "1e400",
                     "65%", "#N/A", "NaN", " ", "=SUM(A1)", "@x", "+1", "policy=x"]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)


@pytest.fixture(scope="module")
def sheets() -> dict[str, tuple[int, int]]:
    wb = openpyxl.load_workbook(SHIPPED, read_only=True)
    return {ws.title: (ws.max_row, ws.max_column) for ws in wb.worksheets}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_cells_give_located_issues(data: st.DataObject, sheets: dict, tmp_path: Path
                                             ) -> None:
    path = tmp_path / "corrupt.xlsx"
    shutil.copyfile(SHIPPED, path)
    wb = openpyxl.load_workbook(path)
    for _ in range(data.draw(st.integers(1, 4), label="cells")):
        title = data.draw(st.sampled_from(sorted(sheets)), label="sheet")
        rows, cols = sheets[title]
        r = data.draw(st.integers(1, rows + 1), label="row")
        c = data.draw(st.integers(1, cols + 1), label="col")
        value = data.draw(junk, label="value")
        cell = wb[title].cell(r, c)
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed text, as a planner's '= in Excel
    wb.save(path)
    try:
        loaded = load_workbook(path)
    except InputError as exc:  # a file-level refusal is fine, but it must say why
        issues = exc.issues
        assert issues and all(i.code in CODES for i in issues)
        return
    for issue in loaded.issues:
        assert issue.code in CODES and issue.message
        assert issue.sheet, issue
        if issue.is_error and issue.code not in SHEET_LEVEL:
            assert issue.row is not None, issue
    if not loaded.errors:
        for name in loaded.strategy_names:
            loaded.scenario(name)
