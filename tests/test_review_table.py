"""The data review table in scenarios/README.md: current, complete and sourced.

Run against the real build scripts and README: the point is to catch a data change made
without regenerating the table (python scenarios/review_table.py)."""

from __future__ import annotations

import importlib.util
import re
import runpy
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

GENERATOR = ROOT / "scenarios" / "review_table.py"


def _generator() -> ModuleType:
    # scenarios/ is not a package: load the script by path
    spec = importlib.util.spec_from_file_location("review_table", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


review = _generator()
# every build script present now: the crisis scenario's joins when it lands
SCRIPTS = [s for s in review.SCRIPTS if s.exists()]


def cells(line: str) -> list[str]:
    """A markdown table row's cells; an escaped '\\|' stays inside its cell."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def table_rows(script: Path) -> list[list[str]]:
    """The data rows of a script's table (header and rule line dropped)."""
    lines = review.markdown(script).splitlines()
    assert cells(lines[0]) == list(review.COLUMNS)
    return [cells(line) for line in lines[2:]]


def test_readme_region_is_current() -> None:
    _, current, _ = review.split((ROOT / "scenarios" / "README.md").read_text(encoding="utf-8"))
    assert current == review.region(), (
        "scenarios/README.md's data review table is out of date with the build scripts: "
        "run python scenarios/review_table.py and commit the README")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_every_supply_demand_and_stockpile_row_appears(script: Path) -> None:
    g = runpy.run_path(str(script))
    rows = table_rows(script)
    by_sheet = {sheet: [r[1] for r in rows if r[0] == sheet]
                for sheet in ("Supply", "Demand", "Stockpile")}
    assert len(rows) == sum(len(v) for v in by_sheet.values())  # no other sheet
    assert by_sheet["Supply"] == [f"{s} · {m} · tier {t}" for s, m, t, *_ in g["SUPPLY"]]
    assert by_sheet["Demand"] == [f"{b} · {m}" for b, m, *_ in g["DEMAND"]]
    stock = g["stockpile_records"]()
    assert len(by_sheet["Stockpile"]) == len(stock)
    assert all(row.startswith(f"{rec['buyer']} · {rec['material']}")
               for row, rec in zip(by_sheet["Stockpile"], stock, strict=True))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_no_row_lacks_its_source_or_its_assumption(script: Path) -> None:
    missing = [f"{r[0]}: {r[1]}" for r in table_rows(script) if not (r[3] and r[4])]
    assert not missing, f"rows without a public figure or an assumption: {missing}"


def test_cells_escape_pipes() -> None:
    assert cells("| " + review.cell("a | b\nc") + " | d |") == ["a \\| b c", "d"]
