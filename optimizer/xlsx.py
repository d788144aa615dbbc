"""Writing workbooks safely: complete or not at all, never over an input, and text never
becomes a formula.

XlsxWriter is used for every workbook the tool writes (PITFALLS: 2.6x faster than
openpyxl on 200k cells with charts). Its `strings_to_formulas` is switched off and
strings go through `write_string`, so a planner's text starting with `=`, `+`, `-` or
`@` stays text.

A workbook is assembled in memory and only then written, to a hidden temporary name
beside the target, and renamed into place once complete: a full disk, Ctrl-C or SIGTERM
leaves neither a partial output nor the temporary file (XlsxWriter writing to the path
itself would leave its zip half-written, its part files in the system temp folder, and a
traceback from ``ZipFile.__del__``). :func:`check_output` says before any work whether
an output can be written at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import secrets
from collections.abc import Iterable, Iterator
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
    "in_memory": True,  # no part files in the system temp folder to leave behind
}


class OutputError(CoprocureError):
    """The output file could not be written."""


def check_output(path: str | Path, reads: Iterable[str | Path] = ()) -> None:
    """Refuse an output that is one of the files the command ``reads``, in any spelling
    (relative, through ``..``, a symbolic or hard link: compared by identity), or that
    cannot be written: no such folder, not a folder, no permission, a read-only or full
    file system. A small file is created and removed beside the target to know. Called
    before the solves, so that a long run does not end unable to deliver."""
    target = Path(path)
    for source in reads:
        if _same_file(target, Path(source)):
            where = "" if str(source) == str(target) else f" ({source})"
            raise OutputError(f"{target} is the workbook this command reads{where}: write "
                              "the output under another name; an input is never overwritten")
    _check_target(target)
    probe = _temporary(target, "probe-")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * 4096)  # a completely full disk fails here, not after the run
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(_cannot_write(target, exc)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)


@contextlib.contextmanager
def atomic_workbook(path: str | Path) -> Iterator[Workbook]:
    """Yield an XlsxWriter workbook that appears at ``path`` only when fully written."""
    target = Path(path)
    _check_target(target)
    # The temporary name is known before the file exists, so that an interruption at any
    # moment after its creation (SIGTERM raises wherever the program is) still removes it.
    tmp = _temporary(target)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise OutputError(_cannot_write(target, exc)) from None
        try:
            buffer = io.BytesIO()
            wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
            yield wb
            wb.close()
            _write_all(fd, buffer.getbuffer(), target)
        finally:
            with contextlib.suppress(OSError):  # what failed to write was said by fsync
                os.close(fd)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(_cannot_write(target, exc)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _write_all(fd: int, data: memoryview, target: Path) -> None:
    """Unbuffered, so that a failed write is reported once, here, and not again by a
    buffer flushed while the file closes."""
    try:
        done = 0
        while done < len(data):
            done += os.write(fd, data[done:])
        os.fsync(fd)  # on disk before it takes the output's name
    except OSError as exc:
        raise OutputError(_cannot_write(target, exc)) from None


def _check_target(target: Path) -> None:
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"output {target} must end in .xlsx")
    folder = _folder(target)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    if not target.parent.exists():
        # a missing folder and a path through a file both surface here; say which
        bad = next((p for p in reversed(target.parents) if p.is_file()), None)
        if bad is not None:
            raise OutputError(f"cannot write {target}: {bad} is a file, not a folder")
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: {folder} is a file, not a folder")


def _temporary(target: Path, kind: str = "") -> Path:
    """A hidden name beside the target: same folder, so that the rename is atomic."""
    return target.parent / f".{target.stem}.{kind}{secrets.token_hex(4)}.xlsx"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # st_dev and st_ino: links and spellings alike
    except OSError:  # one of them does not exist (yet)
        return False


def _folder(target: Path) -> str:
    return "the current folder" if str(target.parent) == "." else str(target.parent)


def _cannot_write(target: Path, exc: OSError) -> str:
    """What went wrong, in a planner's words, naming the output they asked for (never the
    hidden temporary file)."""
    folder = _folder(target)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left to write {target}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write {target}: no permission to create files in {folder}"
    if exc.errno == errno.EROFS:
        return f"cannot write {target}: {folder} is on a read-only file system"
    if exc.errno == errno.ENOTDIR:
        return f"cannot write {target}: {folder} is not a folder"
    if exc.errno == errno.ENOENT:
        return f"cannot write {target}: {folder} does not take new files"
    return f"cannot write {target}: {exc.strerror or exc}"


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
