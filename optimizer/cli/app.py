"""The Typer app: one command per module of this package, one error boundary.

This is the one place that picks exit codes (SPEC 6): 0 success, 1 invalid input or
infeasible scenario, 2 usage error (Typer's own), 3 a run that could not complete.
Command modules import the heavy stack (Pyomo, HiGHS, pandas) inside their functions, so
that `--help` and usage errors answer at once.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from optimizer.cli.compare import compare
from optimizer.cli.console import err
from optimizer.cli.diagnose import diagnose
from optimizer.cli.solve import solve
from optimizer.cli.stress import stress
from optimizer.cli.sweep import sweep
from optimizer.cli.template import template
from optimizer.cli.validate import validate

app = typer.Typer(
    name="coprocure",
    help="Joint procurement of critical materials: plan, compare and stress-test purchases "
    "from an Excel scenario workbook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for command in (validate, template, solve, diagnose, compare, stress, sweep):
    app.command()(command)


def main() -> None:
    # Tracebacks are for developers: COPROCURE_DEBUG=1 shows them for unexpected errors.
    if not os.environ.get("COPROCURE_DEBUG"):
        # Pyomo logs any exception while it builds a component, Ctrl-C included, before
        # re-raising it; the exception itself still reaches the error boundary below.
        logging.getLogger("pyomo.core").setLevel(logging.CRITICAL)
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("COPROCURE_DEBUG"):
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in coprocure; "
                  "rerun with COPROCURE_DEBUG=1 for details and report it.")
        sys.exit(3)
