"""One model per batch of worlds: the scenarios of a stress test or of hindsight plans.

Every job of such a batch solves the same two-stage model in one world: a plan's
contracts held fixed (a stress test) or decided knowing the world (a hindsight plan, for
EVPI). The jobs of one batch that run in one process share one :class:`WorldModel`:
built once by :func:`models.stochastic.build_any_world`, compiled once by Pyomo
(:class:`~optimizer.solving.resolve.Resolver`), then set to each job's world and
re-solved. Only the last model is kept: a chunk's jobs of one batch are contiguous.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from models.data import ScenarioData
from models.index import ModelIndex, build_index
from models.stochastic import build_any_world
from models.world import NO_DISRUPTION, Outlook, aimed_arcs
from optimizer.solving.highs import Outcome
from optimizer.solving.resolve import Resolver

CALM = Outlook(NO_DISRUPTION, 1.0, {}, {}, None)


@dataclass
class WorldModel:
    """A batch's model, built and compiled once, and what it was built from."""

    key: tuple
    aimed: frozenset[int]
    ix: ModelIndex
    model: pyo.ConcreteModel
    resolver: Resolver
    reader: Any = None  # what the batch reads its solutions with, built once too
    setup_s: float = 0.0  # building, compiling and the reference solve

    def solve(self, outlook: Outlook, duals: bool = False) -> Outcome:
        """The model in ``outlook``'s world, solved from the no-disruption world's basis."""
        return self.resolver.solve(self.model.world.set(outlook), duals=duals)


_last: list[WorldModel] = []


def world_model(data: ScenarioData, outlook: Outlook, contracts: Sequence[float] | None = None,
                signed: tuple[str, ...] = (), rebates: Sequence[float] | None = None,
                aimed: frozenset[int] = frozenset()) -> WorldModel:
    """The model of the batch ``outlook`` belongs to: the one kept, when it was built from
    these very objects and has the rows ``outlook`` aims at one partner, else a new one
    (``aimed``: the arcs the whole batch aims a shock at)."""
    key = (data, contracts, signed, rebates)
    if _last and all(a is b for a, b in zip(_last[0].key, key, strict=True)) and \
            aimed_arcs(_last[0].ix, [outlook]) <= _last[0].aimed:
        return _last[0]
    _last.clear()  # one model at a time: let the old one go before building
    t0 = time.perf_counter()
    ix = build_index(data)
    aimed = aimed | aimed_arcs(ix, [outlook])
    m = build_any_world(data, ix, None if contracts is None else list(contracts), aimed,
                        signed, None if rebates is None else list(rebates))
    switched_vars, switched_rows = m.world.switched()
    resolver = Resolver(m, m.world.variables, switched_vars, switched_rows,
                        time_limit_s=data.settings.time_limit_s,
                        mip_gap=data.settings.mip_gap)
    resolver.solve(m.world.set(CALM))  # the reference basis: the plan's own world
    _last.append(WorldModel(key, aimed, ix, m, resolver, setup_s=time.perf_counter() - t0))
    return _last[0]
