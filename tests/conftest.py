"""Shared fixtures: the template as a valid base workbook, helpers to edit copies, and the
command line run as a planner runs it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from optimizer.workbook.load import LoadedWorkbook, load_workbook
from optimizer.workbook.read import col_letter
from optimizer.workbook.schema import ANNOTATIONS, SHEET_BY_NAME
from optimizer.workbook.template import write_template

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios" / "japan-eu-2030.xlsx"
CRISIS = ROOT / "scenarios" / "japan-eu-crisis-2026.xlsx"
# the shipped workbook as it was before deals, discounts and entitlements (issue 13): an
# LP whose known answers (diagnoses, compile-once sweeps, the pre-pooling objective) were
# derived by hand from its rows
BEFORE_POOLING = ROOT / "tests" / "data" / "japan-eu-2030-before-pooling.xlsx"


@pytest.fixture(scope="session")
def template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return path


@pytest.fixture
def book(template_file: Path, tmp_path: Path) -> Path:
    """A private copy of the template: a small valid scenario to edit."""
    path = tmp_path / "scenario.xlsx"
    shutil.copyfile(template_file, path)
    return path


def letter(sheet: str, column: str) -> str:
    """Excel column letter of a format column in the template's layout."""
    names = SHEET_BY_NAME[sheet].column_names + tuple(c.name for c in ANNOTATIONS)
    return col_letter(names.index(column))


def edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def set_cell(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    edit(path, lambda wb: wb[sheet].__setitem__(f"{letter(sheet, column)}{row}", value))


def append_row(path: Path, sheet: str, values: dict[str, object]) -> int:
    """Append a row by column name; return its Excel row number."""
    out = {}

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        row = ws.max_row + 1
        for name, value in values.items():
            ws[f"{letter(sheet, name)}{row}"] = value
        out["row"] = row

    edit(path, change)
    return out["row"]


def load(path: Path) -> LoadedWorkbook:
    return load_workbook(path)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_lo() -> bool:
    return shutil.which("soffice") is not None


def run(*args: str | Path) -> subprocess.CompletedProcess:
    """``coprocure ARGS`` in a fresh interpreter; never a traceback, whatever the exit code."""
    proc = subprocess.run([sys.executable, "-m", "optimizer.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc
