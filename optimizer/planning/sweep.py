"""Sweeps and trade-off curves (SPEC 6 `sweep`): one workbook value varied over a range.

``--vary SHEET:WHERE:COLUMN=START:STOP:STEPS`` sets COLUMN of the rows of SHEET that
match WHERE (as a Strategies row would) to STEPS evenly spaced values from START to
STOP; for a setting, ``Settings::NAME=START:STOP:STEPS``. Two ``--vary`` make a grid.
Every point is planned (an infeasible point is a row with its status, and the sweep
carries on); points reuse plans and the base point's basis as strategies do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.data import ScenarioData
from optimizer.errors import InputError, Issue, error
from optimizer.planning.batch import BatchPlanner
from optimizer.runs.executor import Executor, Tracker
from optimizer.solving.parametric import parametric_sweep
from optimizer.solving.plan import PlanRun
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.load import LoadedWorkbook
from optimizer.workbook.rules import Checked, checked_tables
from optimizer.workbook.scenario_data import build_scenario
from optimizer.workbook.schema import SheetName
from optimizer.workbook.strategies import Strategy, apply_strategy

SOURCE = "--vary"


@dataclass(frozen=True)
class Vary:
    sheet: str
    where: str
    column: str
    values: tuple[float, ...]

    @property
    def label(self) -> str:
        where = f"[{self.where}]" if self.where else ""
        return f"{self.sheet}{where}.{self.column}"


def parse_vary(text: str) -> Vary:
    """Read SHEET:WHERE:COLUMN=START:STOP:STEPS; raise InputError saying what is wrong."""
    def bad(why: str) -> InputError:
        return InputError([error("strategy-where-invalid", f"--vary {text!r}: {why}",
                                 sheet=SOURCE, value=text,
                                 expected="SHEET:WHERE:COLUMN=START:STOP:STEPS")])

    target, sep, span = text.rpartition("=")  # WHERE has "=" of its own
    parts = target.split(":")
    if not sep or len(parts) != 3:
        raise bad("expected SHEET:WHERE:COLUMN before '='")
    numbers = span.split(":")
    if len(numbers) != 3:
        raise bad("expected START:STOP:STEPS after '='")
    try:
        start, stop, steps = float(numbers[0]), float(numbers[1]), int(numbers[2])
    except ValueError:
        raise bad("START and STOP must be numbers and STEPS a whole number") from None
    if steps < 1:
        raise bad("STEPS must be at least 1")
    values = tuple(float(v) for v in np.linspace(start, stop, steps)) if steps > 1 else (start,)
    sheet, where, column = (p.strip() for p in parts)
    return Vary(sheet, where, column, values)


@dataclass
class SweepPoint:
    values: tuple[float, ...]
    run: PlanRun | None
    issues: list[Issue]


FRONTIER_POLICY = "any-one-country"


def frontier_tables(tables: Tables) -> Tables:
    """The tables plus an active coalition cap on the share of any one country, to vary."""
    rows = dict(tables.rows)
    rows[SheetName.POLICIES] = [*tables[SheetName.POLICIES], Row(SheetName.POLICIES, None, {
        "policy": FRONTIER_POLICY, "kind": "max_country_share", "target": "*",
        "buyer": "coalition", "material": "*", "share": 1.0, "scope": "period",
        "penalty": None, "active": True, "source": None,
        "note": "added by coprocure sweep --curve diversification"})]
    return Tables(rows, tables.unreadable)


CURVES = {
    # the diversification frontier: cost against the largest share any one country may have
    "diversification": (Vary(SheetName.POLICIES, f"policy={FRONTIER_POLICY}", "share",
                             tuple(float(x) for x in np.linspace(1.0, 0.3, 15))),
                        frontier_tables),
    # where the reserve stops paying: cost against days of cover required
    "stockpile": (Vary(SheetName.STOCKPILE, "", "min_days",
                       tuple(float(x) for x in np.linspace(0.0, 180.0, 13))), None),
}


def scenario_at(loaded: LoadedWorkbook, strategy: str, varies: list[Vary],
                values: tuple[float, ...], extend: Callable[[Tables], Tables] | None = None,
                start: tuple[Tables, Checked] | None = None
                ) -> tuple[ScenarioData | None, list[Issue]]:
    """The scenario of ``strategy`` with each varied value set; or the problems found.
    ``start``: the tables the points vary (:func:`sweep_start`) and their checks, for
    re-running only the checks that look at a varied sheet."""
    tables, checked = start if start is not None else sweep_start(loaded, strategy, extend)
    rows = tuple(Row(SOURCE, None, {"strategy": "sweep", "sheet": v.sheet, "where": v.where,
                                    "column": v.column, "value": value})
                 for v, value in zip(varies, values, strict=True))
    applied, changes, issues = apply_strategy(tables, Strategy("sweep", rows))
    issues += [i for i in checked_tables(applied, checked, {c.sheet for c in changes}).issues
               if i.is_error]
    if any(i.is_error for i in issues):
        return None, issues
    return build_scenario(applied), []


def sweep_start(loaded: LoadedWorkbook, strategy: str,
                extend: Callable[[Tables], Tables] | None = None) -> tuple[Tables, Checked]:
    """The tables a sweep of ``strategy`` varies, and their checks."""
    tables, _ = loaded.tables_for(strategy)
    if extend is not None:
        tables = extend(tables)
    return tables, checked_tables(tables)


def run_sweep(loaded: LoadedWorkbook, varies: list[Vary], strategy: str = "base",
              progress: Tracker | None = None,
              extend: Callable[[Tables], Tables] | None = None,
              executor: Executor | None = None) -> list[SweepPoint]:
    """Every point planned: compiled once and solved warm in this process when one value
    varies affinely, otherwise as a batch through ``executor`` with reuse."""
    if loaded.errors:
        raise InputError(loaded.issues)
    # an unknown strategy is an input error before any solve
    start = sweep_start(loaded, strategy, extend)
    grid = list(itertools.product(*(v.values for v in varies)))
    at = [scenario_at(loaded, strategy, varies, values, start=start) for values in grid]
    # A --vary that names a sheet or column that does not exist fails every point alike:
    # say so once, before solving anything.
    structural = [i for i in at[0][1] if i.sheet == SOURCE]
    if structural:
        raise InputError(structural)
    labels = [", ".join(f"{v.column}={x:g}" for v, x in zip(varies, values, strict=True))
              for values in grid]
    runs: Sequence[PlanRun | None] | None = None
    if len(varies) == 1 and all(data is not None for data, _ in at):
        runs = parametric_sweep([data for data, _ in at if data is not None],  # all of them
                                [g[0] for g in grid])
        if runs is not None and progress:  # solved already: the bar jumps to the end
            progress.expect(len(runs))
            for label in labels:
                progress(label)
    if runs is None:
        valid = [(data, label) for (data, _), label in zip(at, labels, strict=True)
                 if data is not None]
        planned = iter(BatchPlanner(executor, reuse=True, progress=progress).plan(
            [d for d, _ in valid], [label for _, label in valid]))
        runs = [next(planned)[0] if data is not None else None for data, _ in at]
    return [SweepPoint(values, run, issues)
            for values, run, (_, issues) in zip(grid, runs, at, strict=True)]


def sweep_table(varies: list[Vary], points: list[SweepPoint]) -> pd.DataFrame:
    rows = []
    for p in points:
        row: dict[str, object] = {v.label: x for v, x in zip(varies, p.values, strict=True)}
        if p.run is None:
            row["status"] = "INVALID"
            row["problem"] = "; ".join(i.one_line() for i in p.issues[:3])
        elif p.run.result is None:
            row["status"] = str(p.run.status).upper()
            row["problem"] = "; ".join(m for m, _ in p.run.reasons) or str(p.run.status)
        else:
            result = p.run.result
            buyers = result.buyers.set_index("buyer")
            coalition = buyers.loc["coalition"]
            row.update({"status": str(p.run.status), "objective": result.objective,
                        "total_cost": result.total_cost,
                        "largest_country_share": coalition["largest_country_share"],
                        "china_share": coalition["china_share"],
                        "end_days_of_cover": coalition["end_days_of_cover"],
                        "shortfall": coalition["shortfall"]})
            for b, cost in buyers["cost_pv"].items():
                if b != "coalition":
                    row[f"cost_pv:{b}"] = cost
        rows.append(row)
    return pd.DataFrame(rows)
