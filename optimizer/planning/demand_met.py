"""Share of demand met, per partner and material, over the horizon: as planned and in the
worst disruption. It is what planners ask first ("do we get what we need?"), before what
it costs, so the comparison leads with it.

A share is 1 - shortfall / demand, both summed over the horizon, for every partner and
material with demand. In the worst disruption it is the lowest such share over the
disruption scenarios with a positive probability, each partner and material on its own
(the worst scenario may differ between them). The no-disruption world is the plan itself
(SPEC 5): its shares are the plan's, not those of its replay, whose split of a joint
shortfall between partners can be another of several equally cheap ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.world import NO_DISRUPTION

if TYPE_CHECKING:
    from optimizer.planning.stress import StressResult
    from optimizer.solving.extract import PlanResult

Pair = tuple[str, str]  # (partner, material)


@dataclass(frozen=True)
class Met:
    share: float
    scenario: str | None = None  # the disruption scenario it is lowest in; None: as planned


def demand_of(result: PlanResult) -> dict[Pair, float]:
    """Each partner's demand for each material over the horizon (only those with some)."""
    total = result.stock.groupby(["buyer", "material"], sort=False)["demand"].sum()
    return {(str(b), str(m)): float(q) for (b, m), q in total.items() if q > 0}


def met_as_planned(result: PlanResult) -> dict[Pair, Met]:
    short = result.stock.groupby(["buyer", "material"], sort=False)["shortfall"].sum()
    return {pair: Met(_share(float(short.get(pair, 0.0)), demand))
            for pair, demand in demand_of(result).items()}


def met_in_worst(result: PlanResult, stress: StressResult) -> dict[Pair, Met] | None:
    """The lowest share over the disruption scenarios; None when one of them has no
    solution (its shortfall is unknown)."""
    scenarios = [s for s in stress.scenarios if s.probability > 0]
    if any(s.cost is None for s in scenarios):
        return None
    demand = demand_of(result)
    out = {pair: Met(1.0) for pair in demand}
    if any(s.scenario == NO_DISRUPTION for s in scenarios):
        out = {pair: Met(m.share, NO_DISRUPTION if m.share < 1.0 else None)
               for pair, m in met_as_planned(result).items()}
    for s in scenarios:
        if s.scenario == NO_DISRUPTION:
            continue
        short = s.shortfalls.groupby(["buyer", "material"])["shortfall"].sum() \
            if len(s.shortfalls) else {}
        for pair, q in demand.items():
            share = _share(float(short.get(pair, 0.0)), q)
            if share < out[pair].share:
                out[pair] = Met(share, s.scenario)
    return out


def lowest(met: dict[Pair, Met]) -> tuple[Pair, Met] | None:
    """The partner and material with the lowest share (the first in table order on a tie)."""
    return min(met.items(), key=lambda kv: kv[1].share, default=None)


def _share(short: float, demand: float) -> float:
    return min(1.0, max(0.0, 1.0 - short / demand))
