"""`coprocure template`: a blank workbook a planner can fill in without other documents.

Generated entirely from :mod:`optimizer.workbook.schema`: a README sheet describing every sheet,
column and setting; one sheet per format sheet with its headers (each with a comment
saying what it holds), the schema's example rows (a small scenario that validates), and
dropdowns for yes/no, fixed choices and names defined on other sheets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from optimizer.workbook.fields import STAR, Column, Kind, Sheet
from optimizer.workbook.read import col_letter
from optimizer.workbook.schema import ANNOTATIONS, SETTINGS, SHEET_BY_NAME, SHEETS, SheetName
from optimizer.xlsx import atomic_workbook, write_cell

LIST_ROWS = 1000  # rows of the referenced sheets covered by the dropdowns


def write_template(path: str | Path) -> None:
    with atomic_workbook(path) as wb:
        fmt = _formats(wb)
        _readme(wb, fmt)
        for spec in SHEETS:
            _sheet(wb, spec, fmt)


def _formats(wb: Workbook) -> dict[str, Any]:
    return {
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "section": wb.add_format({"bold": True, "font_size": 12, "bg_color": "#F2F2F2"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


def column_rows(spec: Sheet) -> list[list[Any]]:
    """One documentation row per column: name, required, expected, unit, default, meaning."""
    rows = []
    for col in spec.columns + ANNOTATIONS:
        default = "" if col.default is None else _shown_default(col)
        rows.append([col.name, "required" if col.required else "optional", col.expected(),
                     col.unit or "", default, col.description])
    return rows


ILLUSTRATION_TITLE = ("Example rows, shown here but not entered in the template (its small "
                      "scenario stays a plain one to start from); the names they use must "
                      "exist on their sheets:")


def illustration_rows(spec: Sheet) -> tuple[list[str], list[list[Any]]]:
    """The sheet's illustration as a table: the columns any row fills, in sheet order."""
    used = [c.name for c in spec.columns + ANNOTATIONS
            if any(row.get(c.name) not in (None, "") for row in spec.illustration)]
    return used, [[row.get(name, "") for name in used] for row in spec.illustration]


def setting_rows() -> list[list[Any]]:
    return [[s.name, s.column.expected(), s.column.unit or "",
             "" if s.column.default is None else _shown_default(s.column), s.column.description]
            for s in SETTINGS]


def _shown_default(col: Column) -> Any:
    if col.kind is Kind.BOOL:
        return "yes" if col.default else "no"
    return col.default


def _readme(wb: Workbook, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("README")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 4, 14)
    ws.set_column(5, 5, 90, fmt["wrap"])
    lines = [
        "coprocure scenario workbook",
        "Fill in the sheets below; sheet and column names are matched ignoring case and "
        "spaces vs underscores. Blank rows are skipped. Every sheet may carry `source` and "
        "`note` columns. Required sheets: " + ", ".join(s.name for s in SHEETS if s.required)
        + ". Optional sheets may be deleted: an absent sheet means 'no such rules'.",
        "Quantities are in the `unit` setting (default t) and money in the `currency` setting "
        "(default USD). `*` in a period or material column means every one. Check the "
        "workbook with: coprocure validate FILE",
    ]
    ws.write_string(0, 0, lines[0], fmt["title"])
    ws.write_string(1, 0, lines[1])
    ws.write_string(2, 0, lines[2])
    r = 4
    for spec in SHEETS:
        need = "required" if spec.required else "optional"
        ws.write_string(r, 0, f"{spec.name} ({need})", fmt["section"])
        ws.write_string(r, 5, spec.description, fmt["wrap"])
        r += 1
        for c, head in enumerate(("column", "required", "expected", "unit", "default",
                                  "meaning")):
            ws.write_string(r, c, head, fmt["head"])
        r += 1
        for row in column_rows(spec):
            for c, value in enumerate(row):
                write_cell(ws, r, c, value)
            r += 1
        if spec.illustration:
            ws.write_string(r, 0, ILLUSTRATION_TITLE)
            r += 1
            header, rows = illustration_rows(spec)
            for c, head in enumerate(header):
                ws.write_string(r, c, head, fmt["head"])
            for row in rows:
                r += 1
                for c, value in enumerate(row):
                    write_cell(ws, r, c, value)
            r += 1
        if spec.name == SheetName.SETTINGS:
            ws.write_string(r, 0, SheetName.SETTINGS, fmt["section"])
            r += 1
            for c, head in enumerate(("setting", "", "expected", "unit", "default", "meaning")):
                ws.write_string(r, c, head, fmt["head"])
            r += 1
            for name, expected, unit, default, meaning in setting_rows():
                for c, value in zip((0, 2, 3, 4, 5), (name, expected, unit, default, meaning),
                                    strict=True):
                    write_cell(ws, r, c, value)
                r += 1
        r += 1


def _example_rows(spec: Sheet) -> list[dict[str, Any]]:
    if spec.name != SheetName.SETTINGS:
        return list(spec.examples)
    given = {e["setting"]: e["value"] for e in spec.examples}
    return [{"setting": s.name, "value": given.get(s.name, _shown_default(s.column)
                                                    if s.column.default is not None else None),
             "note": s.column.description} for s in SETTINGS]


def _sheet(wb: Workbook, spec: Sheet, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet(spec.name)
    columns = spec.columns + ANNOTATIONS
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.name, fmt["head"])
        ws.write_comment(0, c, f"{col.description}\nExpected: {col.expected()}"
                         + (f"\nUnit: {col.unit}" if col.unit else ""),
                         {"x_scale": 2, "y_scale": 1.5})
        ws.set_column(c, c, max(12, min(len(col.name) + 4, 40)))
    ws.set_column(len(columns) - 1, len(columns) - 1, 50)
    for r, example in enumerate(_example_rows(spec), start=1):
        for c, col in enumerate(columns):
            write_cell(ws, r, c, example.get(col.name))
    ws.freeze_panes(1, 0)
    for c, col in enumerate(columns):
        _dropdown(ws, spec, c, col)


def _dropdown(ws: Worksheet, spec: Sheet, c: int, col: Column) -> None:
    choices: list[str] | str | None = None
    if col.kind is Kind.BOOL:
        choices = ["yes", "no"]
    elif col.kind is Kind.CHOICE:
        choices = list(col.choices)
    elif spec.name == SheetName.SETTINGS and col.name == "setting":
        choices = [s.name for s in SETTINGS]
    elif col.ref is not None:
        target = SHEET_BY_NAME[col.ref.sheet]
        letter = col_letter(target.column_names.index(col.ref.column))
        choices = f"={target.name}!${letter}$2:${letter}${LIST_ROWS}"
    if choices is None:
        return
    extra = ([STAR] if col.ref is not None and col.ref.star else []) + (
        list(col.ref.also) if col.ref is not None else [])
    # A reference list cannot also offer `*` or `coalition`; a warning-style check keeps
    # the dropdown while still letting the planner type them.
    ws.data_validation(1, c, LIST_ROWS, c, {
        "validate": "list",
        "source": choices,
        "error_type": "warning" if extra or isinstance(choices, str) else "stop",
        "input_title": col.name[:32],
        "input_message": col.expected()[:255],
        "error_title": f"Not a valid {col.name}"[:32],
        "error_message": f"Expected {col.expected()}"[:255],
    })
