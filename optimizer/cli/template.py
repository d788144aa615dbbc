"""`coprocure template`: a blank, annotated workbook a planner can fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.console import err, run_action
from optimizer.errors import CoprocureError


def template(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook (.xlsx).",
                                         show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an annotated blank scenario workbook with example rows and dropdowns.

    Example: coprocure template my-scenario.xlsx
    """
    from optimizer.workbook.template import write_template

    def action() -> int:
        if path.exists() and not force:
            raise CoprocureError(f"{path} exists: choose another name or pass --force")
        write_template(path)
        err.print(f"wrote {path}: fill in the sheets (the README sheet explains each), then "
                  f"run: coprocure validate {path}")
        return 0

    run_action(action)
