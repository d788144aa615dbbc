"""Each partner's pro-rata share of every offer and facility (SPEC 3): what it plans on
alone, in `pro-rata` and in every sub-coalition of the Shapley game."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from models.data import ScenarioData

OfferKey = tuple[str, str, str, int]  # (supplier, material, period, tier)
RecipeKey = tuple[str, str, str]  # (facility, output, period)


def downstream(data: ScenarioData) -> dict[str, set[str]]:
    """Material -> the materials made from it through recipes, directly or further down
    the chain (SPEC 3.2; recipes have no cycle)."""
    made_from: dict[str, set[str]] = defaultdict(set)
    for r in data.recipes:
        for material, _ in r.inputs:
            made_from[material].add(r.output)
    out: dict[str, set[str]] = {}

    def below(m: str) -> set[str]:
        if m not in out:
            out[m] = set()  # a cycle is a validation error; this only ends the recursion
            found: set[str] = set()
            for o in made_from[m]:
                found |= {o} | below(o)
            out[m] = found
        return out[m]

    for m in data.materials:
        below(m)
    return out


def _shares_of(material: str, period: str, allowed: Collection[str],
               own: dict[tuple[str, str, str], float], below: dict[str, set[str]]
               ) -> dict[str, float]:
    """Each allowed partner's share of something of ``material`` in ``period``: by its
    demand for it; when none has any, by its demand for what is made from it; failing
    that, equal shares."""
    for materials in ([material], sorted(below.get(material, ()))):
        need = {b: sum(own[(b, m, period)] for m in materials) for b in allowed}
        total = sum(need.values())
        if total > 0:
            return {b: need[b] / total for b in allowed}
    return {b: 1.0 / len(allowed) for b in allowed}


def _demand(data: ScenarioData) -> dict[tuple[str, str, str], float]:
    own: dict[tuple[str, str, str], float] = defaultdict(float)
    for d in data.demand:
        own[(d.buyer, d.material, d.period)] += d.quantity
    return own


def offer_shares(data: ScenarioData) -> dict[tuple[str, OfferKey], float]:
    """(buyer, offer) -> the buyer's pro-rata share of the offer (SPEC 3): its demand for
    the material in the period over that of the partners the offer is open to; when none
    has any, the same for the materials made from it (SPEC 3.2); failing that, equal
    shares among them; 0 for a partner it is not open to."""
    own, below = _demand(data), downstream(data)
    shares: dict[tuple[str, OfferKey], float] = {}
    for o in data.offers:
        k = (o.supplier, o.material, o.period, o.tier)
        allowed = [b for b in data.buyers if o.open_to(b)]
        part = _shares_of(o.material, o.period, allowed, own, below) if allowed else {}
        for b in data.buyers:
            shares[(b, k)] = part.get(b, 0.0)
    return shares


def recipe_shares(data: ScenarioData) -> dict[tuple[str, RecipeKey], float]:
    """(buyer, recipe) -> the buyer's share of a facility's capacity to make an output in
    a period: like an offer's (SPEC 3.2: by each partner's share of demand downstream)."""
    own, below = _demand(data), downstream(data)
    shares: dict[tuple[str, RecipeKey], float] = {}
    for r in data.recipes:
        part = _shares_of(r.output, r.period, data.buyers, own, below)
        for b in data.buyers:
            shares[(b, (r.facility, r.output, r.period))] = part[b]
    return shares
