"""One Pyomo model compiled once, re-solved warm for each set of its numbers.

A batch whose solves share one structure (the scenarios of a stress test, the points of
a sweep) writes the numbers that change as fixed variables of the model (``parameters``)
and lets Pyomo's parameterized standard-form compiler keep them symbolic: the model is
built and compiled once, by Pyomo, like every other LP of the project. Every symbolic
entry of the compiled LP (a coefficient, a right-hand side, a cost, the objective's
constant) is affine in the parameters, so it is turned once into a row of a sparse
matrix; each re-solve then reads the parameters' values, computes every entry in one
product and hands HiGHS only the entries that changed.

Besides numbers, a batch may switch parts of the model on and off: variables whose
bounds change (a spot purchase bounded to 0 where a scenario has none) and constraints
that are deactivated (a row a scenario does not have). Their rows are then free: the
same LP as one built without them, which HiGHS's presolve drops.

Every re-solve starts from one reference basis (that of the first solve, which the
caller makes the batch's base case), not from the previous solve's: a result depends
only on its own numbers, whatever the order and the chunking of a batch. A sweep, whose
points are always solved in one order in one process, may instead start each point from
where the last one ended (``warm="previous"``). A model with
integer variables (a hindsight plan that may sign deals) is solved afresh as a MIP each
time, to the relative gap given; its outcome is the MIP's (objective and gap, no duals).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.parameterized_standard_form import (
    ParameterizedLinearStandardFormCompiler,
)

from optimizer.solving.highs import (
    HIGHS_OPTIONS,
    MIP_GAP,
    CompiledLP,
    Outcome,
    _run,
    flush_negligible,
    new_highs,
    pass_lp,
    read_outcome,
)


@dataclass
class _Affine:
    """Entries ``at`` of a vector whose values are ``base + slope @ parameters``."""

    at: np.ndarray
    base: np.ndarray
    slope: scipy.sparse.csr_array

    def values(self, p: np.ndarray) -> np.ndarray:
        return flush_negligible(self.base + self.slope @ p)


def _affine(entries: Any, parameters: Sequence[Any]) -> _Affine:
    """The symbolic ones of ``entries`` as affine functions of ``parameters`` (which
    must be unfixed while Pyomo's standard representation reads them)."""
    column = {id(v): k for k, v in enumerate(parameters)}
    at = [i for i, e in enumerate(entries) if not isinstance(e, int | float | np.number)]
    base, rows, cols, vals = np.zeros(len(at)), [], [], []
    for r, i in enumerate(at):
        repn = generate_standard_repn(entries[i], compute_values=True, quadratic=False)
        if not repn.is_linear():
            raise ValueError(f"entry {i} of the compiled LP is not affine in its data")
        base[r] = float(repn.constant)
        for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            rows.append(r)
            cols.append(column[id(v)])
            vals.append(float(coef))
    slope = scipy.sparse.csr_array((vals, (rows, cols)), shape=(len(at), len(parameters)))
    return _Affine(np.asarray(at, dtype=np.int64), base, slope)


def _numbers(entries: Any) -> np.ndarray:
    """The numeric entries, negligible ones flushed to 0 as when compiling a model
    (:func:`optimizer.solving.highs.compile_lp`); 0 for a symbolic one."""
    return flush_negligible(np.fromiter((e if isinstance(e, int | float | np.number) else 0.0
                                         for e in entries), dtype=float, count=len(entries)))


class Resolver:
    """``model`` compiled once with ``parameters`` (fixed variables) as data; each
    :meth:`solve` re-solves it for their current values, the bounds of the variables of
    ``switched_vars`` and the activity of the constraints of ``switched_rows``."""

    def __init__(self, model: pyo.ConcreteModel, parameters: Sequence[Any],
                 switched_vars: Sequence[Any] = (), switched_rows: Sequence[Any] = (),
                 time_limit_s: float | None = None, mip_gap: float = MIP_GAP,
                 warm: str = "first"):
        t0 = time.perf_counter()
        self.parameters = list(parameters)
        info = ParameterizedLinearStandardFormCompiler().write(
            model, wrt=self.parameters, mixed_form=True, set_sense=None)
        for v in self.parameters:
            v.unfix()
        try:
            self._a = _affine(info.A.data, self.parameters)
            self._rhs = _affine(info.rhs, self.parameters)
            cost = info.c.todense().ravel() if info.c.shape[0] else np.zeros(len(info.columns))
            self._c = _affine(cost, self.parameters)
            self._offset = _affine(info.c_offset if len(info.c_offset) else [0.0],
                                   self.parameters)
        finally:
            for v in self.parameters:
                v.fix()
        self.columns = info.columns
        self.rows = info.rows
        self.column_of = {id(v): j for j, v in enumerate(info.columns)}
        self.row_of = {id(c): i for i, (c, _) in enumerate(info.rows)}
        self._parameter_at = {id(v): k for k, v in enumerate(self.parameters)}
        self._rows_of: dict[int, list[int]] = {}
        for i, (c, _) in enumerate(info.rows):
            self._rows_of.setdefault(id(c), []).append(i)
        self._p = np.fromiter((v.value for v in self.parameters), dtype=float,
                              count=len(self.parameters))
        self._a_numbers, self._rhs_numbers = _numbers(info.A.data), _numbers(info.rhs)
        self._c_numbers = _numbers(cost)
        self._indices = np.asarray(info.A.indices, dtype=np.int32)
        self._indptr = np.asarray(info.A.indptr, dtype=np.int32)
        self._entry_col = np.searchsorted(self._indptr, np.arange(len(info.A.data)),
                                          side="right") - 1
        self._shape = info.A.shape
        self._sense = np.array([s for _, s in info.rows], dtype=int)
        self._lower = np.array([-np.inf if v.lb is None else v.lb for v in info.columns],
                               dtype=float)
        self._upper = np.array([np.inf if v.ub is None else v.ub for v in info.columns],
                               dtype=float)
        self._row_on = np.fromiter((c.active for c, _ in info.rows), dtype=bool,
                                   count=len(info.rows))
        self._switchable = {id(d) for c in [*switched_vars, *switched_rows] for d in c.values()}
        self._switched_columns = [v for v in self.columns if id(v) in self._switchable]
        self._switched_rows = [c for c, _ in self.rows if id(c) in self._switchable]
        n = len(info.columns)
        integer = np.fromiter((v.is_integer() for v in info.columns), dtype=np.int32, count=n)
        self._integrality = integer if integer.any() else np.zeros(0, dtype=np.int32)
        # where each component's members sit, found once for every LP of this structure
        self._positions: dict[tuple[int, str], tuple] = {}
        self.h = new_highs(time_limit_s)
        self.options: dict[str, object] = dict(HIGHS_OPTIONS, time_limit=time_limit_s,
                                               compiled_once=True)
        if integer.any():
            self.h.setOptionValue("mip_rel_gap", float(mip_gap))
            self.options["mip_rel_gap"] = float(mip_gap)
        self.previous: CompiledLP | None = None
        self.reference: Any = None  # the first solve's basis
        # "first": every re-solve from the first solve's basis; "previous": from the
        # basis the last solve ended with (a sweep, whose points come in one order)
        self.warm = warm
        self.compile_s = time.perf_counter() - t0
        self.solves = 0

    def read(self, changes: Any = None) -> None:
        """Re-read from the model what ``changes`` names (``parameters``, ``variables``,
        ``rows``: what changed since the last read); None: every switched component."""
        params = self.parameters if changes is None else changes.parameters
        for v in params:
            self._p[self._parameter_at[id(v)]] = v.value
        for v in self._switched_columns if changes is None else changes.variables:
            j = self.column_of.get(id(v))
            if j is not None:
                lb, ub = v.bounds
                self._lower[j] = -np.inf if lb is None else lb
                self._upper[j] = np.inf if ub is None else ub
        for c in self._switched_rows if changes is None else changes.rows:
            for i in self._rows_of.get(id(c), ()):
                self._row_on[i] = c.active

    def current(self) -> CompiledLP:
        """The LP for the values read last."""
        p, prev = self._p, self.previous
        a = self._a_numbers.copy()
        a[self._a.at] = self._a.values(p)
        same = prev is not None and np.array_equal(a[self._a.at], prev.matrix.data[self._a.at])
        rhs = self._rhs_numbers.copy()
        rhs[self._rhs.at] = self._rhs.values(p)
        cost = self._c_numbers.copy()
        cost[self._c.at] = self._c.values(p)
        offset = float(self._offset.values(p)[0]) if len(self._offset.at) else 0.0
        row_lower = np.where((self._sense == 1) | ~self._row_on, -np.inf, rhs)
        row_upper = np.where((self._sense == -1) | ~self._row_on, np.inf, rhs)
        return CompiledLP(columns=self.columns, rows=self.rows, column_of=self.column_of,
                          row_of=self.row_of, cost=cost, offset=offset,
                          col_lower=self._lower.copy(), col_upper=self._upper.copy(),
                          row_lower=row_lower, row_upper=row_upper,
                          integrality=self._integrality, positions=self._positions,
                          matrix=prev.matrix if same and prev is not None else
                          scipy.sparse.csc_array((a, self._indices, self._indptr),
                                                 shape=self._shape))

    def compiled(self) -> CompiledLP:
        """The LP for the model's current numbers, to be solved in a HiGHS instance of
        the caller's (:mod:`optimizer.solving.shared`); not for mixing with :meth:`solve`,
        which hands its own instance only what changed."""
        self.read()
        self.previous = lp = self.current()
        return lp

    def solve(self, changes: Any = None, duals: bool = True) -> Outcome:
        """Solve the LP for the model's current numbers (``changes``: what changed since
        the last solve, see :meth:`read`), from the reference basis; ``duals`` False:
        read the primal solution only."""
        t0 = time.perf_counter()
        self.read(changes)
        lp = self.current()
        h, prev = self.h, self.previous
        if prev is None:
            pass_lp(h, lp)
        else:
            _change(h, prev, lp, self._a.at, self._indices, self._entry_col)
            if lp.is_mip or self.reference is None or not self.reference.valid:
                h.clearSolver()  # a MIP is solved afresh: no incumbent carried over
            elif self.warm == "previous":
                pass  # HiGHS starts from the basis it has
            else:
                h.clearSolver()  # nothing of the previous solve carries over
                h.setBasis(self.reference)
        t1 = time.perf_counter()
        _run(h)
        if prev is None and not lp.is_mip:
            self.reference = h.getBasis()
        self.previous = lp
        timings = {"compile_s": self.compile_s if not self.solves else 0.0,
                   "update_s": t1 - t0, "solve_s": time.perf_counter() - t1}
        self.solves += 1
        outcome = read_outcome(h, lp, timings, self.options, duals and not lp.is_mip)
        if lp.is_mip and outcome.status.has_plan:
            outcome.mip_gap = float(h.getInfo().mip_gap)
        return outcome


def _change(h: Any, prev: CompiledLP, lp: CompiledLP, a_at: np.ndarray, indices: np.ndarray,
            entry_col: np.ndarray) -> None:
    """Hand HiGHS what differs between ``prev`` and ``lp``."""
    rows = np.flatnonzero((lp.row_lower != prev.row_lower) | (lp.row_upper != prev.row_upper))
    if len(rows):
        # highspy's stubs omit changeRowsBounds, which the extension module has
        h.changeRowsBounds(len(rows), rows.astype(np.int32), lp.row_lower[rows],
                           lp.row_upper[rows])
    cols = np.flatnonzero((lp.col_lower != prev.col_lower) | (lp.col_upper != prev.col_upper))
    if len(cols):
        h.changeColsBounds(len(cols), cols.astype(np.int32), lp.col_lower[cols],
                           lp.col_upper[cols])
    costs = np.flatnonzero(lp.cost != prev.cost)
    if len(costs):
        h.changeColsCost(len(costs), costs.astype(np.int32), lp.cost[costs])
    if lp.offset != prev.offset:
        h.changeObjectiveOffset(lp.offset)
    moved = a_at[lp.matrix.data[a_at] != prev.matrix.data[a_at]]
    for e in moved:
        h.changeCoeff(int(indices[e]), int(entry_col[e]), float(lp.matrix.data[e]))
