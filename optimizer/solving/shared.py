"""Plans that differ only in numbers share one Pyomo model, built and compiled once.

Strategies (or sweep points) that change prices, stock floors, capacities, minimum
offtakes, budgets or penalties give models of one structure: the same variables and
rows, other numbers. The plans of such a group that run in one process share one Pyomo
model whose differing numbers are fixed variables (``m.data_value``), compiled once by
Pyomo's parameterized standard-form compiler
(:class:`~optimizer.solving.resolve.Resolver`). Each plan sets the values, takes the LP
that results and solves it as a plan of its own model is solved
(:func:`~optimizer.solving.highs.solve_compiled`: a new HiGHS instance, the batch's
reference basis, a MIP and then the LP with its decisions fixed). Only building and
compiling are shared: the LP handed to HiGHS has the rows, columns and numbers a model of
its own gives, so the plan is the same.

Sharing pays from a few plans on: the parameterized compile of a model costs 2-3 plain
builds and compiles of it (benchmarks/bench_strategies.py), so a batch groups plans only
when it has at least :data:`SHARED_MIN` of them for each process it may use.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import build_model
from models.data import ScenarioData
from models.index import Entry, ModelIndex, build_index, entry_value, with_values
from optimizer.solving.highs import WarmStart, solve_compiled
from optimizer.solving.plan import PlanRun, finish_plan
from optimizer.solving.resolve import Resolver

# The index entries a model of one structure may hold as data: right-hand sides, the
# coefficients of deals' and budgets' rows, and costs. The model reads an arc's landed
# unit cost only (price, tariff and freight are reported from the plan's own index).
MOVABLE = ("capacity", "offtake", "floor", "ceiling", "budgets", "arc_cost", "credit",
           "holding", "transfer_cost", "gap_rate", "shortage_penalty")
SHARED_MIN = 3


def structure(ix: ModelIndex) -> tuple:
    """What must be equal for two indexes to give models of one structure: every field
    but the movable ones, whose keys only count."""
    return tuple(tuple(getattr(ix, f.name)) if f.name in MOVABLE else getattr(ix, f.name)
                 for f in fields(ix))


@dataclass(frozen=True)
class Group:
    """Plans of one structure: the index entries in which they differ, and a token
    naming the group in every process its jobs run in."""

    entries: tuple[Entry, ...]
    token: str


def groups(ixs: Sequence[ModelIndex], least: int = SHARED_MIN
           ) -> list[tuple[Group, list[int]]]:
    """The groups of at least ``least`` plans of one structure among ``ixs``, each with
    the positions of its plans."""
    found: list[tuple[tuple, list[int]]] = []  # indexes hold lists and dicts: no hashing
    for i, ix in enumerate(ixs):
        if ix.impossible:  # a plan with no model to build is reported as it is
            continue
        shape = structure(ix)
        same = next((members for other, members in found if other == shape), None)
        if same is None:
            found.append((shape, [i]))
        else:
            same.append(i)
    out = []
    for _, members in found:
        if len(members) < least:
            continue
        first = ixs[members[0]]
        entries: list[Entry] = []
        for f in MOVABLE:
            # whole tables compared first (in C): most strategies leave most of them alone
            moved = [ixs[i] for i in members[1:] if getattr(ixs[i], f) != getattr(first, f)]
            entries += [(f, k) for k in getattr(first, f) if any(
                entry_value(other, (f, k)) != entry_value(first, (f, k)) for other in moved)]
        out.append((Group(tuple(entries), secrets.token_hex(8)), members))
    return out


class SharedModel:
    """One group's model in this process, compiled once."""

    def __init__(self, data: ScenarioData, ix: ModelIndex, group: Group):
        t0 = time.perf_counter()
        self.group = group
        m = pyo.ConcreteModel(name=data.settings.name)
        m.data_value = pyo.Var(range(len(group.entries)))
        self.values = list(m.data_value.values())
        self._set(ix)
        self.ix = with_values(ix, dict(zip(group.entries, self.values, strict=True)))
        build_model(data, self.ix, model=m)
        self.model = m
        self.build_s = time.perf_counter() - t0
        self.resolver = Resolver(m, self.values, time_limit_s=data.settings.time_limit_s,
                                 mip_gap=data.settings.mip_gap)

    def _set(self, ix: ModelIndex) -> None:
        for v, entry in zip(self.values, self.group.entries, strict=True):
            v.fix(entry_value(ix, entry))

    def plan(self, data: ScenarioData, ix: ModelIndex, warm: WarmStart | None,
             check: bool, t0: float, first: bool) -> PlanRun:
        """``data``'s plan (``ix`` its index, ``t0`` when its planning began); ``first``:
        the plan that built the model, which carries the building and compiling."""
        t1 = time.perf_counter()
        self._set(ix)
        lp = self.resolver.compiled()
        t2 = time.perf_counter()
        compile_s = t2 - t1 + (self.resolver.compile_s if first else 0.0)
        outcome = solve_compiled(lp, compile_s, data.settings.time_limit_s, warm,
                                 data.settings.mip_gap, options={"shared_model": True})
        m = self.model
        m.ix = ix  # this plan's numbers, for reading it
        try:
            return finish_plan(data, m, outcome, check, t0, t2 - t0 - compile_s)
        finally:
            m.ix = self.ix


_last: list[SharedModel] = []


def plan_shared(data: ScenarioData, group: Group, warm: WarmStart | None,
                check: bool = True) -> PlanRun:
    """``data``'s plan on its group's model in this process: the one kept when the last
    plan here was of the same group, else a new one (one model at a time: a batch sends
    a group's plans one after another)."""
    with PauseGC():
        t0 = time.perf_counter()
        ix = build_index(data)
        first = not _last or _last[0].group != group
        if first:
            _last.clear()  # let the old model go before building
            _last.append(SharedModel(data, ix, group))
        return _last[0].plan(data, ix, warm, check, t0, first)


def release() -> None:
    """Let the kept model go (a group's job is done)."""
    _last.clear()
