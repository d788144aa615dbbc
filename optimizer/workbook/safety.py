"""What a file is, and whether it is safe to open, before any spreadsheet reader sees it.

Readers fail on wrong files with messages a planner cannot act on, and on crafted
files they can exhaust memory (a 945 KB workbook unpacking to 990 MB took ~3 GB in
every reader, PITFALLS). So the file is sniffed by its bytes, its zip directory is
checked against size limits, and every XML part is checked for DTD entity
declarations (billion laughs, external entities) before anything parses it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from optimizer.errors import InputError, Issue, error, warning

# A planner's scenario is kilobytes to a few megabytes; these limits leave a wide margin
# while keeping a hostile file far below what would exhaust a laptop's memory.
MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 512 * 2**20
MAX_RATIO = 200  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 16 * 2**20
DTD_SCAN_BYTES = 64 * 1024  # a DOCTYPE must precede the root element

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class CheckedFile:
    """A workbook that passed the checks, with what they found on the way."""

    path: Path
    has_macros: bool
    warnings: tuple[Issue, ...]


def check_readable(path: str | Path) -> None:
    """Raise :class:`InputError` with one clear issue if ``path`` is missing, a folder or
    cannot be opened. Cheap and light (no reader imported), so the command line runs it
    before it loads anything else."""
    path = Path(path)
    try:
        if not path.exists():
            _fail("file-not-found", f"{path} does not exist")
        if path.is_dir():
            _fail("file-not-spreadsheet", f"{path} is a folder, not a workbook")
        if path.is_file():  # a pipe or device would block here; the size check says more
            with path.open("rb"):
                pass
    except OSError as exc:  # no permission, a name too long for the file system
        _fail("file-unreadable", f"{path} cannot be read: {exc.strerror or exc}")


def check_workbook_file(path: str | Path) -> CheckedFile:
    """Sniff ``path``; raise :class:`InputError` with one clear issue if it is no usable .xlsx."""
    path = Path(path)
    name = path.name
    check_readable(path)
    size = path.stat().st_size
    if size == 0:
        _fail("file-empty", f"{name} is empty (0 bytes): save the workbook again from Excel")
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(OLE2_MAGIC):
        _fail(*_ole2_verdict(path, name))
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _check_zip(path, name)
    _fail(*_other_verdict(head, name))
    raise AssertionError("unreachable")


def _fail(code: str, message: str) -> None:
    raise InputError([error(code, message)])


def _ole2_verdict(path: Path, name: str) -> tuple[str, str]:
    data = path.read_bytes()[: 4 * 2**20]
    if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data:
        return ("file-encrypted",
                f"{name} is password-protected: open it in Excel, remove the password "
                "(File > Info > Protect Workbook) and save it as .xlsx")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return ("file-legacy-xls",
                f"{name} is a legacy Excel 97-2003 (.xls) workbook: open it and save it as "
                "Excel Workbook (.xlsx)")
    return ("file-not-spreadsheet",
            f"{name} is an older Office document (OLE2), not a workbook: save the "
            "scenario as Excel Workbook (.xlsx)")


def _other_verdict(head: bytes, name: str) -> tuple[str, str]:
    signatures = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff":
                  "a JPEG image", b"GIF8": "a GIF image", b"{\\rtf": "an RTF document"}
    for magic, what in signatures.items():
        if head.startswith(magic):
            return ("file-not-spreadsheet",
                    f"{name} is {what}, not a workbook: give the scenario as an .xlsx file")
    if b"\x00" not in head and _looks_like_text(head):
        return ("file-csv",
                f"{name} is a text/CSV file, not a workbook: open it in Excel or "
                "LibreOffice, arrange it in the scenario sheets (`coprocure template` "
                "writes a blank one) and save as .xlsx")
    return ("file-not-spreadsheet",
            f"{name} is not a spreadsheet: give the scenario as an .xlsx workbook")


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:
            return False
        return sum(c.isprintable() or c in "\r\n\t" for c in text) > 0.95 * len(text)
    return True


def _check_zip(path: Path, name: str) -> CheckedFile:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME:
                _fail("file-ods",
                      f"{name} is an OpenDocument spreadsheet (.ods): save it as Excel "
                      "Workbook (.xlsx) from LibreOffice (File > Save As)")
            _guard_sizes(infos, name)
            if "xl/workbook.xml" not in names:
                what = "a Word document" if "word/document.xml" in names else (
                    "a PowerPoint file" if "ppt/presentation.xml" in names else
                    "a zip archive")
                _fail("file-not-spreadsheet",
                      f"{name} is {what}, not an Excel workbook: give the scenario as .xlsx")
            _guard_entities(zf, infos, name)
            has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    except zipfile.BadZipFile:
        _fail("file-truncated",
              f"{name} is damaged or incomplete (not a readable zip): save it again from "
              "Excel, or copy it again if it came by mail or download")
    except (zipfile.LargeZipFile, NotImplementedError) as exc:
        _fail("file-truncated", f"{name} cannot be unpacked ({exc}): save it again from Excel")
    notes: list[Issue] = []
    if has_macros:
        notes.append(warning(
            "file-macros", f"{name} contains macros (VBA); they are ignored and never run"))
    return CheckedFile(path, has_macros, tuple(notes))


def _guard_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_ENTRIES:
        _fail("file-too-large",
              f"{name} holds {len(infos):,} parts (at most {MAX_ENTRIES:,} are read): "
              "this is not an ordinary workbook")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        _fail("file-too-large",
              f"{name} unpacks to {total / 2**20:,.0f} MB (at most "
              f"{MAX_TOTAL_UNCOMPRESSED / 2**20:,.0f} MB are read): split the scenario or "
              "remove unused sheets")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            _fail("file-too-large",
                  f"{name}: part {info.filename} unpacks {ratio:,.0f} times larger than it is "
                  "stored (a zip bomb pattern); the file is not read")


def _guard_entities(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> None:
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            head = fh.read(DTD_SCAN_BYTES)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            _fail("file-unsafe-xml",
                  f"{name}: part {info.filename} declares XML entities (a billion-laughs or "
                  "external-entity pattern that Excel never writes); the file is not read")
