"""SPEC 3.1 families 1, 2 and 7: every purchase is of an active supplier's offer open to
its buyer, over an open route, arriving within the horizon; an offer tier's purchases fit
its capacity (none at all from a deal not signed), an offer's reach its minimum."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from models.data import ScenarioData
from optimizer.solving.checks.common import (
    ABS_TOL,
    Flow,
    Labels,
    Money,
    Violation,
    find,
    groups,
    in_row_order,
    take,
    tol,
)
from optimizer.solving.checks.tables import Offers, Purchases, Routes


@dataclass(frozen=True)
class Bought:
    """What the purchases that pass these rules bring: their arrivals into stock, their
    landed cost (present value), the money each buyer pays for them in each period."""

    arrivals: Flow
    cost: float
    spend: Money


def check_purchases(data: ScenarioData, labels: Labels, offers: Offers, routes: Routes,
                    buys: Purchases, signed: Collection[str], out: list[Violation]) -> Bought:
    n, q = len(buys.quantity), buys.quantity
    offer = offers.find(buys.supplier.code, buys.material.code, buys.period.code,
                        buys.tier.code)
    offered = offer >= 0
    offered[offered] = _active(data, labels, buys.supplier.code[offered])
    # the purchases of an active offer: the tier each buys, its route (-1: none listed)
    # and the period it arrives
    rows = np.flatnonzero(offered)
    tier = offer[rows]
    route = routes.of_pairs(buys.supplier.code[rows], buys.buyer.code[rows])
    period = labels.position(buys.period.code[rows], required=True)
    arrive = np.full(n, -1)
    arrive[rows] = period + take(routes.lead_time, route, 0)
    late = arrive >= len(labels.periods)
    where = buys.where
    out += in_row_order([
        (q < -ABS_TOL, lambda i: Violation("negative purchase", where(i), float(q[i]), 0.0)),
        (~offered, lambda i: Violation("purchase without an active offer", where(i),
                                       float(q[i]), 0.0)),
        (_at(rows, ~offers.open_to(tier, buys.buyer.code[rows]), n),
         lambda i: Violation("purchase by a partner the offer is not open to", where(i),
                             float(q[i]), 0.0)),
        (_at(rows, ~take(routes.open, route, True), n),
         lambda i: Violation("purchase over a closed route", where(i), float(q[i]), 0.0)),
        (late, lambda i: Violation("arrival after the horizon", where(i), int(arrive[i]),
                                   len(labels.periods) - 1)),
    ])

    keep = ~late[rows]  # the purchases that count
    ok, tier, route, period = rows[keep], tier[keep], route[keep], period[keep]
    _check_capacity(offers, buys, signed, ok, tier, out)
    _check_offtake(offers, buys, signed, ok, out)
    unit = (offers.price[tier] * (1 + take(routes.tariff, route, 0.0))
            + take(routes.freight, route, 0.0))
    return Bought(Flow(buys.buyer[ok], buys.material[ok], arrive[ok], q[ok]),
                  float(np.sum(labels.discount[period] * unit * q[ok])),
                  Money(buys.buyer.code[ok], period, unit * q[ok]))


def _active(data: ScenarioData, labels: Labels, supplier: np.ndarray) -> np.ndarray:
    """Whether each supplier (a code) is active."""
    names = labels.of(data.suppliers, "name")
    active = np.array([s.active for s in data.suppliers], dtype=bool)
    return active[find([names], [supplier], required=True)]


def _at(rows: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """A mask over all ``n`` rows from one over ``rows``."""
    out = np.zeros(n, dtype=bool)
    out[rows[mask]] = True
    return out


def _check_capacity(offers: Offers, buys: Purchases, signed: Collection[str], ok: np.ndarray,
                    tier: np.ndarray, out: list[Violation]) -> None:
    """The purchases ``ok`` of each offer tier (``tier``) within its capacity, in the order
    of its first purchase; a tier of a deal not signed has none."""
    group, first = groups(tier)
    used = np.bincount(group, weights=buys.quantity[ok], minlength=len(first))
    tier = tier[first]
    exists = offers.exist(tier, signed)
    cap = np.where(exists, offers.capacity[tier], 0.0)
    for k in np.flatnonzero(used > cap + tol(cap)):
        what = "supplier capacity" if exists[k] else \
            f"purchase from deal {offers.deal[tier[k]]!r}, not signed"
        i = ok[first[k]]
        key = (buys.supplier.labels[i], buys.material.labels[i], buys.period.labels[i],
               buys.tier.labels[i])
        out.append(Violation(what, " ".join(map(str, key)), float(used[k]), float(cap[k])))


def _check_offtake(offers: Offers, buys: Purchases, signed: Collection[str], ok: np.ndarray,
                   out: list[Violation]) -> None:
    """Each offer's purchases ``ok``, all tiers, at least the minimum of its tiers that
    exist; in the order of the offers' first appearance in the data."""
    has = np.flatnonzero(offers.min_offtake)  # the few tiers with a minimum, that exist
    has = has[offers.exist(has, signed)]
    key = [offers.supplier[has], offers.material[has], offers.period[has]]
    group, first = groups(*key)
    key = [k[first] for k in key]  # one per offer
    minimum = np.bincount(group, weights=offers.min_offtake[has], minlength=len(first))
    offer = find(key, [buys.supplier.code[ok], buys.material.code[ok], buys.period.code[ok]])
    taken = np.bincount(offer[offer >= 0], weights=buys.quantity[ok][offer >= 0],
                        minlength=len(first))
    short = np.flatnonzero((minimum > 0) & (taken < minimum - tol(minimum)))
    if not len(short):
        return
    # the position of each offer's first tier in the data: its last one in reverse
    seen = len(offers.records) - 1 - find(
        [k[::-1] for k in (offers.supplier, offers.material, offers.period)],
        [k[short] for k in key])
    for k in short[np.argsort(seen, kind="stable")]:
        o = offers.records[has[first[k]]]
        out.append(Violation("minimum offtake", " ".join((o.supplier, o.material, o.period)),
                             float(taken[k]), float(minimum[k])))
