"""The workbook format reference (docs/workbook-format.md), generated from the schema.

Run ``python -m optimizer.workbook.reference`` after changing
:mod:`optimizer.workbook.schema`; a test fails while the committed reference differs from
what the schema generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from optimizer.errors import CODES
from optimizer.workbook.schema import SHEETS, SheetName
from optimizer.workbook.template import (
    ILLUSTRATION_TITLE,
    column_rows,
    illustration_rows,
    setting_rows,
)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "workbook-format.md"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def format_reference() -> str:
    lines = [
        "# The scenario workbook format",
        "",
        "Generated from `optimizer/workbook/schema.py` by "
        "`python -m optimizer.workbook.reference`; do not edit by hand.",
        "",
        "One `.xlsx` file. Sheet names and column headers are matched ignoring case, "
        "surrounding spaces, and spaces versus underscores. Entirely empty rows are skipped. "
        "Extra sheets and columns are ignored with a warning; a README sheet is skipped "
        "silently. Labels stored as numbers (2026, 2026.0) equal the text \"2026\". Yes/no "
        "cells accept yes/no/true/false/y/n/1/0. Every sheet may carry `source` and `note` "
        "columns, kept with the row. `coprocure template FILE` writes a blank workbook with "
        "this reference in its README sheet.",
        "",
        "Formula cells must carry their results (any workbook saved by Excel or LibreOffice "
        "does). A workbook written by a script without results is recalculated through "
        "LibreOffice when it is installed, and refused with the cells named otherwise. "
        "Merged cells in a sheet's table, hidden format sheets, duplicate rows and values "
        "outside their range are errors. Legacy .xls, .ods, CSV, password-protected, "
        "truncated and oversized (zip bomb) files are refused with a one-line message.",
        "",
    ]
    for spec in SHEETS:
        need = "required" if spec.required else "optional"
        lines += [f"## {spec.name} ({need})", "", spec.description, ""]
        if spec.key:
            lines += [f"Each row is identified by: {', '.join(spec.key)}.", ""]
        if spec.wide_value:
            lines += [f"Wide layout: instead of `period` and `{spec.wide_value}`, one column "
                      f"per period label holding that period's {spec.wide_value}.", ""]
        lines += _table(["column", "required", "expected", "unit", "default", "meaning"],
                        column_rows(spec))
        lines.append("")
        if spec.illustration:
            lines += [ILLUSTRATION_TITLE, "", *_table(*illustration_rows(spec)), ""]
        if spec.name == SheetName.SETTINGS:
            lines += ["Settings:", ""]
            lines += _table(["setting", "expected", "unit", "default", "meaning"], setting_rows())
            lines.append("")
    lines += ["## Issue codes", "", "`coprocure validate` reports each problem with one of "
              "these stable codes.", ""]
    lines += _table(["code", "meaning"], [[f"`{c}`", m] for c, m in CODES.items()])
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else DEFAULT_PATH
    target.write_text(format_reference(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
