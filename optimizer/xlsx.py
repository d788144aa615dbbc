"""Writing workbooks safely: complete or not at all, and text never becomes a formula.

XlsxWriter is used for every workbook the tool writes (PITFALLS: 2.6x faster than
openpyxl on 200k cells with charts). Its `strings_to_formulas` is switched off and
strings go through `write_string`, so a planner's text starting with `=`, `+`, `-` or
`@` stays text. Files are written to a temporary name beside the target and renamed
into place only once complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from optimizer.errors import CoprocureError

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


class OutputError(CoprocureError):
    """The output file could not be written."""


@contextlib.contextmanager
def atomic_workbook(path: str | Path) -> Iterator[Workbook]:
    """Yield an XlsxWriter workbook that appears at ``path`` only when fully written."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"output {target} must end in .xlsx")
    if not target.parent.exists():
        raise OutputError(f"cannot write {target}: folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, WORKBOOK_OPTIONS)
        yield wb
        wb.close()
        # mkstemp creates the file private (0600); give it the permissions of a normal file
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value with its proper type; strings always as text."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_table(
    wb: Workbook,
    name: str,
    header: list[str],
    rows: list[list[Any]],
    widths: list[float] | None = None,
) -> Worksheet:
    """A plain sheet: bold frozen header, values typed, columns sized to fit."""
    ws = wb.add_worksheet(name)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for c, text in enumerate(header):
        ws.write_string(0, c, text, bold)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            write_cell(ws, r, c, value)
    ws.freeze_panes(1, 0)
    for c, text in enumerate(header):
        width = widths[c] if widths else _fit(text, (row[c] for row in rows if c < len(row)))
        ws.set_column(c, c, width)
    return ws


def _fit(header: str, values: Any) -> float:
    longest = len(header)
    for i, value in enumerate(values):
        if i > 200:  # enough to size a column; long sheets need not be scanned
            break
        longest = max(longest, len(str(value)) if value is not None else 0)
    return min(max(longest + 2, 8), 60)
