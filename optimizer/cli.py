"""The `coprocure` command line: thin Typer commands over one error boundary.

This is the one place that prints and picks exit codes (SPEC 6): 0 success, 1 invalid
input or infeasible scenario, 2 usage error (Typer's own), 3 solver failure. Messages
and progress go to stderr; `--json` output alone goes to stdout.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from optimizer.issues import CoprocureError, InputError, Issue

app = typer.Typer(
    name="coprocure",
    help="Joint procurement of critical materials: plan, compare and stress-test purchases "
    "from an Excel scenario workbook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, markup=False)  # workbook text, verbatim
if not err.is_terminal:  # logs and pipes: wide enough that tables do not fold every word
    err.width = 160  # (optimizer.commands.wide_console does the same for stdout)

Scenario = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on "
                                       "stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or tables on the "
                                        "terminal.")]


def _run(action: Callable[[], int], as_json: bool = False) -> None:
    """The error boundary: domain errors become a message and an exit code, never a trace."""
    try:
        code = action()
    except InputError as exc:
        if as_json:
            _print_json({"valid": False, "issues": [i.as_dict() for i in exc.issues]})
        else:
            _issue_table(exc.issues)
        raise typer.Exit(1) from None
    except CoprocureError as exc:
        if as_json:
            _print_json({"error": str(exc)})
        err.print(f"error: {exc}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def _issue_table(issues: list[Issue], title: str | None = None) -> None:
    if len(issues) == 1 and issues[0].sheet is None:
        err.print(issues[0].one_line(), soft_wrap=True)  # a file-level problem: one line
        return
    table = Table(title=title, show_lines=False, expand=False)
    for name in ("", "code", "sheet", "row", "col", "value found", "expected", "problem"):
        table.add_column(name, overflow="fold")
    for i in issues:
        table.add_row("E" if i.is_error else "W", i.code, i.sheet or "", str(i.row or ""),
                      i.column or "", "" if i.value is None else str(i.value),
                      i.expected or "", i.message)
    err.print(table)


@app.command()
def validate(scenario: Scenario, as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Check a scenario workbook and every strategy in it; list every problem at once.

    Exit 0 when valid (warnings allowed), 1 when not.

    Example: coprocure validate scenarios/japan-eu-2030.xlsx
    """
    from optimizer.loader import load_workbook

    def action() -> int:
        loaded = load_workbook(scenario)
        errors, warnings = loaded.errors, loaded.warnings
        if as_json:
            _print_json({"file": str(scenario), "valid": not errors, "errors": len(errors),
                         "warnings": len(warnings), "strategies": loaded.strategy_names,
                         "issues": [i.as_dict() for i in loaded.issues]})
        elif not quiet or errors:
            if loaded.issues:
                _issue_table(loaded.issues)
            verdict = "is not valid" if errors else "is valid"
            err.print(f"{scenario.name} {verdict}: {len(errors)} error(s), {len(warnings)} "
                      f"warning(s); strategies: {', '.join(loaded.strategy_names)}")
        return 1 if errors else 0

    _run(action, as_json)


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the blank workbook (.xlsx).",
                                         show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an annotated blank scenario workbook with example rows and dropdowns.

    Example: coprocure template my-scenario.xlsx
    """
    from optimizer.template import write_template

    def action() -> int:
        if path.exists() and not force:
            raise CoprocureError(f"{path} exists: choose another name or pass --force")
        write_template(path)
        err.print(f"wrote {path}: fill in the sheets (the README sheet explains each), then "
                  f"run: coprocure validate {path}")
        return 0

    _run(action)


StrategyOpt = Annotated[str, typer.Option("--strategy", "-s", help="Strategy of the workbook "
                                          "to plan (default: the base workbook).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Results workbook to "
                                                "write (default: SCENARIO-STRATEGY-results.xlsx "
                                                "in the current folder).")]


WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Solving processes on this machine, this one included "
    "(default: one per core; 1 solves everything in this process).", show_default=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run the batch on the Dask cluster whose scheduler is at this "
    "address, e.g. tcp://10.0.0.5:8786 (see docs/cluster.md).", show_default=False)]


@app.command()
def solve(scenario: Scenario, strategy: StrategyOpt = "base", output: OutputOpt = None,
          as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Plan one strategy at least cost and write the results workbook.

    Exit 0 with a plan, 1 when the workbook is invalid or the rules cannot all be met
    (then run `coprocure diagnose`), 3 when the solver fails or runs out of time.

    Example: coprocure solve scenarios/japan-eu-2030.xlsx --strategy crma-65
    """
    from optimizer.commands import run_solve

    _run(lambda: run_solve(scenario, strategy, output, as_json, quiet, err), as_json)


@app.command()
def diagnose(scenario: Scenario, strategy: StrategyOpt = "base", as_json: JsonOpt = False) -> None:
    """Explain why a scenario cannot be planned: the smallest set of conflicting rules, in
    the workbook's own words, and how far each would have to bend.

    Exit 0 when the scenario is feasible (nothing to explain), 1 when it is not.

    Example: coprocure diagnose my-scenario.xlsx --strategy crma-65
    """
    from optimizer.commands import run_diagnose

    _run(lambda: run_diagnose(scenario, strategy, as_json, err), as_json)


@app.command()
def compare(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to include (repeat; default: all of them). The "
        "base workbook is always included.")] = None,
    output: OutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
) -> None:
    """Plan the base workbook and every strategy, and write one comparison workbook: the
    strategies side by side, the value of coordination and its fair split, and charts.

    An infeasible strategy is reported with its diagnosis and does not stop the run.

    Example: coprocure compare scenarios/japan-eu-2030.xlsx
    """
    from optimizer.commands import run_compare

    _run(lambda: run_compare(scenario, strategy or [], output, as_json, quiet, err, workers,
                             scheduler), as_json)


@app.command()
def stress(
    scenario: Scenario,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="Strategy to plan and stress (repeat; default: all).")] = None,
    disruptions: Annotated[Path | None, typer.Option(
        "--disruptions", help="Take the Disruptions sheet from this workbook instead.")] = None,
    output: OutputOpt = None, as_json: JsonOpt = False, quiet: QuietOpt = False,
    workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
) -> None:
    """Plan each strategy, then hold its contracts and let the partners react in every
    disruption scenario: cost, shortfall, periods below the reserve floor; expected and
    worst case per strategy; EVPI and VSS for robust strategies.

    Example: coprocure stress scenarios/japan-eu-2030.xlsx --strategy base --strategy robust
    """
    from optimizer.commands import run_stress

    _run(lambda: run_stress(scenario, strategy or [], disruptions, output, as_json, quiet, err,
                            workers, scheduler), as_json)


@app.command()
def sweep(
    scenario: Scenario,
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="SHEET:WHERE:COLUMN=START:STOP:STEPS, e.g. "
        "'Policies:policy=country-cap:share=1.0:0.5:11' or 'Settings::discount_rate=0:0.1:6'. "
        "Twice for a grid.")] = None,
    curve: Annotated[str | None, typer.Option(
        "--curve", help="A named trade-off curve: diversification (cost against the "
        "largest share of any one country) or stockpile (cost against days of cover).")] = None,
    strategy: StrategyOpt = "base", output: OutputOpt = None, as_json: JsonOpt = False,
    quiet: QuietOpt = False, workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
) -> None:
    """Solve the scenario at every value of one or two workbook values and write the
    curve (or grid) with a chart. Infeasible points are reported and the sweep goes on.

    Example: coprocure sweep scenarios/japan-eu-2030.xlsx --curve diversification
    """
    from optimizer.commands import run_sweep_command

    _run(lambda: run_sweep_command(scenario, vary or [], curve, strategy, output, as_json,
                                   quiet, err, workers, scheduler), as_json)


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


if __name__ == "__main__":
    main()
