"""SPEC 3.1 family 11, volume discounts: each discounted purchase's units by price
bracket add up to it; per planning unit and schedule, the bracket volumes are those its
volume reaches (all-units: all of it in the bracket that holds the volume; incremental:
the brackets below it full, in order); the money saved is at the data's bracket prices."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from models.data import DiscountSchedule, ScenarioData
from optimizer.solving.checks.common import Labels, Money, Violation, find, groups, take, tol
from optimizer.solving.checks.tables import Brackets, Offers, Purchases, Routes

PURCHASE = ("buyer", "supplier", "material", "period", "tier")  # a purchase's key


def check_discounts(data: ScenarioData, labels: Labels, offers: Offers, routes: Routes,
                    buys: Purchases, split: Brackets, units: Sequence[Sequence[str]],
                    out: list[Violation]) -> Money:
    """The discount rules on the plan's ``split`` of its purchases into brackets; returns
    the money it saves by (buyer, period). ``units``: the planning units whose volume a
    schedule counts."""
    # (supplier, material, period) -> its schedule, a later one replacing an earlier
    schedule_of = {(s.supplier, s.material, t): s for s in data.discounts for t in s.periods}
    schedules = list({id(s): s for s in schedule_of.values()}.values())
    number = {id(s): k for k, s in enumerate(schedules)}
    keys = [labels.codes(key[j] for key in schedule_of) for j in range(3)]
    schedule = np.array([number[id(s)] for s in schedule_of.values()], dtype=np.int64)
    # each key's bracket prices: its period's in its schedule (NaN past its brackets)
    prices = _padded([s.prices[s.periods.index(t)] for (_, _, t), s in schedule_of.items()],
                     np.nan)

    at = find(keys, [split.supplier.code, split.material.code, split.period.code])
    for i in np.flatnonzero(at < 0):
        out.append(Violation("discount bracket on an offer without one",
                             f"{split.supplier.labels[i]} {split.material.labels[i]} "
                             f"{split.period.labels[i]}", float(split.quantity[i]), 0.0))
    rows = np.flatnonzero(at >= 0)
    _check_sums(keys, split, rows, buys, out)
    volume = _volumes(schedules, len(units), _unit_of(labels, units, split.buyer.code[rows]),
                      schedule[at[rows]], split.bracket[rows], split.quantity[rows])
    saved = _saved(labels, offers, routes, split, rows, prices[at[rows]])
    _check_brackets(schedules, volume, out)
    return saved


def _check_sums(keys: list[np.ndarray], split: Brackets, rows: np.ndarray, buys: Purchases,
                out: list[Violation]) -> None:
    """Each purchase with a schedule: its units over the brackets (``rows`` of ``split``)
    add up to it."""
    n = len(rows)
    group, _ = groups(*(np.concatenate([getattr(split, c).code[rows], getattr(buys, c).code])
                        for c in PURCHASE))
    summed = np.bincount(group[:n], weights=split.quantity[rows], minlength=len(group))
    summed = summed[group[n:]]
    q = buys.quantity
    discounted = find(keys, [buys.supplier.code, buys.material.code, buys.period.code]) >= 0
    for i in np.flatnonzero(discounted & (np.abs(summed - q) > tol(q))):
        key = (getattr(buys, c).labels[i] for c in PURCHASE)
        out.append(Violation("discount brackets do not add up to the purchase",
                             " ".join(map(str, key)), float(summed[i]), float(q[i])))


def _unit_of(labels: Labels, units: Sequence[Sequence[str]], buyer: np.ndarray) -> np.ndarray:
    """The planning unit of each buyer (a code): the last listed holding it; a KeyError
    for a buyer in none."""
    member = [(k, b) for k, members in enumerate(units) for b in members]
    unit = np.array([k for k, _ in member], dtype=np.int64)
    names = labels.codes(b for _, b in member)
    return unit[find([names], [buyer], required=True)]


def _volumes(schedules: list[DiscountSchedule], n_units: int, unit: np.ndarray,
             schedule: np.ndarray, bracket: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The units in each bracket, by planning unit, schedule and bracket (brackets a
    schedule does not have are not counted)."""
    n_breaks = np.array([len(s.breaks) for s in schedules], dtype=np.int64)
    depth = int(n_breaks.max(initial=0)) + 1
    inside = (bracket >= 0) & (bracket <= n_breaks[schedule])
    cell = (unit * len(schedules) + schedule) * depth + bracket
    return np.bincount(cell[inside], weights=q[inside],
                       minlength=n_units * len(schedules) * depth
                       ).reshape(n_units, len(schedules), depth)


def _saved(labels: Labels, offers: Offers, routes: Routes, split: Brackets, rows: np.ndarray,
           prices: np.ndarray) -> Money:
    """The money the units above the first bracket (``rows`` of ``split``, each with its
    bracket ``prices``) save on the Supply price (tier 1), tariff included, by (buyer,
    period)."""
    above = split.bracket[rows] != 0
    rows, prices = rows[above], prices[above]
    price = prices[np.arange(len(rows)), split.bracket[rows] - 1]
    tier_1 = offers.find(split.supplier.code[rows], split.material.code[rows],
                         split.period.code[rows], np.full(len(rows), labels.code(1)))
    if (tier_1 < 0).any():
        raise KeyError("a discounted offer without a Supply price (tier 1)")
    supply = offers.price[tier_1]
    rate = take(routes.tariff,
                routes.of_pairs(split.supplier.code[rows], split.buyer.code[rows]), 0.0)
    return Money.grouped(split.buyer.code[rows],
                         labels.position(split.period.code[rows], required=True),
                         (supply - price) * (1 + rate) * split.quantity[rows])


def _check_brackets(schedules: list[DiscountSchedule], volume: np.ndarray,
                    out: list[Violation]) -> None:
    """Each planning unit's units by bracket of each schedule (``volume``: unit x schedule
    x bracket) are those its volume reaches; unit by unit, schedule by schedule."""
    bracket = np.arange(volume.shape[2])
    last = np.array([len(s.breaks) for s in schedules], dtype=np.int64)[:, None]
    valid = bracket <= last
    # where each bracket starts and ends (0 past a schedule's last bracket: not counted)
    breaks = _padded([s.breaks for s in schedules], 0.0, volume.shape[2] - 1)
    low = np.hstack([np.zeros((len(schedules), 1)), breaks])
    end = np.where(bracket == last, np.inf, np.hstack([breaks, np.zeros((len(schedules), 1))]))
    total = np.cumsum(volume, axis=2)[..., -1]  # added bracket by bracket
    margin = tol(total)
    reach = valid & (low <= (total + margin)[..., None])
    if not reach[..., 0].all():
        raise ValueError("a negative volume of discounted units")
    reached = np.where(reach, bracket, -1).max(axis=2)
    # all-units: all of it in the bracket reached (or the one below, at the break)
    at_break = np.abs(total - low[np.arange(len(schedules)), reached]) <= margin
    wrong = valid & (volume > margin[..., None]) & (bracket != reached[..., None]) & ~(
        (bracket == reached[..., None] - 1) & at_break[..., None])
    # incremental: the brackets below full, in order
    due = np.minimum(np.maximum(total[..., None] - low, 0.0), end - low)
    unfilled = valid & (np.abs(volume - due) > margin[..., None])
    all_units = np.array([s.kind == "all-units" for s in schedules], dtype=bool)
    for u, k in np.argwhere(np.where(all_units, wrong.any(axis=2), unfilled.any(axis=2))):
        s = schedules[k]
        where = f"{s.supplier} {s.material} {s.periods[0]}" + (
            "" if s.basis == "period" else f"-{s.periods[-1]}")
        if all_units[k]:
            out.append(Violation("all-units discount: units outside the bracket reached",
                                 where, float(np.argmax(wrong[u, k])), float(reached[u, k])))
            continue
        for j in np.flatnonzero(unfilled[u, k]):
            out.append(Violation(f"incremental discount: bracket {j} not filled in order",
                                 where, float(volume[u, k, j]), float(due[u, k, j])))


def _padded(rows: Sequence[Sequence[float]], fill: float, width: int | None = None
            ) -> np.ndarray:
    """Rows of numbers as a matrix, ``fill`` past each row's end (``width``: the longest
    row's by default)."""
    width = max(map(len, rows), default=0) if width is None else width
    if any(len(r) != width for r in rows):
        rows = [(*r, *(fill,) * (width - len(r))) for r in rows]
    return np.fromiter(chain.from_iterable(rows), dtype=float,
                       count=len(rows) * width).reshape(len(rows), width)
