"""The plan's tables and the data's longest records as columns (arrays), read once.

A plan's table is read by column name, as the rows' attributes were read before, except
the transfers' first two columns ("from" and "to": not attribute names), read by
position. Labels become :class:`~optimizer.solving.checks.common.Column`\\ s (as given and
as codes); quantities floats.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, is_

import numpy as np
import pandas as pd

from models.data import ScenarioData
from optimizer.solving.checks.common import Column, Labels, find, objects


def column(table: pd.DataFrame | None, name: str | int, dtype: type | None = None
           ) -> np.ndarray:
    """A column of a plan's table (by name, or by position when an int) as an array, of
    ``dtype`` if given; empty when the table has no rows (an empty table may have been
    built without columns)."""
    if table is None or not len(table):
        return np.empty(0, dtype=dtype or object)
    values = table.iloc[:, name] if isinstance(name, int) else table[name]
    return values.to_numpy() if dtype is None else values.to_numpy(dtype=dtype)


def _labels(labels: Labels, table: pd.DataFrame | None, *names: str | int) -> list[Column]:
    return [labels.column(column(table, name)) for name in names]


@dataclass(frozen=True)
class Purchases:
    """The plan's purchases: who bought how much of what from whom, when, at which tier."""

    buyer: Column
    supplier: Column
    material: Column
    period: Column
    tier: Column
    quantity: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame, labels: Labels) -> Purchases:
        buyer, supplier, material, period, tier = _labels(
            labels, table, "buyer", "supplier", "material", "period", "tier")
        return cls(buyer, supplier, material, period, tier, column(table, "quantity", float))

    def where(self, i: int) -> str:
        return (f"{self.buyer.labels[i]}<-{self.supplier.labels[i]} {self.material.labels[i]} "
                f"{self.period.labels[i]} tier {self.tier.labels[i]}")


@dataclass(frozen=True)
class Transfers:
    """The plan's transfers between partners."""

    giver: Column
    receiver: Column
    material: Column
    period: Column
    quantity: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame, labels: Labels) -> Transfers:
        giver, receiver, material, period = _labels(labels, table, 0, 1, "material", "period")
        return cls(giver, receiver, material, period, column(table, "quantity", float))

    def where(self, i: int) -> str:
        return (f"{self.giver.labels[i]}->{self.receiver.labels[i]} {self.material.labels[i]} "
                f"{self.period.labels[i]}")


@dataclass(frozen=True)
class Reported:
    """The plan's stock table: per buyer, material and period the shortfall and the closing
    stock. ``latest`` marks the rows that count: the last one of each (buyer, material,
    period) reported twice."""

    buyer: Column
    material: Column
    period: Column
    shortfall: np.ndarray
    closing: np.ndarray
    latest: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame, labels: Labels) -> Reported:
        buyer, material, period = _labels(labels, table, "buyer", "material", "period")
        key = [buyer.code, material.code, period.code]
        return cls(buyer, material, period, column(table, "shortfall", float),
                   column(table, "closing", float), find(key, key) == np.arange(len(key[0])))


@dataclass(frozen=True)
class Runs:
    """The plan's processing: who started how much output at which facility, when."""

    buyer: Column
    facility: Column
    output: Column
    period: Column
    quantity: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame | None, labels: Labels) -> Runs:
        buyer, facility, output, period = _labels(labels, table, "buyer", "facility", "output",
                                                  "period")
        return cls(buyer, facility, output, period, column(table, "quantity", float))

    def where(self, i: int) -> str:
        return (f"{self.buyer.labels[i]} at {self.facility.labels[i]}: "
                f"{self.output.labels[i]} {self.period.labels[i]}")


@dataclass(frozen=True)
class Brackets:
    """The plan's split of each discounted purchase into price brackets."""

    buyer: Column
    supplier: Column
    material: Column
    period: Column
    tier: Column
    bracket: np.ndarray
    quantity: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame | None, labels: Labels) -> Brackets:
        buyer, supplier, material, period, tier = _labels(
            labels, table, "buyer", "supplier", "material", "period", "tier")
        return cls(buyer, supplier, material, period, tier,
                   column(table, "bracket").astype(np.int64), column(table, "quantity", float))


class Offers:
    """The data's offers (SPEC 3.1 family 1): each one's key (supplier, material, period,
    tier: codes), capacity and price, and the few with a minimum, a deal or partners they
    are open to. They are the longest records: each field is read in one pass over all
    of them in their order, the fastest way."""

    def __init__(self, data: ScenarioData, labels: Labels) -> None:
        offers = self.records = data.offers
        self.supplier, self.material, self.period, self.tier = (
            labels.of(offers, c) for c in ("supplier", "material", "period", "tier"))
        self.capacity, self.price = (
            np.fromiter(map(attrgetter(c), offers), dtype=float, count=len(offers))
            for c in ("capacity", "price"))
        few = [(i, o.min_offtake, o.deal, o.buyers) for i, o in enumerate(offers)
               if o.min_offtake or o.deal is not None or o.buyers is not None]
        self.min_offtake = np.zeros(len(offers))
        self.min_offtake[[i for i, *_ in few]] = [m for _, m, _, _ in few]
        self.deal = np.full(len(offers), None, dtype=object)
        self.deal[[i for i, *_ in few]] = objects([deal for _, _, deal, _ in few])
        only = [(i, b) for i, _, _, buyers in few if buyers is not None for b in buyers]
        self._restricted = np.zeros(len(offers), dtype=bool)
        self._restricted[[i for i, _ in only]] = True
        self._entitled = (np.array([i for i, _ in only], dtype=np.int64),
                          labels.codes(b for _, b in only))

    def find(self, supplier: np.ndarray, material: np.ndarray, period: np.ndarray,
             tier: np.ndarray) -> np.ndarray:
        """The offer (a position) of each (supplier, material, period, tier) (codes), the
        last one with that key, as a dictionary built from the offers finds it; -1 where
        there is none."""
        return find([self.supplier, self.material, self.period, self.tier],
                    [supplier, material, period, tier])

    def exist(self, offer: np.ndarray, signed: Collection[str]) -> np.ndarray:
        """Whether each offer (a position) exists: it belongs to no deal, or to one the
        plan signs."""
        deal = self.deal[offer]
        out = np.fromiter(map(is_, deal, repeat(None)), dtype=bool, count=len(deal))
        rows = np.flatnonzero(~out)
        out[rows] = [d in signed for d in deal[rows]]
        return out

    def open_to(self, offer: np.ndarray, buyer: np.ndarray) -> np.ndarray:
        """Whether each offer (a position) is open to the buyer (a code) beside it."""
        out = ~self._restricted[offer]
        rows = np.flatnonzero(~out)
        out[rows] = find(list(self._entitled), [offer[rows], buyer[rows]]) >= 0
        return out


@dataclass(frozen=True)
class Routes:
    """The data's routes from suppliers to partners; a pair without one is open, free and
    immediate."""

    supplier: np.ndarray  # codes
    buyer: np.ndarray
    open: np.ndarray
    tariff: np.ndarray
    freight: np.ndarray
    lead_time: np.ndarray

    @classmethod
    def of(cls, data: ScenarioData, labels: Labels) -> Routes:
        routes = data.routes
        return cls(labels.of(routes, "supplier"), labels.of(routes, "buyer"),
                   np.array([r.open for r in routes], dtype=bool),
                   np.array([r.tariff for r in routes], dtype=float),
                   np.array([r.freight for r in routes], dtype=float),
                   np.array([r.lead_time for r in routes], dtype=np.int64))

    def of_pairs(self, supplier: np.ndarray, buyer: np.ndarray) -> np.ndarray:
        """The route (a position) of each (supplier, buyer) (codes); -1 where none."""
        return find([self.supplier, self.buyer], [supplier, buyer])


@dataclass(frozen=True)
class Demand:
    """The data's demand records, in data order."""

    buyer: Column
    material: Column
    period: Column
    quantity: np.ndarray

    @classmethod
    def of(cls, data: ScenarioData, labels: Labels) -> Demand:
        demand = data.demand
        buyer, material, period = (labels.column(objects(list(map(attrgetter(c), demand))))
                                   for c in ("buyer", "material", "period"))
        return cls(buyer, material, period, np.array([d.quantity for d in demand], dtype=float))
