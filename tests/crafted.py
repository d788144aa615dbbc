"""Crafted files for tests of the reader's file checks.

Each ``make_<name>(folder)`` writes one file into ``folder`` and returns its path.
Everything is built in-process (standard library, openpyxl, XlsxWriter; msoffcrypto-tool
when installed), nothing touches the network, and every file stays small on disk except
``make_many_entries`` (the zip format needs at least 76 bytes of headers per entry, so
20,001 entries cannot fit in 1 MB: it is about 1.8 MB).

What the readers themselves do with the hostile files was observed with openpyxl 3.1.5
(defusedxml 0.7.1 installed, so openpyxl parses through it) and python-calamine 0.9.1;
each factory's docstring records it. The zip-level checks (size, ratio, entry count)
must run before either library opens a file (PITFALLS: a 945 KB bomb took 2-3 GB in
every reader); both libraries already refuse the entity attacks, but with messages
no planner would understand.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter

# ---------------------------------------------------------------------------
# constants the tests can assert against
# ---------------------------------------------------------------------------

OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
SHEET_PART = "xl/worksheets/sheet1.xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
VBA_PART = "xl/vbaProject.bin"
ENCRYPTION_PASSWORD = "secret"

ZIP_BOMB_UNCOMPRESSED = 320 * 1024 * 1024  # > 300 MB, > 300 MiB
MANY_ENTRIES = 20_001

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _valid_workbook_bytes() -> bytes:
    """The bytes of the minimal valid workbook (sheet Periods: period, days / 2026, 365)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Periods"
    ws.append(["period", "days"])
    ws.append([2026, 365])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsxwriter_workbook_bytes() -> bytes:
    """The same workbook written by XlsxWriter, which keeps its strings in sharedStrings.xml."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Periods")
    ws.write_row(0, 0, ["period", "days"])
    ws.write_row(1, 0, [2026, 365])
    wb.close()
    return buf.getvalue()


def _copy_zip(
    source: bytes,
    target: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy every entry of ``source`` into ``target``, replacing or adding some."""
    replace = replace or {}
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = replace.get(info.filename)
            dst.writestr(info.filename, src.read(info) if data is None else data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return target


def _sheet_xml(doctype: str, cell_text: str) -> bytes:
    """A Periods sheet whose A2 is an inline string holding ``cell_text`` (raw XML)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}\n"
        f'<worksheet xmlns="{_MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>period</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>days</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{cell_text}</t></is></c>'
        '<c r="B2"><v>365</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()


def _shared_strings_xml(doctype: str, text: str) -> bytes:
    """openpyxl's sheet refers to strings 0 and 1; the hostile text is string 2."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}\n"
        f'<sst xmlns="{_MAIN_NS}" count="3" uniqueCount="3">'
        f"<si><t>period</t></si><si><t>days</t></si><si><t>{text}</t></si></sst>"
    ).encode()


def _xml_attack(folder: Path, filename: str, doctype: str, reference: str, part: str) -> Path:
    if part == "sheet":  # openpyxl's workbook: cell strings are inline in the sheet
        source = _valid_workbook_bytes()
        replace = {SHEET_PART: _sheet_xml(doctype, reference)}
    elif part == "sharedStrings":  # XlsxWriter's workbook: strings in sharedStrings.xml
        source = _xlsxwriter_workbook_bytes()
        replace = {SHARED_STRINGS_PART: _shared_strings_xml(doctype, reference)}
    else:
        raise ValueError(f"part must be 'sheet' or 'sharedStrings', not {part!r}")
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        missing = set(replace) - set(zf.namelist())
        if missing:
            raise RuntimeError(f"base workbook lacks {sorted(missing)}")
    return _copy_zip(source, Path(folder) / filename, replace=replace)


# --- a minimal OLE2 / Compound File Binary writer (version 3, 512-byte sectors) -----

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_SECTOR = 512
_MINI_CUTOFF = 4096


def _cfb_key(name: str) -> tuple[int, str]:
    # CFB orders siblings by name length first, then by upper-cased name.
    return (len(name), name.upper())


def _dir_entry(
    name: str, kind: int, left: int, right: int, child: int, start: int, size: int
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    if len(encoded) > 64:
        raise ValueError(f"OLE2 entry name too long: {name!r}")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,  # 1 storage, 2 stream, 5 root
        1,  # black
        left,
        right,
        child,
        b"\0" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def ole2_compound(streams: dict[str, bytes]) -> bytes:
    """A compound document with the given streams directly under the root storage.

    Streams shorter than the 4096-byte mini-stream cutoff are padded with zeros to
    4096 bytes so that everything lives in the main FAT (no mini stream needed).
    Readable by ``olefile``; good enough for any file-type sniffer.
    """
    names = sorted(streams, key=_cfb_key)
    payloads = [streams[n].ljust(_MINI_CUTOFF, b"\0") for n in names]
    stream_sectors = [-(-len(p) // _SECTOR) for p in payloads]
    n_entries = 1 + len(names)
    dir_sectors = -(-n_entries // 4)
    fat_sectors = 1
    while True:
        total = fat_sectors + dir_sectors + sum(stream_sectors)
        if -(-total // 128) <= fat_sectors:
            break
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("streams too large for a header-only DIFAT")

    fat = [_FATSECT] * fat_sectors
    first_dir = len(fat)
    fat += [*range(first_dir + 1, first_dir + dir_sectors), _ENDOFCHAIN]
    starts = []
    for count in stream_sectors:
        start = len(fat)
        starts.append(start)
        fat += [*range(start + 1, start + count), _ENDOFCHAIN]
    fat += [_FREESECT] * (fat_sectors * 128 - len(fat))

    # balanced binary tree of the root's children, ids 1..n in sorted order
    left = [_NOSTREAM] * n_entries
    right = [_NOSTREAM] * n_entries

    def build(lo: int, hi: int) -> int:
        if lo > hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        left[mid] = build(lo, mid - 1)
        right[mid] = build(mid + 1, hi)
        return mid

    root_child = build(1, len(names))
    entries = [_dir_entry("Root Entry", 5, _NOSTREAM, _NOSTREAM, root_child, _ENDOFCHAIN, 0)]
    for i, name in enumerate(names, start=1):
        entries.append(
            _dir_entry(name, 2, left[i], right[i], _NOSTREAM, starts[i - 1], len(payloads[i - 1]))
        )
    unused = struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM,
        b"\0" * 16, 0, 0, 0, 0, 0,
    )  # fmt: skip
    entries += [unused] * (dir_sectors * 4 - len(entries))

    difat = list(range(fat_sectors)) + [_FREESECT] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        OLE2_SIGNATURE,
        b"\0" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift
        6,  # mini sector shift
        b"\0" * 6,
        0,  # directory sectors (must be 0 in v3)
        fat_sectors,
        first_dir,
        0,  # transaction signature
        _MINI_CUTOFF,
        _ENDOFCHAIN,  # first mini FAT sector
        0,
        _ENDOFCHAIN,  # first DIFAT sector
        0,
        *difat,
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + b"".join(entries)
    body += b"".join(
        p.ljust(n * _SECTOR, b"\0") for p, n in zip(payloads, stream_sectors, strict=True)
    )
    return header + body


def _biff8_record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


# ---------------------------------------------------------------------------
# 1. valid
# ---------------------------------------------------------------------------


def make_valid_minimal(folder: Path) -> Path:
    """A valid workbook, one sheet "Periods": header period, days; one row 2026, 365."""
    path = Path(folder) / "valid_minimal.xlsx"
    path.write_bytes(_valid_workbook_bytes())
    return path


# ---------------------------------------------------------------------------
# 2. XML entity attacks (DOCTYPE in the worksheet XML that holds the cell values)
# ---------------------------------------------------------------------------

_BILLION_LAUGHS_DOCTYPE = (
    "<!DOCTYPE worksheet [\n"
    '  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>"
)  # &lol9; expands to 10**9 "lol": 3 GB


def make_billion_laughs(folder: Path, *, part: str = "sheet") -> Path:
    """Billion laughs: nine levels of ten-fold nested entities, &lol9; used in cell A2.

    ``part="sheet"`` (default) puts the DOCTYPE in xl/worksheets/sheet1.xml (A2 is an
    inline string); ``part="sharedStrings"`` puts it in xl/sharedStrings.xml instead.
    The file itself is about 5 KB.

    Observed, DOCTYPE in the sheet:
    - openpyxl ``load_workbook`` (also with ``read_only=True``): ``ValueError("Unable to
      read workbook: could not read worksheets from billion_laughs.xlsx. This is most
      probably because the workbook source files contain some invalid XML. ...")``
      raised from ``defusedxml.common.EntitiesForbidden(name='lol', system_id=None,
      public_id=None)``.
    - python_calamine: ``load_workbook`` succeeds (sheet names ['Periods']); reading the
      sheet raises ``python_calamine.XmlError("at 0..0: unrecognized entity `&lol9;`")``
      (a ``CalamineError``): it ignores the DTD and expands nothing.
    - plain ``xml.etree`` without defusedxml (expat 2.5.0): ``ParseError("limit on input
      amplification factor (from DTD and entities) breached")``.
    With the DOCTYPE in sharedStrings.xml: openpyxl ``ValueError("Unable to read
    workbook: could not read strings from ...")`` from ``EntitiesForbidden``;
    python_calamine raises the same ``XmlError`` already in ``load_workbook``.
    """
    return _xml_attack(folder, "billion_laughs.xlsx", _BILLION_LAUGHS_DOCTYPE, "&lol9;", part)


def make_quadratic_blowup(
    folder: Path, *, part: str = "sheet", entity_size: int = 100_000, references: int = 5_000
) -> Path:
    """Quadratic blowup: one 100,000-character entity referenced 5,000 times in A2.

    Expands to 500 MB of text; no nesting, so it slips past parsers that only limit
    entity depth. About 3 KB on disk (the entity compresses well).

    Observed: openpyxl as for billion laughs (``ValueError`` "could not read
    worksheets" from ``EntitiesForbidden(name='a', system_id=None, public_id=None)``);
    python_calamine ``XmlError("at 0..0: unrecognized entity `&a;`")`` on reading the
    sheet; plain expat 2.5.0 ``ParseError`` "limit on input amplification factor".
    ``part="sharedStrings"`` as for billion laughs.
    """
    doctype = f'<!DOCTYPE worksheet [\n  <!ENTITY a "{"A" * entity_size}">\n]>'
    return _xml_attack(folder, "quadratic_blowup.xlsx", doctype, "&a;" * references, part)


def make_external_entity(folder: Path, *, part: str = "sheet") -> Path:
    """XXE: ``<!ENTITY xxe SYSTEM "file:///etc/passwd">`` used as the text of cell A2.

    A parser resolving it would put /etc/passwd in a cell (and into the tool's output).

    Observed: openpyxl ``ValueError`` "could not read worksheets" from
    ``EntitiesForbidden(name='xxe', system_id='file:///etc/passwd', public_id=None)``;
    python_calamine ``XmlError("at 0..0: unrecognized entity `&xxe;`")`` on reading
    the sheet; plain ``xml.etree`` ``ParseError("undefined entity &xxe;")`` (it never
    fetches external entities). ``part="sharedStrings"`` as for billion laughs.
    """
    doctype = '<!DOCTYPE worksheet [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>'
    return _xml_attack(folder, "external_entity.xlsx", doctype, "&xxe;", part)


# ---------------------------------------------------------------------------
# 3-4. zip structure attacks
# ---------------------------------------------------------------------------


def make_zip_bomb(folder: Path, *, uncompressed: int = ZIP_BOMB_UNCOMPRESSED) -> Path:
    """A valid-looking workbook whose sheet XML unpacks to 320 MiB (ratio about 620:1).

    All parts come from the valid minimal workbook; xl/worksheets/sheet1.xml is a
    header row followed by 1.8 million identical ``<row>`` elements, streamed through
    ``ZipFile.open(..., "w", force_zip64=True)`` in 1 MiB chunks, so memory stays
    small. Each chunk is 1/4 rows and 3/4 whitespace between rows (legal XML): a run
    of identical 46-byte rows alone only compresses 344:1, because deflate stores a
    distance of 46 with 4 raw extra bits per 258-byte match, while a run of one byte
    compresses 1032:1. About 540 KB on disk; ``sum(info.file_size)`` is > 300 MB.

    Do not hand it to openpyxl or calamine in a test: the point is that the reader
    refuses it from the zip directory alone.
    """
    path = Path(folder) / "zip_bomb.xlsx"
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN_NS}"><sheetData>'
        '<row><c t="inlineStr"><is><t>period</t></is></c>'
        '<c t="inlineStr"><is><t>days</t></is></c></row>'
    ).encode()
    tail = b"</sheetData></worksheet>"
    row = b"<row><c><v>2026</v></c><c><v>365</v></c></row>"
    mib = 1024 * 1024
    rows = row * (mib // 4 // len(row))
    chunk = rows + b"\n" + b" " * (mib - len(rows) - 1)
    body = uncompressed - len(head) - len(tail)
    source = _valid_workbook_bytes()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename != SHEET_PART:
                dst.writestr(info.filename, src.read(info))
                continue
            with dst.open(SHEET_PART, "w", force_zip64=True) as out:
                out.write(head)
                for _ in range(body // len(chunk)):
                    out.write(chunk)
                out.write(b" " * (body % len(chunk)))
                out.write(tail)
    return path


def make_many_entries(folder: Path, *, entries: int = MANY_ENTRIES) -> Path:
    """The valid minimal workbook plus 20,001 empty stored entries ``z/00000`` ....

    A real, well-formed zip (every entry opens). About 1.8 MB: 76 bytes of local and
    central headers per entry make 1 MB impossible at this count. openpyxl ignores
    parts it has no relationship to: openpyxl and python_calamine both read the
    Periods sheet normally (observed), so only a count check catches it.
    """
    path = Path(folder) / "many_entries.xlsx"
    source = _valid_workbook_bytes()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        width = len(str(entries - 1))
        for i in range(entries):
            dst.writestr(f"z/{i:0{width}d}", b"", compress_type=zipfile.ZIP_STORED)
    return path


# ---------------------------------------------------------------------------
# 5-6. OLE2 compound documents
# ---------------------------------------------------------------------------


def make_legacy_xls(folder: Path) -> Path:
    """An Excel 97-2003 style file: OLE2 header and a "Workbook" stream (.xls).

    The Workbook stream holds a BIFF8 BOF record, an EOF record and zero padding
    to 4096 bytes; it is a well-formed compound file (olefile lists ``Workbook``)
    but not a workbook Excel would open. 5.5 KB.

    Observed: openpyxl ``InvalidFileException("openpyxl does not support the old .xls
    file format, please use xlrd to read this file, or convert it to the more recent
    .xlsx file format.")`` -- it goes by the extension; renamed .xlsx it raises
    ``zipfile.BadZipFile("File is not a zip file")``. python_calamine
    ``load_workbook`` *succeeds* and reports no sheets at all (``sheet_names == []``:
    there is no BoundSheet record), so a reader relying on it would complain about
    missing sheets instead of the format; renamed .xlsx, calamine raises
    ``ZipError("invalid Zip archive: Could not find EOCD")``.
    """
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    stream = _biff8_record(0x0809, bof) + _biff8_record(0x000A)
    path = Path(folder) / "legacy.xls"
    path.write_bytes(ole2_compound({"Workbook": stream}))
    return path


def _have_msoffcrypto() -> bool:
    try:
        import msoffcrypto  # noqa: F401
    except ImportError:
        return False
    return True


def make_encrypted_xlsx(folder: Path, *, use_msoffcrypto: bool | None = None) -> Path:
    """A password-protected workbook (password "secret"), named .xlsx as planners keep it.

    Such files are OLE2 compound documents with streams "EncryptionInfo" and
    "EncryptedPackage". With msoffcrypto-tool installed (``use_msoffcrypto=None``, the
    default, uses it when importable) the valid minimal workbook is really encrypted
    (agile encryption, as Excel does) and can be decrypted with "secret"; without it
    a compound file with just those two streams (zero-filled) is hand-built, which
    looks the same to a sniffer.

    Observed (both variants): openpyxl ``zipfile.BadZipFile("File is not a zip
    file")``; python_calamine ``PasswordError("Workbook is password protected")`` (a
    ``CalamineError``). The real one decrypts with msoffcrypto-tool and "secret" to
    the valid minimal workbook.
    """
    path = Path(folder) / "encrypted.xlsx"
    if use_msoffcrypto is None:
        use_msoffcrypto = _have_msoffcrypto()
    if use_msoffcrypto:
        from msoffcrypto.format.ooxml import OOXMLFile

        plain = io.BytesIO(_valid_workbook_bytes())
        with path.open("wb") as out:
            OOXMLFile(plain).encrypt(ENCRYPTION_PASSWORD, out)
    else:
        # EncryptionInfo of agile encryption begins with version 4.4 and flags 0x40.
        info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
        package = struct.pack("<Q", 0)
        path.write_bytes(ole2_compound({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


# ---------------------------------------------------------------------------
# 7-11. other formats and broken files
# ---------------------------------------------------------------------------


def make_ods(folder: Path) -> Path:
    """An OpenDocument spreadsheet (.ods) with the Periods table.

    First entry is the stored (uncompressed) ``mimetype`` holding
    ``application/vnd.oasis.opendocument.spreadsheet``, then content.xml and
    META-INF/manifest.xml. Observed: python_calamine reads it as a real spreadsheet
    (Periods: [period, days], [2026.0, 365.0]); openpyxl ``InvalidFileException``
    ("openpyxl does not support .ods file format ...") by extension.
    """
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

    def cell(value: str | int) -> str:
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )

    rows = "".join(
        "<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>"
        for r in (("period", "days"), (2026, 365))
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content xmlns:office="{office}" xmlns:table="{table}" '
        f'xmlns:text="{text}" office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="Periods">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        f'manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path = Path(folder) / "scenario.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


_CSV_TEXT = "period,days\n2026,365\n"


def make_csv(folder: Path) -> Path:
    """CSV text (period,days / 2026,365) saved under the wrong name scenario.xlsx.

    Observed: openpyxl ``BadZipFile("File is not a zip file")``; python_calamine
    ``ZipError("invalid Zip archive: Could not find EOCD")``.
    """
    path = Path(folder) / "scenario.xlsx"
    path.write_text(_CSV_TEXT, encoding="utf-8")
    return path


def make_csv_named_csv(folder: Path) -> Path:
    """The same CSV text, honestly named scenario.csv.

    Observed: openpyxl ``InvalidFileException`` ("does not support .csv file format");
    python_calamine ``CalamineError("Cannot detect file format")``.
    """
    path = Path(folder) / "scenario.csv"
    path.write_text(_CSV_TEXT, encoding="utf-8")
    return path


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    idat = zlib.compress(b"\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def make_not_spreadsheet(folder: Path) -> Path:
    """A real 1x1 PNG image named picture.xlsx.

    Observed: openpyxl ``BadZipFile``; python_calamine ``ZipError`` (no EOCD).
    """
    path = Path(folder) / "picture.xlsx"
    path.write_bytes(_png_1x1())
    return path


def make_pdf_named_xlsx(folder: Path) -> Path:
    """A minimal PDF (header, one empty page) named report.xlsx. Same errors as PNG."""
    path = Path(folder) / "report.xlsx"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return path


def make_plain_zip(folder: Path) -> Path:
    """A zip archive that is not a workbook (no [Content_Types].xml, no xl/workbook.xml).

    Observed: openpyxl ``KeyError("There is no item named '[Content_Types].xml' in the
    archive")``; python_calamine ``CalamineError("File not found '_rels/.rels'")``.
    """
    path = Path(folder) / "archive.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "Scenario files for the 2026 round.\n")
        zf.writestr("data/periods.csv", _CSV_TEXT)
    return path


def make_empty(folder: Path) -> Path:
    """A zero-byte empty.xlsx. openpyxl ``BadZipFile``; python_calamine ``ZipError``."""
    path = Path(folder) / "empty.xlsx"
    path.write_bytes(b"")
    return path


def make_truncated(folder: Path) -> Path:
    """The valid minimal workbook cut at half its length (the zip directory is gone).

    Observed: openpyxl ``BadZipFile("File is not a zip file")``; python_calamine
    ``ZipError("invalid Zip archive: Could not find EOCD")``.
    """
    data = _valid_workbook_bytes()
    path = Path(folder) / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


# ---------------------------------------------------------------------------
# 12-13. valid workbooks with features the reader must notice
# ---------------------------------------------------------------------------


def make_xlsm_with_macro(folder: Path, *, suffix: str = ".xlsm") -> Path:
    """A macro-enabled workbook (Periods sheet) carrying xl/vbaProject.bin.

    Written by XlsxWriter's ``add_vba_project``, so the content types and the
    workbook relationship are those of a real .xlsm. The project is a harmless
    compound file (a "PROJECT" stream of text), not runnable VBA. Pass
    ``suffix=".xlsx"`` for a macro workbook renamed .xlsx (Excel would refuse to
    open that; readers do not care). Observed: openpyxl and python_calamine both
    read the Periods sheet without a word about the macro, and neither runs it.
    """
    path = Path(folder) / f"macro{suffix}"
    vba = ole2_compound({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Periods")
    ws.write_row(0, 0, ["period", "days"])
    ws.write_row(1, 0, [2026, 365])
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    return path


def make_formula_no_value(folder: Path) -> Path:
    """Sheet "Demand" (buyer, material, period, demand) with formulas and no cached values.

    Rows:  North Utility | lithium | 2026 | 120
           North Utility | cobalt  | 2026 | =D2*2
           =A3           | =B3     | =C3  | =D3/2     (a trailing row of formulas only)

    openpyxl writes the formulas as ``<f>D2*2</f><v />``: no computed value, as any
    script does. Observed: openpyxl ``data_only=True`` gives None for the formula
    cells; ``read_only=True`` (``data_only=False``) shows ``cell.data_type == "f"``;
    python_calamine returns 3 rows (D3 is "" and the formulas-only row is gone);
    ``pd.read_excel`` returns 2 data rows (demand NaN for cobalt, the last row
    silently dropped) with both the openpyxl and the calamine engine.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demand"
    ws.append(["buyer", "material", "period", "demand"])
    ws.append(["North Utility", "lithium", 2026, 120])
    ws.append(["North Utility", "cobalt", 2026, "=D2*2"])
    ws.append(["=A3", "=B3", "=C3", "=D3/2"])
    path = Path(folder) / "formula_no_value.xlsx"
    wb.save(path)
    return path


# ---------------------------------------------------------------------------
# registry for parametrised tests
# ---------------------------------------------------------------------------

XML_ATTACKS: dict[str, Callable[[Path], Path]] = {
    "billion_laughs": make_billion_laughs,
    "quadratic_blowup": make_quadratic_blowup,
    "external_entity": make_external_entity,
}

FACTORIES: dict[str, Callable[[Path], Path]] = {
    "valid_minimal": make_valid_minimal,
    **XML_ATTACKS,
    "zip_bomb": make_zip_bomb,
    "many_entries": make_many_entries,
    "legacy_xls": make_legacy_xls,
    "encrypted_xlsx": make_encrypted_xlsx,
    "ods": make_ods,
    "csv": make_csv,
    "csv_named_csv": make_csv_named_csv,
    "not_spreadsheet": make_not_spreadsheet,
    "pdf_named_xlsx": make_pdf_named_xlsx,
    "plain_zip": make_plain_zip,
    "empty": make_empty,
    "truncated": make_truncated,
    "xlsm_with_macro": make_xlsm_with_macro,
    "formula_no_value": make_formula_no_value,
}
