"""Each partner's pro-rata share of every offer (SPEC 3): what it plans on alone, in
`pro-rata` and in every sub-coalition of the Shapley game."""

from __future__ import annotations

from collections import defaultdict

from models.data import ScenarioData

OfferKey = tuple[str, str, str, int]  # (supplier, material, period, tier)


def offer_shares(data: ScenarioData) -> dict[tuple[str, OfferKey], float]:
    """(buyer, offer) -> the buyer's pro-rata share of the offer (SPEC 3): its demand for
    the material in the period over that of the partners the offer is open to; equal
    shares among them when none has demand; 0 for a partner it is not open to."""
    own: dict[tuple[str, str, str], float] = defaultdict(float)
    for d in data.demand:
        own[(d.buyer, d.material, d.period)] += d.quantity
    shares: dict[tuple[str, OfferKey], float] = {}
    for o in data.offers:
        k = (o.supplier, o.material, o.period, o.tier)
        allowed = [b for b in data.buyers if o.open_to(b)]
        total = sum(own[(b, o.material, o.period)] for b in allowed)
        for b in data.buyers:
            shares[(b, k)] = 0.0 if b not in allowed else (
                own[(b, o.material, o.period)] / total if total > 0 else 1.0 / len(allowed))
    return shares
