"""Sweeps that compile once: the swept value as data in the Pyomo model, HiGHS kept warm.

When every point of a one-way sweep has the same LP structure and the swept value moves
only right-hand sides (capacity, minimum offtake, reserve floors, ceilings, budgets) or
cap shares, each affinely, the model is built once with those numbers written as
``a + b * m.sweep_value`` and compiled once. Right-hand sides only: the swept value is a
column of the LP, compiled by the plain standard-form compiler, whose bounds each point
fixes (:class:`_ColumnSweep`). Cap shares multiply purchases, so there it is a fixed
variable kept symbolic by Pyomo's parameterized standard-form compiler, and each point
evaluates those few entries (:class:`~optimizer.solving.resolve.Resolver`). Either way
each point changes the same HiGHS instance and re-solves from the previous basis.
Anything else (demand, prices, structure) falls back to planning every point.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import build_model
from models.data import ScenarioData
from models.index import ModelIndex, build_index, entry_value, with_values
from optimizer.solving.checker import check_plan
from optimizer.solving.extract import extract
from optimizer.solving.highs import (  # _run: as the Resolver re-solves
    HIGHS_OPTIONS,
    Outcome,
    _run,
    compile_lp,
    new_highs,
    pass_lp,
    read_outcome,
)
from optimizer.solving.plan import PlanRun
from optimizer.solving.resolve import Resolver

RHS_FIELDS = ("capacity", "offtake", "floor", "ceiling", "budgets")
FIXED_FIELDS = ("periods", "arcs", "arrival", "lead", "stock_keys", "demand", "initial",
                "holding", "transfers", "transfer_cost", "transfer_limit", "arc_cost",
                "discount", "days", "shortage_penalty", "impossible")
TOL = 1e-9

# (field, key, a, b): value = a + b * x; the key is a position in ``caps`` for "share", else
# a key of the index's dict ``field``
Change = tuple[str, Any, float, float]


def _structure(ix: ModelIndex) -> tuple:
    caps = tuple((c.policy.name, c.policy.kind, c.policy.target, c.policy.buyer,
                  c.policy.material, c.period, c.policy.penalty, c.capped, c.counted)
                 for c in ix.caps)
    return (tuple(ix.floor), tuple(ix.ceiling), tuple(ix.budgets), tuple(ix.offtake),
            tuple(ix.capacity), caps)


def affine_changes(ixs: list[ModelIndex], xs: list[float]) -> list[Change] | None:
    """The index entries that move with the swept value, each as (a, b); None when the
    points differ in anything else, or not affinely."""
    first = ixs[0]
    if any(_structure(ix) != _structure(first) for ix in ixs[1:]):
        return None
    for name in FIXED_FIELDS:
        if any(getattr(ix, name) != getattr(first, name) for ix in ixs[1:]):
            return None
    x0, x1 = xs[0], xs[1]
    changes: list[Change] = []
    entries = [(f, k) for f in RHS_FIELDS for k in getattr(first, f)]
    entries += [("share", p) for p in range(len(first.caps))]
    for field, key in entries:
        values = [entry_value(ix, (field, key)) for ix in ixs]
        if all(abs(v - values[0]) <= TOL * max(1.0, abs(values[0])) for v in values):
            continue
        b = (values[1] - values[0]) / (x1 - x0)
        a = values[0] - b * x0
        if any(abs(a + b * x - v) > 1e-7 * max(1.0, abs(v)) for x, v in zip(xs, values,
                                                                              strict=True)):
            return None
        changes.append((field, key, a, b))
    return changes


def _with(ix: ModelIndex, changes: list[Change],
          value_of: Callable[[float, float], Any]) -> ModelIndex:
    """A copy of ``ix`` whose changing entries are ``value_of(a, b)``."""
    return with_values(ix, {(field, key): value_of(a, b) for field, key, a, b in changes})


def parametric_sweep(datas: list[ScenarioData], xs: list[float]) -> list[PlanRun] | None:
    """Plan every point by compiling once; None when the sweep does not qualify."""
    if len(xs) < 3 or len(set(xs)) < len(xs) or any(d.deals for d in datas):
        return None  # a MIP (deals) is solved point by point: no warm LP re-solve
    with PauseGC():
        t0 = time.perf_counter()
        probes = [0, 1, len(xs) - 1]
        ixs = [build_index(datas[i]) for i in probes]
        changes = affine_changes(ixs, [xs[i] for i in probes])
        if not changes or ixs[0].impossible:
            return None
        m = pyo.ConcreteModel(name=datas[0].settings.name)
        m.sweep_value = pyo.Var()
        m.sweep_value.fix(xs[0])
        build_model(datas[0], _with(ixs[0], changes, lambda a, b: a + b * m.sweep_value),
                    model=m)
        limit = datas[0].settings.time_limit_s
        solver: Resolver | _ColumnSweep = _ColumnSweep(m, limit) if all(
            field in RHS_FIELDS for field, *_ in changes) else Resolver(
            m, [m.sweep_value], time_limit_s=limit, warm="previous")
        compile_s = time.perf_counter() - t0
        runs: list[PlanRun] = []
        for data, x in zip(datas, xs, strict=True):
            t1 = time.perf_counter()
            m.sweep_value.set_value(x)
            outcome = solver.solve()
            outcome.timings.update(compile_s=compile_s if not runs else 0.0,
                                   solve_s=time.perf_counter() - t1)
            outcome.options = dict(outcome.options, parametric=True)
            runs.append(_as_run(data, m, outcome, changes, x))
    return runs


class _ColumnSweep:
    """A sweep that moves right-hand sides only, compiled by the plain standard-form
    compiler: the swept value is a column of the LP (each moving right-hand side
    ``a + b * x`` becomes the row's constant ``a`` and the entry ``-b`` in that column)
    whose bounds each point fixes at its value, in one HiGHS instance re-solved from the
    previous basis. Pyomo's parameterized compiler, which a cap share needs (it
    multiplies purchases), took 3.2 s on the medium benchmark model against 0.5 s for
    this one."""

    def __init__(self, m: pyo.ConcreteModel, time_limit_s: float | None) -> None:
        self.value = m.sweep_value
        self.value.unfix()  # a free column in Pyomo; its bounds live in the LP's arrays
        self.lp = compile_lp(m)
        # None: no row the sweep moves is in the LP (every point is the same LP)
        self.column = self.lp.column_of.get(id(self.value))
        self.h = new_highs(time_limit_s)
        self.options: dict[str, object] = dict(HIGHS_OPTIONS, time_limit=time_limit_s,
                                               compiled_once=True)
        self.passed = False

    def solve(self) -> Outcome:
        """The plan for the swept value's current value."""
        t0 = time.perf_counter()
        x = float(self.value.value)
        lp = self.lp
        if self.column is not None:
            lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
            lower[self.column] = upper[self.column] = x
            lp = replace(lp, col_lower=lower, col_upper=upper)
        if self.passed and self.column is not None:
            self.h.changeColBounds(self.column, x, x)
        elif not self.passed:
            pass_lp(self.h, lp)
            self.passed = True
        t1 = time.perf_counter()
        _run(self.h)
        timings = {"update_s": t1 - t0, "solve_s": time.perf_counter() - t1}
        return read_outcome(self.h, lp, timings, self.options)


def _as_run(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome, changes: list[Change],
            x: float) -> PlanRun:
    if not outcome.status.has_plan:
        return PlanRun(outcome.status, None, timings=outcome.timings, options=outcome.options,
                       outcome=outcome, solver_status=outcome.solver_status)
    t0 = time.perf_counter()
    parametric_ix = m.ix
    m.ix = _with(parametric_ix, changes, lambda a, b: a + b * x)  # this point's numbers
    try:
        result = extract(data, m, outcome, detail=False)
    finally:
        m.ix = parametric_ix
    violations = check_plan(data, result.purchases, result.transfers, result.stock,
                            objective=result.objective, processing=result.processing)
    timings = dict(outcome.timings, extract_s=time.perf_counter() - t0)
    return PlanRun(outcome.status, result, violations=violations, timings=timings,
                   options=outcome.options, outcome=outcome)
