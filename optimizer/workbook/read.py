"""Reading a scenario workbook once into raw sheets, every cell at its Excel position.

python-calamine reads the values (benchmarks/README.md: fastest of the readers
measured, and it keeps cells at their exact row and column, so every message can name
them). Before it opens the file, :mod:`optimizer.workbook.safety` has sniffed and guarded
it; formula cells without stored results are recalculated through LibreOffice or
reported (:mod:`optimizer.workbook.formulas`). Nothing here knows what a column means beyond
its header; typing is :mod:`optimizer.workbook.cells`' job.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from optimizer.errors import InputError, Issue, error, warning
from optimizer.workbook.fields import Sheet, is_blank, normalise_header
from optimizer.workbook.formulas import CellScan, RecalcFailed, recalculate, scan_cells, soffice
from optimizer.workbook.safety import check_workbook_file
from optimizer.workbook.schema import ANNOTATIONS, INFORMATION_SHEETS, SHEETS

SPREADSHEET_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                      "#GETTING_DATA", "#SPILL!", "#CALC!"}


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class RawSheet:
    """One format sheet as found: header positions and the non-blank data rows."""

    spec: Sheet
    title: str  # the sheet's name as written in the workbook
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # format column -> 0-based column index
    other: dict[int, Any]  # 0-based index -> header text, for columns not in the format
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells), blank rows skipped


@dataclass
class RawWorkbook:
    path: Path
    sheets: dict[str, RawSheet] = field(default_factory=dict)  # by format sheet name
    issues: list[Issue] = field(default_factory=list)


def suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean X?)' suffix when a close match exists."""
    lowered = {o.lower(): o for o in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every format sheet of ``path``; raise :class:`InputError` if the file is unusable.

    Problems inside the workbook (missing sheets, merged cells, unknown columns...) are
    collected in ``RawWorkbook.issues`` rather than raised, so that validation can report
    everything at once.
    """
    checked = check_workbook_file(path)
    book = RawWorkbook(Path(path), issues=list(checked.warnings))
    with tempfile.TemporaryDirectory(prefix="coprocure-") as tmp:
        source, scan = _with_formula_results(Path(path), Path(tmp), book.issues)
        try:
            wb = CalamineWorkbook.from_path(str(source))
        except Exception as exc:  # calamine raises its own types for damaged parts
            raise InputError([error("file-truncated", f"{Path(path).name} cannot be read as "
                                    f"a workbook ({exc}): save it again from Excel")]) from exc
        try:
            _read_sheets(wb, book, scan)
        finally:
            wb.close()
    return book


def _with_formula_results(path: Path, tmp: Path, issues: list[Issue]) -> tuple[Path, CellScan]:
    """The file to read values from (``path`` or a recalculated copy) and its cell scan."""
    scan = scan_cells(path)
    missing = scan.missing
    if not missing:
        return path, scan
    listing = "; ".join(f"{sheet}!{','.join(cells[:8])}{'...' if len(cells) > 8 else ''}"
                        for sheet, cells in missing.items())
    count = sum(len(c) for c in missing.values())
    if soffice() is not None:
        try:
            result = recalculate(path, tmp)
            rescan = scan_cells(result)
            still = rescan.missing
        except RecalcFailed as exc:
            reason = str(exc)
        else:
            if not still:
                issues.append(warning(
                    "formula-recalculated",
                    f"{count} formula cell(s) had no stored result and were recalculated "
                    f"with LibreOffice: {listing}"))
                return result, rescan
            reason = "LibreOffice left some without results"
    else:
        reason = "LibreOffice is not installed to recalculate them"
    for sheet, cells in missing.items():
        for ref in cells[:20]:
            issues.append(error(
                "formula-no-value",
                f"formula with no stored result ({reason}): open the workbook in Excel or "
                "LibreOffice and save it, so the results are stored",
                sheet=sheet, row=_ref_row(ref), column=_ref_col(ref)))
    raise InputError(issues)


def _ref_row(ref: str) -> int | None:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else None


def _ref_col(ref: str) -> str:
    return "".join(ch for ch in ref if ch.isalpha())


def _read_sheets(wb: CalamineWorkbook, book: RawWorkbook, scan: CellScan) -> None:
    by_norm = {normalise_header(s.name): s for s in SHEETS}
    visible = {m.name: m.visible for m in wb.sheets_metadata}
    seen: dict[str, str] = {}
    for title in wb.sheet_names:
        spec = by_norm.get(normalise_header(title))
        hidden = visible.get(title) != SheetVisibleEnum.Visible
        if spec is None and normalise_header(title) in map(normalise_header,
                                                           INFORMATION_SHEETS):
            continue
        if spec is None:
            state = " hidden" if hidden else ""
            book.issues.append(warning(
                "sheet-unknown",
                f"{state.strip() or 'extra'} sheet {title!r} is not part of the format and is "
                f"ignored{suggest(title, [s.name for s in SHEETS])}", sheet=title))
            continue
        if spec.name in seen:
            book.issues.append(error(
                "sheet-duplicate", f"sheets {seen[spec.name]!r} and {title!r} both match "
                f"{spec.name}: keep one", sheet=title))
            continue
        seen[spec.name] = title
        if hidden:
            book.issues.append(error(
                "sheet-hidden", f"sheet {title!r} is hidden: unhide it to use it, or delete "
                "it to leave these rules out", sheet=title))
            continue
        sheet = wb.get_sheet_by_name(title)
        grid = sheet.to_python(skip_empty_area=False)
        _restore_errors(grid, scan.errors.get(title, {}))
        raw = _read_sheet(spec, title, grid, book.issues)
        if raw is not None:
            _check_merged(raw, sheet.merged_cell_ranges or [], book.issues)
            book.sheets[spec.name] = raw
    for spec in SHEETS:
        if spec.required and spec.name not in seen:
            book.issues.append(error(
                "sheet-missing", f"required sheet {spec.name} is missing"
                f"{suggest(spec.name, [t for t in wb.sheet_names if t not in seen.values()])}",
                sheet=spec.name))


def _restore_errors(grid: list[list[Any]], errors: dict[str, str]) -> None:
    """Put error texts back where the value reader left blanks, so they get reported."""
    for ref, text in errors.items():
        row, col = _ref_row(ref), _ref_index(_ref_col(ref))
        if row is None or col < 0:
            continue
        while len(grid) < row:
            grid.append([])
        line = grid[row - 1]
        line.extend([""] * (col + 1 - len(line)))
        line[col] = text


def _ref_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _read_sheet(spec: Sheet, title: str, grid: list[list[Any]],
                issues: list[Issue]) -> RawSheet | None:
    cells = [[None if is_blank(v) else v for v in row] for row in grid]
    header_at = next((i for i, row in enumerate(cells) if any(v is not None for v in row)), None)
    if header_at is None:
        if spec.required:
            issues.append(error("sheet-empty", f"sheet {title!r} has no header row",
                                sheet=title, row=1))
        return None
    known = {normalise_header(c.name): c.name for c in spec.columns + ANNOTATIONS}
    columns: dict[str, int] = {}
    other: dict[int, Any] = {}
    for idx, head in enumerate(cells[header_at]):
        if head is None:
            continue
        name = known.get(normalise_header(head))
        if name is None:
            other[idx] = head
        elif name in columns:
            issues.append(error(
                "column-duplicate", f"column {name} appears twice (also in column "
                f"{col_letter(columns[name])}): keep one", sheet=title, row=header_at + 1,
                column=col_letter(idx), value=head))
        else:
            columns[name] = idx
    rows = [(i + 1, row) for i, row in enumerate(cells) if i > header_at
            and any(v is not None for v in row)]
    _check_headerless(title, header_at, cells, rows, issues)
    return RawSheet(spec, title, header_at + 1, columns, other, rows)


def _check_headerless(title: str, header_at: int, cells: list[list[Any]],
                      rows: list[tuple[int, list[Any]]], issues: list[Issue]) -> None:
    header = cells[header_at]
    width = max((len(r) for _, r in rows), default=0)
    for idx in range(width):
        if idx < len(header) and header[idx] is not None:
            continue
        hit = next(((n, r[idx]) for n, r in rows if idx < len(r) and r[idx] is not None), None)
        if hit is not None:
            issues.append(warning(
                "column-no-header", "values in a column without a header are ignored: give "
                "the column a header from the format or delete the values", sheet=title,
                row=hit[0], column=col_letter(idx), value=hit[1]))


def _check_merged(raw: RawSheet, ranges: list[Any], issues: list[Issue]) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r1 + 1 < raw.header_row:
            continue  # a merged title above the table is harmless
        issues.append(error(
            "cells-merged", f"merged cells {col_letter(c0)}{r0 + 1}:{col_letter(c1)}{r1 + 1}: "
            "only the first cell keeps its value; unmerge them and fill every cell",
            sheet=raw.title, row=r0 + 1, column=col_letter(c0)))
