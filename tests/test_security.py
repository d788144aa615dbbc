"""Hostile files are refused before any reader parses them, cheaply, and never modified."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.workbook.load import load_workbook
from tests import crafted
from tests.conftest import digest

ATTACKS = {
    **{f"{name}-sheet": (lambda f, n=name: crafted.XML_ATTACKS[n](f)) for name in
       crafted.XML_ATTACKS},
    **{f"{name}-sharedStrings": (lambda f, n=name: crafted.XML_ATTACKS[n](f, part="sharedStrings"))
       for name in crafted.XML_ATTACKS},
}


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_workbook(path)
    (issue,) = info.value.issues
    return issue.code


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_entity_declarations_are_refused(attack: str, tmp_path: Path) -> None:
    path = ATTACKS[attack](tmp_path)
    before = digest(path)
    assert _refusal(path) == "file-unsafe-xml"
    assert digest(path) == before


def test_defusedxml_is_what_openpyxl_parses_with() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_zip_bomb_is_refused_from_the_directory_alone(tmp_path: Path) -> None:
    """The guard reads the zip directory only: peak memory stays far below the bomb's
    320 MB, measured in a fresh interpreter so that nothing else counts."""
    path = crafted.make_zip_bomb(tmp_path)
    code = (
        "import sys\n"
        "from optimizer.workbook.load import load_workbook\n"
        "from optimizer.errors import InputError\n"
        "try:\n    load_workbook(sys.argv[1])\nexcept InputError as e:\n"
        "    print(e.issues[0].code)\n"
        # VmHWM, not ru_maxrss: that survives exec and counts the parent's peak (pytest's)
        "print(next(line.split()[1] for line in open('/proc/self/status')\n"
        "           if line.startswith('VmHWM:')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out[0] == "file-too-large"
    assert int(out[1]) < 250_000  # KB: the interpreter and libraries, not the bomb


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    assert _refusal(crafted.make_many_entries(tmp_path)) == "file-too-large"


def test_macros_are_reported_and_never_run(tmp_path: Path) -> None:
    path = crafted.make_xlsm_with_macro(tmp_path)
    before = digest(path)
    codes = [i.code for i in load_workbook(path).issues]  # read like any workbook
    assert "file-macros" in codes and "sheet-missing" in codes
    assert digest(path) == before


@pytest.mark.parametrize("factory", ["make_pdf_named_xlsx", "make_plain_zip",
                                     "make_csv_named_csv"])
def test_other_wrong_files_get_one_line(factory: str, tmp_path: Path) -> None:
    path = getattr(crafted, factory)(tmp_path)
    assert _refusal(path) in {"file-not-spreadsheet", "file-csv"}
