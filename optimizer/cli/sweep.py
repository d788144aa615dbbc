"""`coprocure sweep`: one or two workbook values varied, or a named trade-off curve."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli import tables
from optimizer.cli.console import (
    default_output,
    err,
    executor_for,
    output_path,
    progress_bar,
    run_action,
    wide_console,
)
from optimizer.cli.options import (
    JsonOpt,
    QuietOpt,
    Scenario,
    SchedulerOpt,
    StrategyOpt,
    SweepColumnsOpt,
    SweepOutputOpt,
    WideOpt,
    WorkersOpt,
)
from optimizer.cli.tables import DAYS, MONEY, NUMBER, QTY, SHARE, TEXT, Col, choose
from optimizer.cli.validate import show_warnings
from optimizer.errors import CoprocureError

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.planning.sweep import Vary


def sweep(
    scenario: Scenario,
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="SHEET:WHERE:COLUMN=START:STOP:STEPS, e.g. "
        "'Policies:policy=country-cap:share=1.0:0.5:11' or 'Settings::discount_rate=0:0.1:6'. "
        "Twice for a grid. A rule with active = no stays off: vary it under a strategy that "
        "switches it on (--strategy crma-65 for that cap in the shipped scenario).")] = None,
    curve: Annotated[str | None, typer.Option(
        "--curve", help="A named trade-off curve: diversification (cost against the "
        "largest share of any one country) or stockpile (cost against days of cover).")] = None,
    strategy: StrategyOpt = "base", output: SweepOutputOpt = None, as_json: JsonOpt = False,
    quiet: QuietOpt = False, workers: WorkersOpt = None, scheduler: SchedulerOpt = None,
    columns: SweepColumnsOpt = None, wide: WideOpt = False,
) -> None:
    """Solve the scenario at every value of one or two workbook values and write the
    curve (or grid) with a chart. Infeasible points are reported and the sweep goes on.

    Example: coprocure sweep scenarios/japan-eu-2030.xlsx --curve diversification
    """
    run_action(lambda: run_sweep_command(scenario, vary or [], curve, strategy, output,
                                         as_json, quiet, workers, scheduler, columns, wide),
               as_json)


def run_sweep_command(scenario: Path, varies: list[str], curve: str | None, strategy: str,
                      output: Path | None, as_json: bool, quiet: bool,
                      workers: int | None = None, scheduler: str | None = None,
                      columns: str | None = None, wide: bool = False) -> int:
    # refused before the solve stack is even imported
    kind = f"sweep-{curve}" if curve else "sweep"
    target = output_path(output, default_output(scenario, strategy, kind), scenario)
    from optimizer.planning.sweep import CURVES, parse_vary, run_sweep, sweep_table
    from optimizer.reports.provenance import Provenance
    from optimizer.reports.sweep import VARIED, write_sweep
    from optimizer.reports.sweep import varied as varied_words
    from optimizer.workbook.load import load_workbook

    if bool(varies) == bool(curve) or len(varies) > 2:
        raise CoprocureError("give one or two --vary, or one --curve (diversification or "
                             "stockpile)")
    extend = None
    if curve:
        if curve not in CURVES:
            raise CoprocureError(f"unknown curve {curve!r}: diversification or stockpile")
        parsed, extend = [CURVES[curve][0]], CURVES[curve][1]
    else:
        parsed = [parse_vary(v) for v in varies]
    loaded = load_workbook(scenario)
    partners = [Col(f"cost:{b}", f"cost_pv:{b}", f"cost\n{b}", MONEY)
                for b in loaded.scenario(strategy).buyers]
    cols = choose([*SWEEP_COLUMNS, *partners], SWEEP_DEFAULT, columns, wide)  # before solving
    show = not (quiet or as_json)
    if show:
        show_warnings(loaded)
    with executor_for(workers, scheduler, show) as executor, \
            progress_bar(show, "solving") as tracker:
        points = run_sweep(loaded, parsed, strategy, extend=extend, progress=tracker,
                           executor=executor)
    sweep_rows = sweep_table(parsed, points)
    s = loaded.scenario(strategy).settings
    title = f"{s.name}: strategy {strategy}, " + " x ".join(v.label for v in parsed)
    compiled_once = any(p.run is not None and p.run.options.get("parametric") for p in points)
    prov = replace(Provenance.of(loaded, strategy), computed_on="this process (compiled once, "
                   "solved warm)" if compiled_once else executor.description)
    write_sweep(target, sweep_rows, parsed, s.unit, s.currency, title, prov)
    if as_json:
        sys.stdout.write(json.dumps({"varied": [v.label for v in parsed],
                                     "points": _json_rows(sweep_rows),
                                     "output": str(target)}, indent=2, default=str) + "\n")
    elif not quiet:
        rows = sweep_rows.to_dict("records")
        varied = [Col(v.label, v.label, VARIED.get(v.column, (v.column,))[0], _kind(v))
                  for v in parsed]  # "upfront cost", not upfront_cost
        against = " and ".join(varied_words(v, s.unit, s.currency).subject for v in parsed)
        wide_console().print(tables.table(rows, varied, cols, s.unit, s.currency,
                                          title=f"{s.name}, strategy {strategy}: total "
                                          f"cost against {against}"))
        err.print(f"wrote {target}")
    return 0


SWEEP_COLUMNS = (
    Col("status", "status", "status", TEXT),
    Col("cost", "total_cost", "total\ncost", MONEY),
    Col("objective", "objective", "cost with\npenalties", MONEY),
    Col("largest", "largest_country_share", "largest\ncountry", SHARE),
    Col("china", "china_share", "China", SHARE),
    Col("cover", "end_days_of_cover", "cover", DAYS),
    Col("shortfall", "shortfall", "shortfall", QTY),
)
SWEEP_DEFAULT = ("status", "cost", "largest", "china", "cover", "shortfall")


def _json_rows(rows: pd.DataFrame) -> list[dict]:
    """The points for --json: a figure that is undefined (a share of nothing bought) or
    absent (an infeasible point) is null, never NaN, which is not JSON."""
    return rows.astype(object).where(rows.notna(), None).to_dict("records")


def _kind(v: Vary) -> str:
    """How the varied value reads: a fraction as a percentage, anything else as typed."""
    from optimizer.workbook.schema import SETTING_BY_NAME, SHEET_BY_NAME, SheetName

    try:
        column = (SETTING_BY_NAME[v.column].column if v.sheet == SheetName.SETTINGS
                  else SHEET_BY_NAME[v.sheet].column(v.column))
    except KeyError:
        return NUMBER
    return SHARE if column.unit == "fraction" else NUMBER
