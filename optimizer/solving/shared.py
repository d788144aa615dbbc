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
builds and compiles of it (benchmarks/bench_strategies.py), so a batch gives a group its
own jobs only when at least :data:`SHARED_MIN` of its plans land in one job.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from models.build import build_model
from models.data import ScenarioData
from models.index import ArcCost, ModelIndex, build_index
from optimizer.solving.highs import WarmStart, solve_compiled
from optimizer.solving.plan import PlanRun, finish_plan
from optimizer.solving.resolve import Resolver

# The index entries a model of one structure may hold as data: right-hand sides, the
# coefficients of deals' and budgets' rows, and costs. The model reads an arc's landed
# unit cost only (price, tariff and freight are reported from the plan's own index).
MOVABLE = ("capacity", "offtake", "floor", "ceiling", "budgets", "arc_cost", "credit",
           "holding", "transfer_cost", "gap_rate", "shortage_penalty")
SHARED_MIN = 3

Entry = tuple[str, Any]  # (field of ModelIndex, key in it)


def structure(ix: ModelIndex) -> tuple:
    """What must be equal for two indexes to give models of one structure: every field
    but the movable ones, whose keys only count."""
    return tuple(tuple(getattr(ix, f.name)) if f.name in MOVABLE else getattr(ix, f.name)
                 for f in fields(ix))


def number(ix: ModelIndex, entry: Entry) -> float:
    field, key = entry
    value = getattr(ix, field)[key]
    return value.unit if field == "arc_cost" else value


@dataclass(frozen=True)
class Group:
    """Plans of one structure: the index entries in which they differ, and a token
    naming the group in every process its jobs run in."""

    entries: tuple[Entry, ...]
    token: str


def groups(ixs: Sequence[ModelIndex]) -> list[tuple[Group, list[int]]]:
    """The groups of at least :data:`SHARED_MIN` plans of one structure among ``ixs``,
    each with the positions of its plans."""
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
        if len(members) < SHARED_MIN:
            continue
        first = ixs[members[0]]
        entries: list[Entry] = []
        for f in MOVABLE:
            # whole tables compared first (in C): most strategies leave most of them alone
            moved = [getattr(ixs[i], f) for i in members[1:] if getattr(ixs[i], f)
                     != getattr(first, f)]
            entries += [(f, k) for k in getattr(first, f) if any(
                number(first, (f, k)) != (t[k].unit if f == "arc_cost" else t[k])
                for t in moved)]
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
        self.ix = _with(ix, group.entries, self.values)
        build_model(data, self.ix, model=m)
        self.model = m
        self.build_s = time.perf_counter() - t0
        self.resolver = Resolver(m, self.values, time_limit_s=data.settings.time_limit_s,
                                 mip_gap=data.settings.mip_gap)

    def _set(self, ix: ModelIndex) -> None:
        for v, entry in zip(self.values, self.group.entries, strict=True):
            v.fix(number(ix, entry))

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


def _with(ix: ModelIndex, entries: Sequence[Entry], values: Sequence[Any]) -> ModelIndex:
    """A copy of ``ix`` whose ``entries`` are ``values`` (fixed variables)."""
    out = ModelIndex(**{f.name: getattr(ix, f.name) for f in fields(ix)})
    for field in {f for f, _ in entries}:
        setattr(out, field, dict(getattr(ix, field)))
    for (field, key), v in zip(entries, values, strict=True):
        getattr(out, field)[key] = ArcCost(v, 0.0, 0.0) if field == "arc_cost" else v
    return out


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
