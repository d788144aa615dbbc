"""Smoke test of tests/crafted.py: every crafted file is built as its docstring says."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml.common import EntitiesForbidden

from tests import crafted

MB = 1_000_000


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crafted.make_zip_bomb(tmp_path_factory.mktemp("bomb"))


@pytest.mark.parametrize("name", sorted(set(crafted.FACTORIES) - {"zip_bomb"}))
def test_factory_writes_small_file(name: str, tmp_path: Path) -> None:
    """Every factory but the bomb (built once by the fixture, sized in test_zip_bomb)."""
    path = crafted.FACTORIES[name](tmp_path)
    assert path.is_file()
    assert path.parent == tmp_path
    # 20,001 zip entries need >= 76 bytes of headers each: 1 MB is impossible there.
    limit = 2 * MB if name == "many_entries" else MB
    assert path.stat().st_size < limit


def _chain(exc: BaseException | None) -> list[BaseException]:
    out = []
    while exc is not None:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def test_openpyxl_uses_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
@pytest.mark.parametrize("name", sorted(crafted.XML_ATTACKS))
@pytest.mark.parametrize("read_only", [False, True])
def test_xml_attack_is_refused_by_openpyxl(
    name: str, part: str, read_only: bool, tmp_path: Path
) -> None:
    path = crafted.XML_ATTACKS[name](tmp_path, part=part)
    assert path.stat().st_size < 50_000
    target = crafted.SHEET_PART if part == "sheet" else crafted.SHARED_STRINGS_PART
    with zipfile.ZipFile(path) as zf:
        assert b"<!DOCTYPE" in zf.read(target)
    with pytest.raises(Exception) as info:  # the chain is checked below
        wb = openpyxl.load_workbook(path, read_only=read_only)
        for ws in wb:
            list(ws.iter_rows(values_only=True))
    assert any(isinstance(e, EntitiesForbidden) for e in _chain(info.value)), info.value


def test_external_entity_names_passwd(tmp_path: Path) -> None:
    with zipfile.ZipFile(crafted.make_external_entity(tmp_path)) as zf:
        assert b'SYSTEM "file:///etc/passwd"' in zf.read(crafted.SHEET_PART)


def test_zip_bomb(bomb: Path) -> None:
    assert bomb.stat().st_size < MB
    with zipfile.ZipFile(bomb) as zf:
        infos = zf.infolist()
        sheet = zf.getinfo(crafted.SHEET_PART)
    assert sum(i.file_size for i in infos) > 300 * MB
    assert sheet.file_size / sheet.compress_size > 500
    assert "[Content_Types].xml" in [i.filename for i in infos]


def test_small_zip_bomb_is_a_readable_workbook(tmp_path: Path) -> None:
    path = crafted.make_zip_bomb(tmp_path, uncompressed=2_000_000)
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["Periods"].iter_rows(values_only=True))
    assert rows[:2] == [("period", "days"), (2026, 365)]
    assert len(rows) > 5_000  # one 1 MiB chunk holds 5,698 rows


def test_many_entries(tmp_path: Path) -> None:
    with zipfile.ZipFile(crafted.make_many_entries(tmp_path)) as zf:
        names = zf.namelist()
    assert len(names) > 20_000
    assert "xl/workbook.xml" in names


def test_legacy_xls(tmp_path: Path) -> None:
    path = crafted.make_legacy_xls(tmp_path)
    data = path.read_bytes()
    assert path.suffix == ".xls"
    assert data.startswith(crafted.OLE2_SIGNATURE)
    assert "Workbook".encode("utf-16-le") in data


@pytest.mark.parametrize("use_msoffcrypto", [False, True])
def test_encrypted_xlsx(use_msoffcrypto: bool, tmp_path: Path) -> None:
    if use_msoffcrypto:
        pytest.importorskip("msoffcrypto")
    path = crafted.make_encrypted_xlsx(tmp_path, use_msoffcrypto=use_msoffcrypto)
    data = path.read_bytes()
    assert path.suffix == ".xlsx"
    assert data.startswith(crafted.OLE2_SIGNATURE)
    assert "EncryptionInfo".encode("utf-16-le") in data
    assert "EncryptedPackage".encode("utf-16-le") in data
    assert not zipfile.is_zipfile(path)
    if use_msoffcrypto:
        import msoffcrypto

        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=crafted.ENCRYPTION_PASSWORD)
            plain = io.BytesIO()
            office.decrypt(plain)
        ws = openpyxl.load_workbook(plain)["Periods"]
        assert list(ws.iter_rows(values_only=True)) == [("period", "days"), (2026, 365)]


def test_ods(tmp_path: Path) -> None:
    with zipfile.ZipFile(crafted.make_ods(tmp_path)) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype").decode() == crafted.ODS_MIMETYPE
        assert {"content.xml", "META-INF/manifest.xml"} <= set(zf.namelist())


def test_csv_files(tmp_path: Path) -> None:
    wrong = crafted.make_csv(tmp_path)
    right = crafted.make_csv_named_csv(tmp_path)
    assert (wrong.suffix, right.suffix) == (".xlsx", ".csv")
    assert wrong.read_text().startswith("period,days")
    assert not zipfile.is_zipfile(wrong)


def test_not_spreadsheets(tmp_path: Path) -> None:
    assert crafted.make_not_spreadsheet(tmp_path).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert crafted.make_pdf_named_xlsx(tmp_path).read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(crafted.make_plain_zip(tmp_path)) as zf:
        names = set(zf.namelist())
    assert names and not names & {"[Content_Types].xml", "xl/workbook.xml"}


def test_empty_and_truncated(tmp_path: Path) -> None:
    assert crafted.make_empty(tmp_path).stat().st_size == 0
    truncated = crafted.make_truncated(tmp_path)
    assert truncated.stat().st_size > 0
    assert not zipfile.is_zipfile(truncated)


def test_valid_minimal(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(crafted.make_valid_minimal(tmp_path))
    assert wb.sheetnames == ["Periods"]
    assert list(wb["Periods"].iter_rows(values_only=True)) == [("period", "days"), (2026, 365)]


@pytest.mark.parametrize("suffix", [".xlsm", ".xlsx"])
def test_xlsm_with_macro(suffix: str, tmp_path: Path) -> None:
    path = crafted.make_xlsm_with_macro(tmp_path, suffix=suffix)
    assert path.suffix == suffix
    with zipfile.ZipFile(path) as zf:
        assert zf.read(crafted.VBA_PART).startswith(crafted.OLE2_SIGNATURE)
        assert b"macroEnabled" in zf.read("[Content_Types].xml")
    wb = openpyxl.load_workbook(path)
    assert list(wb["Periods"].iter_rows(values_only=True))[1] == (2026, 365)


def test_formula_no_value(tmp_path: Path) -> None:
    path = crafted.make_formula_no_value(tmp_path)
    wb = openpyxl.load_workbook(path, read_only=True)
    types = [[c.data_type for c in row] for row in wb["Demand"].iter_rows()]
    wb.close()
    assert len(types) == 4
    assert types[2][3] == "f"
    assert types[3] == ["f", "f", "f", "f"]
    cached = openpyxl.load_workbook(path, data_only=True)["Demand"]
    assert cached["D3"].value is None and cached["D4"].value is None
    assert cached["A1"].value == "buyer" and cached["D2"].value == 120
