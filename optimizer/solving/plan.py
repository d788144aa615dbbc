"""Plan one scenario: build, solve, extract, check; the outcome is data, never a crash.

This is what `solve`, `compare` and every batch call: a :class:`PlanRun` says whether a
plan exists (typed status), carries its tables and figures, the checker's verdict, the
timings of each stage and the solver options, so any report can state its provenance.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import build_model
from models.data import ScenarioData
from models.index import build_index
from optimizer.solving.checker import Violation, check_plan
from optimizer.solving.extract import PlanResult, extract
from optimizer.solving.highs import HIGHS_OPTIONS, Basis, Outcome, Status, WarmStart, solve_model


@dataclass
class PlanRun:
    status: Status
    result: PlanResult | None
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (message, workbook row)
    violations: list[Violation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    outcome: Outcome | None = None  # in this process only: it holds the model and HiGHS
    solver_status: str = ""  # HiGHS's own words for the model status
    basis: Basis | None = None  # the optimal basis, when asked for (a reference for reuse)

    @property
    def objective(self) -> float | None:
        return None if self.result is None else self.result.objective


def solve_plan(data: ScenarioData, check: bool = True, warm: WarmStart | None = None,
               signing: Mapping[str, bool] | None = None) -> PlanRun:
    """The checked plan of ``data``. ``signing`` fixes the decision on the deals it names
    (signed or not), for what-ifs: what signing a deal would cost, the plan with another
    plan's signing."""
    # Building, compiling and reading a model creates millions of small objects and no
    # reference cycles worth collecting meanwhile: Python's cyclic garbage collector took
    # about half of the build time at the benchmark sizes (benchmarks/README.md). Pyomo's
    # own writers pause it the same way.
    with PauseGC():
        return _plan(data, check, warm, signing or {})


def _plan(data: ScenarioData, check: bool, warm: WarmStart | None,
          signing: Mapping[str, bool]) -> PlanRun:
    t0 = time.perf_counter()
    ix = build_index(data)
    if ix.impossible:
        return PlanRun(Status.INFEASIBLE, None, reasons=list(ix.impossible),
                       timings={"build_s": time.perf_counter() - t0},
                       options=dict(HIGHS_OPTIONS))
    model = build_model(data, ix)
    for name, sign in signing.items():
        if name in ix.deals:
            model.sign[name].fix(1 if sign else 0)
    t1 = time.perf_counter()
    outcome = solve_model(model, data.settings.time_limit_s, warm, data.settings.mip_gap)
    return finish_plan(data, model, outcome, check, t0, t1 - t0)


def finish_plan(data: ScenarioData, model: pyo.ConcreteModel, outcome: Outcome, check: bool,
                t0: float, build_s: float) -> PlanRun:
    """The run of a solved model: its plan extracted from ``model`` (whose ``ix`` holds
    this scenario's numbers) and checked independently against ``data``; ``t0``: when
    planning this scenario began."""
    timings = {"build_s": build_s, **outcome.timings}
    if not outcome.status.has_plan:
        return PlanRun(outcome.status, None, timings=timings, options=outcome.options,
                       outcome=outcome, solver_status=outcome.solver_status)
    t2 = time.perf_counter()
    result = extract(data, model, outcome)
    t3 = time.perf_counter()
    timings["extract_s"] = t3 - t2
    violations = []
    if check:
        violations = check_plan(data, result.purchases, result.transfers, result.stock,
                                objective=outcome.objective, signed=result.signers,
                                brackets=result.brackets, processing=result.processing)
        timings["check_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0
    return PlanRun(outcome.status, result, violations=violations, timings=timings,
                   options=outcome.options, outcome=outcome,
                   solver_status=outcome.solver_status)
