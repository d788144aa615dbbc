"""Reading a stress test's re-solves with arrays: one :class:`Reader` per plan's model.

Everything that does not change between scenarios (which LP column holds which
shortfall, stock and spot purchase; each arc's supplier and material; each cap's arcs)
is gathered once into index arrays and sparse matrices, so reading a scenario is a few
vector operations on the solution. The tables of a scenario are kept as rows of plain
values and become DataFrames only when a report asks (:class:`ScenarioStress`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse

from models.index import ModelIndex
from models.stochastic import spot_unit_cost
from optimizer.solving.highs import Outcome, Status

TOL = 1e-6
SHORTFALLS = ["buyer", "material", "shortfall"]
LAPSED = ["supplier", "material", "undelivered", "not_paid_pv"]
SPOT = ["supplier", "material", "quantity", "cost_pv"]
CAP_SHARES = ["policy", "buyer", "material", "period", "target", "limit", "contracted_share",
              "delivered_share"]


@dataclass
class ScenarioStress:
    scenario: str
    probability: float
    status: Status
    cost: float | None  # present value: delivered contracts, spot, holding, transfers, penalties
    shortfall: float
    periods_short: int = 0  # (buyer, material, period) triples with shortfall
    periods_below_floor: int = 0
    days_below_floor: float = 0.0
    spot_bought: float = 0.0
    # the reserve drawn below the floor, in unit-periods
    below_floor: float = 0.0
    # Rows of the tables below (plain values: light to send back from a worker).
    short_rows: tuple = ()
    lapsed_rows: tuple = ()
    spot_rows: tuple = ()
    cap_rows: tuple = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def shortfalls(self) -> pd.DataFrame:
        """Shortfall by buyer and material."""
        return pd.DataFrame(list(self.short_rows), columns=SHORTFALLS)

    @property
    def lapsed(self) -> pd.DataFrame:
        """What made the difference to the plan (SPEC 5): contracts not delivered, and
        what was then not paid (PV), by supplier and material."""
        return pd.DataFrame(list(self.lapsed_rows), columns=LAPSED)

    @property
    def spot(self) -> pd.DataFrame:
        """Spot purchases and their cost (PV), by supplier and material."""
        return pd.DataFrame(list(self.spot_rows), columns=SPOT)

    @property
    def caps(self) -> pd.DataFrame:
        """Each cap on the shares it is enforced on (contracts at their contracted
        quantity, plus spot) and on what was delivered (SPEC 5)."""
        return pd.DataFrame(list(self.cap_rows), columns=CAP_SHARES)


def no_plan(name: str, probability: float, status: Status) -> ScenarioStress:
    return ScenarioStress(name, probability, status, None, 0.0)


class _Groups:
    """Positions grouped by a key, the keys in sorted order (as a groupby gives them)."""

    def __init__(self, keys: list[tuple]):
        self.keys = sorted(set(keys))
        at = {k: g for g, k in enumerate(self.keys)}
        self.code = np.fromiter((at[k] for k in keys), dtype=np.int64, count=len(keys))

    def rows(self, mask: np.ndarray, *values: np.ndarray) -> tuple:
        """(key..., sum of each of ``values``) per key with a masked position."""
        n = len(self.keys)
        present = np.bincount(self.code[mask], minlength=n) > 0
        sums = [np.bincount(self.code[mask], weights=v[mask], minlength=n) for v in values]
        return tuple((*self.keys[g], *(float(s[g]) for s in sums))
                     for g in np.flatnonzero(present))


def _columns(lp: Any, component: Any) -> np.ndarray:
    """The LP column of each member of ``component``; one past the last column for a
    member in no row (it reads as 0, see :meth:`Reader.read`)."""
    missing = len(lp.columns)
    return np.fromiter((lp.column_of.get(id(v), missing) for v in component.values()),
                       dtype=np.int64, count=len(component))


class Reader:
    """Reads the scenarios of one plan's stress model (``blk``, spot on every arc)."""

    def __init__(self, ix: ModelIndex, blk: Any, lp: Any, contracts: list[float],
                 rebates: list[float] | None, premium: float):
        self.ix = ix
        n = len(ix.arcs)
        self.short_col = _columns(lp, blk.short)
        self.short_groups = _Groups([k[:2] for k in blk.SHORT])
        stock_at = {k: j for k, j in zip(blk.STOCK, _columns(lp, blk.stock), strict=True)}
        self.floor_col = np.array([stock_at[k] for k in ix.floor], dtype=np.int64)
        self.floor_level = np.array(list(ix.floor.values()), dtype=float)
        self.floor_days = np.array([ix.days[k[2]] for k in ix.floor], dtype=float)
        assert list(blk.SPOT) == list(range(n))  # spot on every arc, in arc order
        self.spot_col = _columns(lp, blk.spot)
        self.make_col = _columns(lp, blk.make)
        self.arc_groups = _Groups([a[1:3] for a in ix.arcs])
        self.x = np.maximum(np.asarray(contracts, dtype=float), 0.0)
        self.discount = np.array([ix.discount[a[3]] for a in ix.arcs])
        self.unit = np.array([ix.arc_cost[a].unit for a in ix.arcs])
        off = np.asarray(rebates if rebates is not None else np.zeros(n), dtype=float)
        # the price a contract pays per unit, its discounts included
        self.paid = self.unit - np.divide(off, self.x, out=np.zeros(n), where=self.x > 0)
        # a spot unit's cost is affine in the price factor: spot_unit_cost at 0 and at 1
        at0 = np.array([spot_unit_cost(ix.arc_cost[a], 0.0, premium) for a in ix.arcs])
        at1 = np.array([spot_unit_cost(ix.arc_cost[a], 1.0, premium) for a in ix.arcs])
        self.spot_base, self.spot_slope = at0, at1 - at0
        self._caps(ix)

    def _caps(self, ix: ModelIndex) -> None:
        def matrix(members: list[tuple[int, ...]], width: int) -> scipy.sparse.csr_array:
            rows = [r for r, m in enumerate(members) for _ in m]
            cols = [j for m in members for j in m]
            return scipy.sparse.csr_array((np.ones(len(cols)), (rows, cols)),
                                          shape=(len(members), width))

        caps = ix.caps
        self.counted = matrix([c.counted for c in caps], len(ix.arcs))
        self.capped = matrix([c.capped for c in caps], len(ix.arcs))
        self.made_counted = matrix([c.made_counted for c in caps], len(ix.processes))
        self.made_capped = matrix([c.made_capped for c in caps], len(ix.processes))
        self.cap_labels = [(f"{c.policy.kind} '{c.policy.name}'", c.policy.buyer or "coalition",
                            c.policy.material, c.period or "horizon", c.policy.target,
                            c.policy.share) for c in caps]

    def read(self, outcome: Outcome, name: str, probability: float, disrupted: bool,
             delivered: list[float], price: list[float]) -> ScenarioStress:
        """One scenario's report row from its solution; ``delivered`` and ``price``: its
        factors per arc."""
        assert outcome.x is not None and outcome.objective is not None  # a plan
        sol = np.append(outcome.x, 0.0)  # the last: a variable in no row
        short = sol[self.short_col]
        hit = short > TOL
        stock = sol[self.floor_col]
        below = stock < self.floor_level - TOL
        y = sol[self.spot_col]
        factor = np.asarray(delivered, dtype=float)
        undelivered = self.x * (1.0 - factor)
        lapsed = undelivered > TOL
        bought = y > TOL
        spot_cost = y * (self.spot_base + self.spot_slope * np.asarray(price, dtype=float)) \
            * self.discount
        return ScenarioStress(
            scenario=name, probability=probability, status=outcome.status,
            cost=float(outcome.objective), shortfall=float(short.sum()),
            periods_short=int(hit.sum()), periods_below_floor=int(below.sum()),
            days_below_floor=float(self.floor_days[below].sum()),
            spot_bought=float(y.sum()),
            below_floor=float((self.floor_level - stock)[below].sum()),
            short_rows=self.short_groups.rows(hit, short),
            lapsed_rows=self.arc_groups.rows(lapsed, undelivered,
                                             undelivered * self.paid * self.discount),
            spot_rows=self.arc_groups.rows(bought, y, spot_cost),
            cap_rows=self._cap_rows(factor, y, sol[self.make_col]) if disrupted else ())

    def _cap_rows(self, factor: np.ndarray, y: np.ndarray, made: np.ndarray) -> tuple:
        """Each cap's share on contracted quantities plus spot (what it is enforced on)
        and on delivered quantities plus spot; a cap at a stage adds what this world
        processed."""
        own, own_capped = self.made_counted @ made, self.made_capped @ made
        contracted, delivered = self.x + y, self.x * factor + y
        total = self.counted @ contracted + own
        got = self.counted @ delivered + own
        share = (self.capped @ contracted + own_capped)
        share_delivered = (self.capped @ delivered + own_capped)
        return tuple((*label, float(share[p] / total[p]) if total[p] > TOL else None,
                      float(share_delivered[p] / got[p]) if got[p] > TOL else None)
                     for p, label in enumerate(self.cap_labels))
