"""The options several commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Scenario = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on "
                                       "stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or tables on the "
                                        "terminal.")]
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
WideOpt = Annotated[bool, typer.Option("--wide", help="Show every column of the terminal "
                                       "table (wider than 80 columns).")]
ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="Comma-separated columns of the terminal table, e.g. "
    "'cost,vs-base,china' (an unknown name lists the choices).", show_default=False)]
