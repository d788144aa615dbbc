"""The Typer app: one command per module of this package, one error boundary.

This is the one place that picks exit codes (SPEC 6): 0 success, 1 invalid input or
infeasible scenario, 2 usage error (Typer's own), 3 a run that could not complete (solver
failure, time limit without a solution, a lost cluster), 130 interrupted (Ctrl-C), 143
terminated (SIGTERM); on 130 and 143 no partial output is left behind.
Command modules import the heavy stack (Pyomo, HiGHS, pandas) inside their functions, so
that `--help` and usage errors answer at once; a missing input workbook is reported before
Typer even parses the options (:func:`check_inputs_first`).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

import typer

from optimizer.cli.compare import compare
from optimizer.cli.console import err, run_action
from optimizer.cli.diagnose import diagnose
from optimizer.cli.solve import solve
from optimizer.cli.stress import stress
from optimizer.cli.sweep import sweep
from optimizer.cli.template import template
from optimizer.cli.validate import validate
from optimizer.errors import Terminated
from optimizer.workbook.safety import check_readable

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


def check_inputs_first(args: list[str]) -> None:
    """Report a missing or unreadable input workbook before anything else is loaded.

    Typer's parsing of the options imports its coercion layer (pydantic, tenths of a
    second) and the command then imports the solver stack: a mistyped file name took
    seconds to report. The command line is read here only as far as it reads without
    doubt; anything else (--help, an unknown option, a missing argument) is left to Typer,
    and a file that is there is checked again, fully, when the command reads it.
    """
    found = _input_paths(args)
    if found is None:
        return
    paths, as_json = found

    def action() -> int:
        for path in paths:
            check_readable(path)
        return 0

    try:
        run_action(action, as_json)  # reports as the command would, then always exits
    except typer.Exit as done:
        if done.exit_code:
            sys.exit(done.exit_code)


def _input_paths(args: list[str]) -> tuple[list[Path], bool] | None:
    """The workbooks a command line reads (its scenario, stress's --disruptions) and
    whether it asks for --json; None when the line is not plainly a command's."""
    command = getattr(typer.main.get_command(app), "commands", {}).get(args[0]) if args \
        else None
    if command is None:
        return None
    options = {name: p for p in command.params if p.param_type_name == "option"
               for name in (*p.opts, *p.secondary_opts)}
    arguments = [p.name for p in command.params if p.param_type_name == "argument"]
    values: dict[str | None, list[str]] = {}
    positional: list[str] = []
    rest = iter(args[1:])
    for token in rest:
        if token == "--":
            positional += rest  # the rest are arguments (and the loop ends)
        elif token.startswith("-") and token != "-":
            name, eq, text = token.partition("=") if token.startswith("--") else (token, "", "")
            param = options.get(name)  # --help and clusters such as -qs are not in it
            if param is None or param.nargs != 1 or (param.is_flag and eq):
                return None
            value = ("yes" if name in param.opts else "") if param.is_flag else \
                text if eq else next(rest, None)
            if value is None:
                return None
            values.setdefault(param.name, []).append(value)
        else:
            positional.append(token)
    if len(positional) != len(arguments) or "scenario" not in arguments:
        return None
    scenario = positional[arguments.index("scenario")]
    paths = [Path(p) for p in (scenario, *values.get("disruptions", []))]
    return paths, bool(values.get("as_json", [""])[-1])


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Raised wherever the program is, so that it unwinds as on Ctrl-C: worker processes
    # stopped, a half-written workbook's temporary file removed. A second SIGTERM (a
    # supervisor that repeats it) must not cut that cleanup short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    # Tracebacks are for developers: COPROCURE_DEBUG=1 shows them for unexpected errors.
    if not os.environ.get("COPROCURE_DEBUG"):
        # Pyomo logs any exception while it builds a component, Ctrl-C included, before
        # re-raising it; the exception itself still reaches the error boundary below.
        logging.getLogger("pyomo.core").setLevel(logging.CRITICAL)
    try:
        check_inputs_first(sys.argv[1:])
        app()
    except SystemExit:
        raise
    except Terminated:  # before or after a command's own error boundary
        sys.exit(143)
    except Exception as exc:
        if os.environ.get("COPROCURE_DEBUG"):
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in coprocure; "
                  "rerun with COPROCURE_DEBUG=1 for details and report it.")
        sys.exit(3)
