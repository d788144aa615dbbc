"""Formula cells without a stored result, and recalculating them through LibreOffice.

A workbook written by a script (openpyxl, XlsxWriter) and never opened in a spreadsheet
program holds formulas but no results: every reader then returns blank or 0 for those
cells, and pandas even drops trailing formula-only rows (PITFALLS). Such cells are
found here by scanning the sheet XML, and either recalculated by a headless
LibreOffice working on a private copy, or reported by cell.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RECALC_TIMEOUT_S = 120


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet's name to its XML part inside the package."""
    book = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in book.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{NS_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        parts[sheet.get("name", "")] = part
    return parts


@dataclass
class CellScan:
    """What the sheet XML says that value readers do not: formulas without results, errors."""

    missing: dict[str, list[str]] = field(default_factory=dict)  # sheet -> A1 refs
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> ref -> "#N/A"


def scan_cells(path: Path) -> CellScan:
    """Find formula cells with no stored result and cells holding spreadsheet errors.

    Value readers return blank for both (python-calamine gives '' for `#DIV/0!`), which
    would silently turn a broken formula into a missing or zero number.
    """
    scan = CellScan()
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for sheet, part in sheet_parts(zf).items():
            if part not in names or not _contains(zf, part, (b"<f", b't="e"')):
                continue  # the common case: no formulas, no errors, no parse
            missing, errors = _scan_part(zf, part)
            if missing:
                scan.missing[sheet] = missing
            if errors:
                scan.errors[sheet] = errors
    return scan


def _contains(zf: zipfile.ZipFile, part: str, needles: tuple[bytes, ...]) -> bool:
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = chunk[-8:]
    return False


def _scan_part(zf: zipfile.ZipFile, part: str) -> tuple[list[str], dict[str, str]]:
    missing: list[str] = []
    errors: dict[str, str] = {}
    with zf.open(part) as fh:
        for _event, elem in SafeET.iterparse(fh, events=("end",)):
            if elem.tag != f"{NS_MAIN}c":
                continue
            value = elem.find(f"{NS_MAIN}v")
            has_value = value is not None and value.text is not None
            if elem.get("t") == "e":
                errors[elem.get("r", "?")] = value.text if has_value else "#ERROR"
            elif elem.find(f"{NS_MAIN}f") is not None and not has_value \
                    and elem.find(f"{NS_MAIN}is") is None:
                missing.append(elem.get("r", "?"))
            elem.clear()
    return missing, errors


def soffice() -> str | None:
    """The LibreOffice executable, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class RecalcFailed(Exception):
    pass


def recalculate(path: Path, workdir: Path) -> Path:
    """Convert a copy of ``path`` through headless LibreOffice, recalculating every formula.

    The input is never touched: LibreOffice reads a copy and writes into ``workdir``.
    Each call uses its own profile, because concurrent conversions sharing one profile
    lose files (PITFALLS); recalculation on load is switched on in that profile since
    LibreOffice otherwise keeps stale results.
    """
    exe = soffice()
    if exe is None:
        raise RecalcFailed("LibreOffice is not installed")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=workdir))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_XCU)
    src_dir = workdir / "in"
    out_dir = workdir / "out"
    src_dir.mkdir(exist_ok=True)
    out_dir.mkdir(exist_ok=True)
    copy = src_dir / "scenario.xlsx"
    shutil.copyfile(path, copy)
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(copy)]
    try:
        subprocess.run(cmd, capture_output=True, timeout=RECALC_TIMEOUT_S, check=False,
                       stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise RecalcFailed(f"LibreOffice did not finish within {RECALC_TIMEOUT_S} s") from exc
    result = out_dir / "scenario.xlsx"
    if not result.exists() or result.stat().st_size == 0:
        raise RecalcFailed("LibreOffice wrote no file")
    return result
