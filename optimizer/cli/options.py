"""The options the commands share, declared once; where commands differ (the default name
of the workbook written, the columns of the table, what --quiet keeps), one per command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Scenario = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on "
                                       "stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, tables or notes on "
                                        "the terminal; errors are still reported.")]
ValidateQuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="Print nothing when the workbook is valid (the exit code says so); "
    "when it is not, its problems are still listed.")]
StrategyOpt = Annotated[str, typer.Option("--strategy", "-s", help="Strategy of the workbook "
                                          "to plan (default: the base workbook).")]
# Each command's own default name (console.default_output), SCENARIO being the scenario's
# file name without .xlsx.
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Results workbook to write (default: SCENARIO-results.xlsx in the "
    "current folder; SCENARIO-STRATEGY-results.xlsx for a strategy other than base).",
    show_default=False)]
CompareOutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Comparison workbook to write (default: SCENARIO-comparison.xlsx "
    "in the current folder).", show_default=False)]
StressOutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Stress-test workbook to write (default: SCENARIO-stress.xlsx in "
    "the current folder).", show_default=False)]
SweepOutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Sweep workbook to write (default: SCENARIO-sweep.xlsx in the "
    "current folder; SCENARIO-sweep-CURVE.xlsx with --curve; -STRATEGY after SCENARIO for a "
    "strategy other than base).", show_default=False)]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Solving processes on this machine, this one included "
    "(default: one per core; 1 solves everything in this process).", show_default=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run the batch on the Dask cluster whose scheduler is at this "
    "address, e.g. tcp://10.0.0.5:8786 (see docs/cluster.md).", show_default=False)]
WideOpt = Annotated[bool, typer.Option("--wide", help="Show every column of the terminal "
                                       "table (wider than 80 columns).")]
# Each command's example is taken from its own catalogue of columns (tests/test_messages.py).
CompareColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Comma-separated columns of the terminal table, e.g. "
    "'cost,vs-base,china' (an unknown name lists the choices).", show_default=False)]
StressColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Comma-separated columns of the terminal table, e.g. "
    "'plan,expected,worst' (an unknown name lists the choices).", show_default=False)]
SweepColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Comma-separated columns of the terminal table, e.g. "
    "'cost,china,shortfall', cost:PARTNER for one partner's cost (an unknown name lists the "
    "choices).", show_default=False)]
