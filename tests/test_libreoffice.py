"""A real spreadsheet client: workbooks re-saved by LibreOffice read identically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimizer.workbook.formulas import recalculate
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED, has_lo

pytestmark = pytest.mark.skipif(not has_lo(), reason="LibreOffice is not installed "
                                "(.ci/run installs it)")


def _resaved(path: Path, tmp_path: Path) -> Path:
    out = recalculate(path, tmp_path)  # LibreOffice opens, recalculates and saves a copy
    target = tmp_path / ("resaved-" + path.name)
    shutil.move(out, target)
    return target


@pytest.mark.parametrize("which", ["shipped", "template"])
def test_resaved_by_libreoffice_reads_identically(which: str, template_file: Path,
                                                  tmp_path: Path) -> None:
    original = SHIPPED if which == "shipped" else template_file
    resaved = _resaved(original, tmp_path)
    a, b = load_workbook(original), load_workbook(resaved)
    assert [i.one_line() for i in b.issues] == [i.one_line() for i in a.issues]
    assert b.strategy_names == a.strategy_names
    for name in a.strategy_names:
        assert b.scenario(name) == a.scenario(name), name
        assert b.tables_for(name)[1] == a.tables_for(name)[1]
    for sheet, rows in a.tables.rows.items():  # sources and notes survive too
        assert [r.values for r in b.tables[sheet]] == [r.values for r in rows], sheet
