"""The one module that talks to the solver: Pyomo model -> standard form -> HiGHS.

Everything that touches highspy is here: compiling, solving, warm starts and irreducible
infeasible subsets (:func:`infeasible_subset` and :func:`optimum`, for diagnosis);
re-solving one compiled LP for changed numbers is :mod:`optimizer.solving.resolve`,
through the functions here.

Pyomo's standard-form compiler turns the model into sparse arrays that are handed to
highspy in one `passModel` call (measured on a 130k-column procurement LP: 1.27x raw
highspy end to end, against 1.6-1.7x for `SolverFactory('highs')` and `appsi_highs`;
PITFALLS). The outcome is typed data: callers branch on :class:`Status`, never on
strings, and a non-optimal solve is a result, not an exception.

HiGHS options are fixed for the life of the process and recorded with every result:
its optimal vertex depends on them and on its version (PITFALLS), and changing
`threads` between solves in one process breaks the next solve.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

if TYPE_CHECKING:
    from pyomo.core.base.constraint import IndexedConstraint
    from pyomo.core.base.var import IndexedVar, VarData
    from scipy.sparse import csc_array

# The relative MIP gap when the workbook sets none (SPEC 4.1 `mip_gap`).
MIP_GAP = 1e-4

# Fixed for every solve; `time_limit` is added per scenario when set.
HIGHS_OPTIONS: dict[str, bool | int | float | str] = {
    "output_flag": False,
    "presolve": "on",
    "solver": "choose",
    "random_seed": 0,
    # One thread, in this process and in every batch worker: a plan must not depend on
    # where it was solved, and HiGHS's LP simplex is serial anyway.
    "threads": 1,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    # HiGHS's sub-MIP heuristics (RENS, RINS, root reduced cost) spent 21 of 26 s on the
    # robust extensive form of the shipped scenario, whose optimum randomized rounding had
    # found at 0.5 s; without them the shipped strategies plan in 12.7 s instead of 61.5 s
    # with the same objectives and signings, and bench_deals's 20 and 100-deal plans in
    # the same or less time with the same objectives. Other heuristics stay on.
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_root_reduced_cost": False,
}


class Status(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time limit, feasible plan"
    TIME_LIMIT_NO_SOLUTION = "time limit, no plan"
    ERROR = "solver error"
    NOT_AVAILABLE = "not available"

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.TIME_LIMIT)


@dataclass
class CompiledLP:
    """The LP as HiGHS receives it, with the maps back to Pyomo components."""

    columns: list  # Pyomo VarData per column
    rows: list  # (ConstraintData, sense) per row: sense 1 <=, -1 >=, 0 ==
    column_of: dict[int, int]  # id(VarData) -> column
    row_of: dict[int, int]  # id(ConstraintData) -> row
    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: csc_array
    # 1 for an integer (binary) column, per column; empty: every column continuous (an LP)
    integrality: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # (id(indexed component or named expression), kind) -> (a weak reference to it, its
    # members' positions, ...): a compiled-once LP is read after every re-solve, and
    # mapping each member again by id cost about as much as HiGHS's re-solve
    positions: dict[tuple[int, str], tuple] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def is_mip(self) -> bool:
        return bool(self.integrality.any())


@dataclass
class Outcome:
    status: Status
    objective: float | None
    x: np.ndarray | None  # primal value per column
    row_dual: np.ndarray | None  # d objective / d row bound, per row
    col_dual: np.ndarray | None
    lp: CompiledLP
    highs: highspy.Highs = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    solver_status: str = ""
    # relative gap between the plan and the best bound HiGHS proved; None for an LP
    mip_gap: float | None = None

    def values(self, component: IndexedVar | Sequence[VarData]) -> np.ndarray:
        """Values of every member of an indexed Var, in its index order (or of a sequence
        of variables), as one array. An indexed Var's columns are found once per LP."""
        return self._gather(component, self.lp.column_of, self.x, "column")

    def linear_value(self, named: Any) -> float:
        """The value of a named linear expression of the model's variables (a Pyomo
        Expression component; its terms found in the LP once: a sweep reads the cost
        components at every point)."""
        expr = named.expr
        key = (id(named), "expression")
        cached = self.lp.positions.get(key)
        if cached is not None and cached[0]() is named and cached[1] == id(expr):
            _, _, idx, coefs, constant = cached
            return constant + float(np.dot(coefs, self.x[idx])) if self.x is not None \
                else constant
        if not hasattr(expr, "linear_coefs"):  # coefficients held in fixed variables
            return self._symbolic_value(expr)
        constant = float(getattr(expr, "constant", 0.0) or 0.0)
        coefs = np.asarray(expr.linear_coefs, dtype=float)
        if not len(coefs):
            return constant
        variables = expr.linear_vars
        idx = _positions(variables, self.lp.column_of)
        if self.x is not None and idx is not None:
            self.lp.positions[key] = (weakref.ref(named), id(expr), idx, coefs, constant)
            return constant + float(np.dot(coefs, self.x[idx]))
        return constant + float(np.dot(coefs, self.values(variables)))

    def _symbolic_value(self, expr: Any) -> float:
        """A sum whose coefficients are data held in fixed variables (a model compiled
        once for several scenarios, :mod:`optimizer.solving.shared`): evaluated at their
        current values every time, never cached, since they change between solves."""
        repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
        constant = float(repn.constant)
        if not repn.linear_vars:
            return constant
        coefs = np.asarray(repn.linear_coefs, dtype=float)
        return constant + float(np.dot(coefs, self.values(list(repn.linear_vars))))

    def duals(self, component: IndexedConstraint) -> np.ndarray:
        """Duals of every member of an indexed Constraint, in its index order."""
        return self._gather(component, self.lp.row_of, self.row_dual, "row")

    def _gather(self, component: IndexedVar | IndexedConstraint | Sequence[VarData],
                position: dict[int, int], source: np.ndarray | None, kind: str) -> np.ndarray:
        n = len(component)
        if source is None or not n:
            return np.zeros(n)
        keep = hasattr(component, "values")
        key = (id(component), kind)
        cached = self.lp.positions.get(key) if keep else None
        if cached is not None and cached[0]() is component and len(cached[1]) == n:
            return source[cached[1]]
        # one list, read twice when a member is missing (an indexed component's values()
        # is a one-pass view)
        members = list(component.values() if hasattr(component, "values") else component)
        idx = _positions(members, position)
        if idx is None:  # a member the LP lacks: fixed before compiling, or in no row
            return np.fromiter((source[j] if (j := position.get(id(d))) is not None
                                else _fixed_value(d) for d in members),
                               dtype=float, count=n)
        if keep:  # a weak reference: the cache must not keep a model alive
            self.lp.positions[key] = (weakref.ref(component), idx)
        return source[idx]

    def value(self, var: VarData) -> float:
        j = self.lp.column_of.get(id(var))
        if self.x is None:
            return 0.0
        return _fixed_value(var) if j is None else float(self.x[j])


def _positions(members: Sequence[object], position: dict[int, int]) -> np.ndarray | None:
    """Each member's column or row, in one pass in C; None when a member is not in the LP
    (the rule is that every one is)."""
    try:
        return np.fromiter(map(position.__getitem__, map(id, members)), dtype=np.int64,
                           count=len(members))
    except KeyError:
        return None


def _fixed_value(component: object) -> float:
    """A variable fixed before compiling is a constant of the LP, not a column (a deal
    whose signing a what-if decides): its value is the one it was fixed at. A variable
    in no row, and a row missing from the LP, read as 0."""
    if getattr(component, "fixed", False) and component.value is not None:  # type: ignore[attr-defined]
        return float(component.value)  # type: ignore[attr-defined]
    return 0.0


def solver_version() -> str:
    return f"HiGHS {new_highs().version()} (highspy)"


def compile_lp(model: pyo.ConcreteModel) -> CompiledLP:
    info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    n = len(info.columns)
    lower = np.array([-np.inf if v.lb is None else v.lb for v in info.columns], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in info.columns], dtype=float)
    rhs = flush_negligible(np.asarray(info.rhs, dtype=float))
    info.A.data = flush_negligible(info.A.data)
    sense = np.array([s for _, s in info.rows], dtype=int)
    row_lower = np.where(sense == 1, -np.inf, rhs)
    row_upper = np.where(sense == -1, np.inf, rhs)
    cost = flush_negligible(info.c.toarray().ravel() if info.c.shape[0] else np.zeros(n))
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    integer = np.fromiter((v.is_integer() for v in info.columns), dtype=np.int32, count=n)
    return CompiledLP(
        columns=info.columns, rows=info.rows,
        column_of={id(v): j for j, v in enumerate(info.columns)},
        row_of={id(c): i for i, (c, _) in enumerate(info.rows)},
        cost=cost, offset=offset, col_lower=lower, col_upper=upper,
        row_lower=row_lower, row_upper=row_upper, matrix=info.A,
        integrality=integer if integer.any() else np.zeros(0, dtype=np.int32))


# Below this magnitude a coefficient means nothing in any unit a workbook uses, and
# HiGHS 1.16's MIP presolve mis-solves models holding one: a sharing cost of 5e-324 (or
# 1e-300) made it report a plan 300 times dearer than the optimum as optimal, and crash
# on the same model read back from MPS (measured; 1e-250 and up solve right).
NEGLIGIBLE = 1e-200


def flush_negligible(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < NEGLIGIBLE, 0.0, values)


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Silence C-level stdout: HiGHS prints its banner there when the first solver object
    is created, before any option can switch output off, and `--json` needs a clean
    stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs(time_limit_s: float | None = None) -> highspy.Highs:
    with _stdout_silenced():
        h = highspy.Highs()
    for name, value in HIGHS_OPTIONS.items():
        h.setOptionValue(name, value)
    if time_limit_s:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def pass_lp(h: highspy.Highs, lp: CompiledLP) -> None:
    a = lp.matrix
    h.passModel(len(lp.columns), len(lp.rows), int(a.nnz), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), lp.offset, lp.cost, lp.col_lower, lp.col_upper,
                lp.row_lower, lp.row_upper, a.indptr.astype(np.int32),
                a.indices.astype(np.int32), a.data.astype(float),
                lp.integrality if lp.is_mip else np.zeros(len(lp.columns), dtype=np.int32))


@dataclass(frozen=True)
class Basis:
    """A simplex basis as plain data, so it can travel to batch workers with the LP's
    shape key (a stable digest, the same in every process)."""

    key: str
    col_status: bytes
    row_status: bytes

    @classmethod
    def of(cls, lp: CompiledLP, h: highspy.Highs) -> Basis:
        b = h.getBasis()
        return cls(lp_shape(lp), bytes(int(s) for s in b.col_status),
                   bytes(int(s) for s in b.row_status))

    def highs_basis(self) -> highspy.HighsBasis:
        b = highspy.HighsBasis()
        b.col_status = [highspy.HighsBasisStatus(s) for s in self.col_status]
        b.row_status = [highspy.HighsBasisStatus(s) for s in self.row_status]
        b.valid = True
        return b


@dataclass
class WarmStart:
    """A reference basis (the base plan's) for later LPs with exactly the same rows and
    columns, such as strategies that change numbers but not the model's structure.

    Only one reference is kept, set once: every strategy starts from the same basis
    whatever order they are solved in, and in whichever process, so each plan is the
    same as in any other run.
    """

    reference: Basis | None = None
    used: int = 0

    def learn(self, lp: CompiledLP, h: highspy.Highs) -> None:
        if self.reference is None:
            self.reference = Basis.of(lp, h)

    def apply(self, lp: CompiledLP, h: highspy.Highs) -> bool:
        if self.reference is None or lp_shape(lp) != self.reference.key:
            return False
        h.setBasis(self.reference.highs_basis())
        self.used += 1
        return True


_SHAPE = (0, "shape")  # lp_shape's entry in CompiledLP.positions


def lp_shape(lp: CompiledLP) -> str:
    """Identity of an LP's rows and columns (not of its numbers), the same in every
    process (Python's own string hashing is salted per process). Kept with the LPs of one
    compiled model, which share their rows and columns (0.1-0.3 s at the medium size)."""
    cached = lp.positions.get(_SHAPE)
    if cached is not None and cached[0] is lp.columns and cached[1] is lp.rows:
        return cached[2]
    digest = hashlib.blake2b(digest_size=16)
    for v in lp.columns:
        digest.update(f"{v.parent_component().local_name}{v.index()!r};".encode())
    for c, sense in lp.rows:
        digest.update(f"{c.parent_component().local_name}{c.index()!r}{sense};".encode())
    shape = digest.hexdigest()
    lp.positions[_SHAPE] = (lp.columns, lp.rows, shape)
    return shape


def solve_model(model: pyo.ConcreteModel, time_limit_s: float | None = None,
                warm: WarmStart | None = None, mip_gap: float = MIP_GAP) -> Outcome:
    """Compile and solve ``model``; the outcome says what happened, with timings.

    A model with integer variables is solved as a MIP to the relative gap ``mip_gap``
    (SPEC 3.1); its plan then comes with the gap reached, and its objective and shadow
    prices are those of the LP with every integer variable fixed at the plan's value
    (the standard practice), so that a plan re-solved with its decisions fixed costs
    exactly what it reported.
    """
    t0 = time.perf_counter()
    lp = compile_lp(model)
    return solve_compiled(lp, time.perf_counter() - t0, time_limit_s, warm, mip_gap)


def solve_compiled(lp: CompiledLP, compile_s: float, time_limit_s: float | None = None,
                   warm: WarmStart | None = None, mip_gap: float = MIP_GAP,
                   options: dict[str, object] | None = None) -> Outcome:
    """Solve a compiled model as :func:`solve_model` does, in a new HiGHS instance
    (``options``: recorded besides HiGHS's own, such as how the LP was compiled)."""
    t1 = time.perf_counter()
    h = new_highs(time_limit_s)
    options = {**HIGHS_OPTIONS, "time_limit": time_limit_s, **(options or {})}
    if not lp.columns:  # nothing can be bought or stored: nothing to solve
        return Outcome(Status.OPTIMAL, lp.offset, np.zeros(0), np.zeros(0), np.zeros(0), lp, h,
                       {"compile_s": compile_s, "solve_s": 0.0}, options, "empty")
    if lp.is_mip:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        options["mip_rel_gap"] = float(mip_gap)
    pass_lp(h, lp)
    options["warm_start"] = warm is not None and not lp.is_mip and warm.apply(lp, h)
    _run(h)
    t2 = time.perf_counter()
    outcome = read_outcome(h, lp, {"compile_s": compile_s, "solve_s": t2 - t1}, options)
    if lp.is_mip and outcome.status.has_plan:
        return _with_integers_fixed(outcome, time_limit_s)
    if warm is not None and outcome.status is Status.OPTIMAL:
        warm.learn(lp, h)
    return outcome


def _run(h: highspy.Highs) -> None:
    """Solve; when presolve can only say "infeasible or unbounded", solve again without
    it, as HiGHS advises, for the real answer. Presolve also says it of models that have
    an optimum: a CVaR plan with a disruption of probability 1e-12 (found by the robust
    properties) has one, found without presolve."""
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")
        h.clearSolver()
        h.run()
        h.setOptionValue("presolve", HIGHS_OPTIONS["presolve"])


def _with_integers_fixed(mip: Outcome, time_limit_s: float | None) -> Outcome:
    """The MIP's plan re-solved as the LP with its integer columns fixed: that LP's
    objective and duals, the MIP's status and gap."""
    assert mip.x is not None  # a plan
    lp = mip.lp
    fixed = np.round(mip.x)
    integer = lp.integrality.astype(bool)
    linear = replace(lp, col_lower=np.where(integer, fixed, lp.col_lower),
                     col_upper=np.where(integer, fixed, lp.col_upper),
                     integrality=np.zeros(0, dtype=np.int32))
    t0 = time.perf_counter()
    h = new_highs(time_limit_s)
    pass_lp(h, linear)
    # The MIP's plan is a solution of this LP: HiGHS starts from it (crossover to a
    # vertex) instead of from scratch, 12x faster on bench_deals's 20-deal plan (1.82 s
    # to 0.15 s, 6,581 to 138 iterations, the same objective)
    start = highspy.HighsSolution()
    start.col_value = list(mip.x)
    start.value_valid = True
    h.setSolution(start)
    _run(h)
    timings = dict(mip.timings, fixed_lp_s=time.perf_counter() - t0)
    again = read_outcome(h, linear, timings, mip.options)
    gap = float(mip.highs.getInfo().mip_gap)
    if again.status is not Status.OPTIMAL:  # cannot happen for a feasible plan; keep the MIP's
        return replace(mip, timings=timings, mip_gap=gap)
    options = dict(mip.options, shadow_prices="LP with integer decisions fixed")
    return replace(again, status=mip.status, lp=lp, options=options, mip_gap=gap,
                   solver_status=mip.solver_status)


def read_outcome(h: highspy.Highs, lp: CompiledLP, timings: dict[str, float],
                 options: dict[str, object], duals: bool = True) -> Outcome:
    """What HiGHS found; ``duals`` False: the primal solution only (a stress test reads
    no shadow price, and each array read from HiGHS is a copy)."""
    ms = h.getModelStatus()
    status = _status(h, ms)
    text = h.modelStatusToString(ms)
    if not status.has_plan:
        return Outcome(status, None, None, None, None, lp, h, timings, options, text)
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    duals = duals and sol.dual_valid
    row_dual = np.asarray(sol.row_dual, dtype=float) if duals else None
    col_dual = np.asarray(sol.col_dual, dtype=float) if duals else None
    return Outcome(status, h.getInfo().objective_function_value, x, row_dual, col_dual, lp, h,
                   timings, options, text)


def objective_of(lp: CompiledLP, time_limit_s: float | None = None) -> float | None:
    """The optimal objective of ``lp``; None when it has no optimum."""
    h = new_highs(time_limit_s)
    pass_lp(h, lp)
    _run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def optimum(lp: CompiledLP, time_limit_s: float | None = None) -> np.ndarray | None:
    """The primal values of an optimal solution of ``lp``, one per column; None when it has
    none (infeasible, unbounded, out of time). With a zero cost this is a feasibility test
    that also says where (the diagnosis's elastic re-solves)."""
    h = new_highs(time_limit_s)
    pass_lp(h, lp)
    _run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


# From the LP (elasticity filter) + irreducible (deletion filter): the default strategy
# finds nothing on this kind of LP (PITFALLS).
IIS_STRATEGY = 6


def infeasible_subset(lp: CompiledLP, time_limit_s: float | None = None
                      ) -> tuple[list[int], list[int]] | None:
    """An irreducible infeasible subset of ``lp`` as (rows, columns whose bounds take
    part); None when the LP is not infeasible."""
    h = new_highs(time_limit_s)
    pass_lp(h, lp)
    _run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return None
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    _, iis = h.getIis()
    return list(iis.row_index_), list(iis.col_index_)


def _status(h: highspy.Highs, ms: highspy.HighsModelStatus) -> Status:
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return Status.OPTIMAL
    if ms in (S.kInfeasible,):
        return Status.INFEASIBLE
    if ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return Status.UNBOUNDED if ms == S.kUnbounded else Status.INFEASIBLE
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt):
        feasible = h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible
        return Status.TIME_LIMIT if feasible else Status.TIME_LIMIT_NO_SOLUTION
    return Status.ERROR
