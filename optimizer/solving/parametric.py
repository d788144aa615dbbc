"""Sweeps that compile once: the swept value as data in the Pyomo model, HiGHS kept warm.

When every point of a one-way sweep has the same LP structure and the swept value moves
only right-hand sides (capacity, minimum offtake, reserve floors, ceilings, budgets) or
cap shares, each affinely, the model is built once with those numbers written as
``a + b * m.sweep_value`` (a fixed variable) and compiled once by Pyomo's parameterized
standard-form compiler, which keeps them symbolic. Each point then evaluates those few
entries, changes them in the same HiGHS instance, and re-solves from the previous basis.
Anything else (demand, prices, structure) falls back to planning every point.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.parameterized_standard_form import (
    ParameterizedLinearStandardFormCompiler,
)

from models.build import build_model
from models.data import ScenarioData
from models.index import ModelIndex, build_index
from optimizer.solving.checker import check_plan
from optimizer.solving.extract import extract
from optimizer.solving.highs import HIGHS_OPTIONS, CompiledLP, Outcome, WarmSolver
from optimizer.solving.plan import PlanRun

if TYPE_CHECKING:
    from pyomo.repn.plugins.standard_form import LinearStandardFormInfo

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
        values = [_get(ix, field, key) for ix in ixs]
        if all(abs(v - values[0]) <= TOL * max(1.0, abs(values[0])) for v in values):
            continue
        b = (values[1] - values[0]) / (x1 - x0)
        a = values[0] - b * x0
        if any(abs(a + b * x - v) > 1e-7 * max(1.0, abs(v)) for x, v in zip(xs, values,
                                                                              strict=True)):
            return None
        changes.append((field, key, a, b))
    return changes


def _get(ix: ModelIndex, field: str, key: Any) -> float:
    return ix.caps[key].policy.share if field == "share" else getattr(ix, field)[key]


def _with(ix: ModelIndex, changes: list[Change],
          value_of: Callable[[float, float], Any]) -> ModelIndex:
    """A copy of ``ix`` whose changing entries are ``value_of(a, b)``."""
    out = copy.copy(ix)
    for field in {f for f, *_ in changes if f != "share"}:
        setattr(out, field, dict(getattr(ix, field)))
    caps = list(ix.caps)
    for field, key, a, b in changes:
        if field == "share":
            caps[key] = replace(caps[key], policy=replace(caps[key].policy,
                                                          share=value_of(a, b)))
        else:
            getattr(out, field)[key] = value_of(a, b)
    out.caps = caps
    return out


def _evaluate(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=float)
    numeric = np.ones(len(values), dtype=bool)
    numeric[idx] = False
    out[numeric] = np.asarray([values[i] for i in np.flatnonzero(numeric)], dtype=float)
    out[idx] = [pyo.value(values[i]) for i in idx]
    return out


def _symbolic(values: np.ndarray) -> np.ndarray:
    return np.asarray([i for i, v in enumerate(values) if not isinstance(v, int | float
                                                                          | np.number)],
                      dtype=np.int64)


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
        info = ParameterizedLinearStandardFormCompiler().write(
            m, wrt=[m.sweep_value], mixed_form=True, set_sense=None)
        compile_s = time.perf_counter() - t0
        runs = _solve_points(datas, xs, m, info, changes, compile_s)
    return runs


def _solve_points(datas: list[ScenarioData], xs: list[float], m: pyo.ConcreteModel,
                  info: LinearStandardFormInfo, changes: list[Change],
                  compile_s: float) -> list[PlanRun]:
    columns = info.columns
    lower = np.array([-np.inf if v.lb is None else v.lb for v in columns], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in columns], dtype=float)
    sense = np.array([s for _, s in info.rows], dtype=int)
    a_idx, r_idx = _symbolic(info.A.data), _symbolic(info.rhs)
    cost = np.asarray(info.c.todense(), dtype=float).ravel() if info.c.shape[0] else \
        np.zeros(len(columns))
    offset = float(pyo.value(info.c_offset[0])) if len(info.c_offset) else 0.0
    indices = np.asarray(info.A.indices, dtype=np.int32)
    indptr = np.asarray(info.A.indptr, dtype=np.int32)
    entry_col = np.searchsorted(indptr, np.arange(len(info.A.data)), side="right") - 1
    column_of = {id(v): j for j, v in enumerate(columns)}
    row_of = {id(c): i for i, (c, _) in enumerate(info.rows)}
    solver = WarmSolver(datas[0].settings.time_limit_s)
    runs: list[PlanRun] = []
    previous: CompiledLP | None = None
    for data, x in zip(datas, xs, strict=True):
        t0 = time.perf_counter()
        m.sweep_value.fix(x)
        rhs = _evaluate(info.rhs, r_idx)
        values = _evaluate(info.A.data, a_idx)
        lp = CompiledLP(columns=columns, rows=info.rows, column_of=column_of, row_of=row_of,
                        cost=cost, offset=offset, col_lower=lower, col_upper=upper,
                        row_lower=np.where(sense == 1, -np.inf, rhs),
                        row_upper=np.where(sense == -1, np.inf, rhs),
                        matrix=scipy.sparse.csc_array((values, indices, indptr),
                                                      shape=info.A.shape))
        changed = [] if previous is None else a_idx[values[a_idx] != previous.matrix.data[a_idx]]
        outcome = solver.solve(
            lp, ((int(indices[e]), int(entry_col[e]), float(values[e])) for e in changed),
            {"compile_s": compile_s if previous is None else 0.0},
            dict(HIGHS_OPTIONS, parametric=True))
        outcome.timings["solve_s"] = time.perf_counter() - t0
        previous = lp
        runs.append(_as_run(data, m, outcome, changes, x))
    return runs


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
