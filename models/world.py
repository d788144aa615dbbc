"""The numbers of one world of the second stage, as the recourse block reads them (SPEC 5).

A recourse block (:func:`models.stochastic.add_recourse`) is written once against a
:class:`World`: which arcs may be bought spot, the share of each contract delivered, the
factor on each spot price, on each offer's and facility's capacity, and on what is left
of an offer for a partner a shock is aimed at.

:meth:`World.of` gives one scenario's numbers, so its block holds exactly the rows and
columns that scenario needs. :class:`WorldParameters` gives the block of every scenario
at once: the same numbers as fixed variables (data to Pyomo's parameterized compiler),
spot purchases on every arc and the rows of every scenario of a batch, so that the block
is built and compiled once and :meth:`WorldParameters.set` turns it into any one
scenario: the numbers set, spot purchases before the disruption bounded to 0, and the
rows that scenario does not have deactivated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from models.data import ScenarioData
from models.index import Arc, ModelIndex


@dataclass(frozen=True)
class Outlook:
    """One scenario of the second stage: its probability and factors per offer."""

    name: str
    probability: float
    capacity_factor: dict[tuple[str, str, str], float]  # (supplier, material, period)
    price_factor: dict[tuple[str, str, str], float]
    first_period: int | None  # position of the first disrupted period; None: no disruption
    # rows aimed at one partner (SPEC 4.14), (buyer, supplier, material, period): on top of
    # the factors above, for that partner's deliveries and spot purchases only
    buyer_capacity_factor: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    buyer_price_factor: dict[tuple[str, str, str, str], float] = field(default_factory=dict)

    def delivered(self, arc: Arc) -> float:
        """The share of a contract on ``arc`` that is delivered in this world."""
        return self.capacity_factor.get(arc[1:4], 1.0) * self.buyer_capacity_factor.get(
            arc[:4], 1.0)

    def price(self, arc: Arc) -> float:
        """The factor on the price of what ``arc``'s buyer buys after the fact."""
        return self.price_factor.get(arc[1:4], 1.0) * self.buyer_price_factor.get(arc[:4], 1.0)


NO_DISRUPTION = "no disruption"


def outlooks(data: ScenarioData) -> list[Outlook]:
    """The scenarios of the Disruptions sheet plus 'no disruption' with the rest."""
    position = {t: i for i, t in enumerate(data.period_labels)}
    rest = max(0.0, 1.0 - sum(d.probability for d in data.disruptions))
    out = [Outlook(NO_DISRUPTION, rest, {}, {}, None)]
    for d in data.disruptions:
        everyone = [s for s in d.shocks if s.buyer is None]
        aimed = [(s.buyer, s) for s in d.shocks if s.buyer is not None]
        hit = [position[s.period] for s in d.shocks
               if s.capacity_factor != 1.0 or s.price_factor != 1.0]
        out.append(Outlook(
            d.name, d.probability,
            {(s.supplier, s.material, s.period): s.capacity_factor for s in everyone},
            {(s.supplier, s.material, s.period): s.price_factor for s in everyone},
            min(hit) if hit else None,
            {(b, s.supplier, s.material, s.period): s.capacity_factor for b, s in aimed},
            {(b, s.supplier, s.material, s.period): s.price_factor for b, s in aimed}))
    return out


@dataclass(frozen=True)
class World:
    """Numbers and structure of one world's recourse block; a number is a float, or a
    fixed variable holding it (:class:`WorldParameters`)."""

    spot_arcs: list[int]  # positions in ix.arcs that may be bought spot
    delivered: Sequence[Any]  # per arc: the share of its contract delivered
    price: Sequence[Any]  # per arc: the factor on its spot price
    offer: Mapping[tuple[str, str, str], Any]  # (supplier or facility, material, period)
    aimed: Mapping[int, Any]  # spot arc -> what is left of its offer for its buyer

    @classmethod
    def of(cls, ix: ModelIndex, outlook: Outlook) -> World:
        first = outlook.first_period
        spot = [] if first is None else [i for i, a in enumerate(ix.arcs)
                                         if ix.position[a[3]] >= first]
        cf = outlook.capacity_factor
        return cls(spot, [outlook.delivered(a) for a in ix.arcs],
                   [outlook.price(a) for a in ix.arcs], _Factors(cf),
                   {i: g * cf.get(ix.arcs[i][1:4], 1.0) for i in spot
                    if (g := outlook.buyer_capacity_factor.get(ix.arcs[i][:4], 1.0)) < 1.0})

    def factor(self, key: tuple[str, str, str]) -> Any:
        return self.offer.get(key, 1.0)


class _Factors(dict):
    """Capacity factors by (supplier or facility, material, period); 1 where none is
    given."""

    def get(self, key: Any, default: Any = 1.0) -> Any:
        return super().get(key, default)


def tranches(ix: ModelIndex, spot_arcs: Collection[int]) -> dict[tuple, list[int]]:
    """(supplier, material, period, tier) -> its spot arcs: one spot capacity row each."""
    out: dict[tuple, list[int]] = defaultdict(list)
    for i in spot_arcs:
        out[ix.arcs[i][1:]].append(i)
    return dict(out)


def paid_rows(ix: ModelIndex, spot_arcs: Collection[int]) -> list[tuple[str, str]]:
    """The budgets a world holds beside the first stage's: (buyer, period) with spot
    purchases or processing (decided in each world), in the index's order."""
    paid = {(ix.arcs[i][0], ix.arcs[i][3]) for i in spot_arcs} | {
        (p[0], p[3]) for p in ix.processes}
    return [k for k in ix.budgets if k in paid]


def cap_rows(ix: ModelIndex, spot_arcs: Collection[int]) -> list[int]:
    """The caps a world holds: every soft cap (its excess is that world's to pay), every
    hard cap that spot purchases enter and every cap at a stage (processing is decided
    there); a hard cap on contracts alone already holds from the first stage."""
    spot = set(spot_arcs)
    return [p for p, row in enumerate(ix.caps) if row.policy.penalty is not None
            or any(a in spot for a in row.counted) or row.made_counted]


@dataclass
class Changes:
    """What :meth:`WorldParameters.set` changed in the model: fixed variables holding
    numbers, variables whose bounds moved and constraints (de)activated."""

    parameters: list[Any]
    variables: list[Any]
    rows: list[Any]


class WorldParameters:
    """Every scenario's world in one block: its numbers as fixed variables of ``m``,
    spot purchases on every arc, the aimed rows of ``aimed`` (the arcs some scenario of
    the batch aims a shock at); :meth:`set` makes the block one scenario's."""

    def __init__(self, m: pyo.ConcreteModel, ix: ModelIndex, aimed: Collection[int]):
        self.ix = ix
        n = len(ix.arcs)
        offers = sorted({a[1:4] for a in ix.arcs} | {(f, o, t) for _, f, o, t in ix.processes})
        m.OFFERS = pyo.Set(initialize=offers, dimen=3, ordered=True)
        m.AIMED_ARCS = pyo.Set(initialize=sorted(aimed), ordered=True)
        m.delivered_share = pyo.Var(range(n), initialize=1.0)
        m.spot_price_factor = pyo.Var(range(n), initialize=1.0)
        m.offer_factor = pyo.Var(m.OFFERS, initialize=1.0)
        m.aimed_factor = pyo.Var(m.AIMED_ARCS, initialize=1.0)
        self.variables = [*m.delivered_share.values(), *m.spot_price_factor.values(),
                          *m.offer_factor.values(), *m.aimed_factor.values()]
        for v in self.variables:
            v.fix()
        self.world = World(list(range(n)), list(m.delivered_share.values()),
                           list(m.spot_price_factor.values()),
                           dict(zip(m.OFFERS, m.offer_factor.values(), strict=True)),
                           dict(zip(m.AIMED_ARCS, m.aimed_factor.values(), strict=True)))
        self.block: pyo.Block | None = None
        # where an outlook's keys land: arcs by offer and by (buyer, offer), arcs by period
        self._by_offer: dict[tuple, list[int]] = defaultdict(list)
        self._by_buyer: dict[tuple, list[int]] = defaultdict(list)
        for i, a in enumerate(ix.arcs):
            self._by_offer[a[1:4]].append(i)
            self._by_buyer[a[:4]].append(i)
        self._position = [ix.position[a[3]] for a in ix.arcs]
        self._spot_at: list[list] = [[] for _ in ix.periods]  # spot purchases by period
        for i, t in enumerate(self._position):
            self._spot_at[t].append(i)
        self._offer_at = {k: j for j, k in enumerate(offers)}
        # the numbers set now, per parameter (1 everywhere at first), and per arc
        self._now = [1.0] * len(self.variables)
        self._set: set[int] = set()
        self.delivered_now = [1.0] * n
        self.price_now = [1.0] * n
        self._first = 0  # every spot purchase open
        self._rows: dict[int | None, dict[str, set]] = {}
        self._active: dict[str, set] | None = None

    def switched(self) -> tuple[list, list]:
        """The variables whose bounds and the constraints whose activity :meth:`set`
        changes (the solver re-reads only these)."""
        blk = self.block
        assert blk is not None  # built by add_recourse
        return [blk.spot], [getattr(blk, name) for name in _SWITCHED]

    def set(self, outlook: Outlook) -> Changes:
        """Make the block ``outlook``'s world: its numbers, its spot purchases and its
        rows; the others bounded to 0 or deactivated, which is the same LP. Only what
        differs from the world set before is touched."""
        blk = self.block
        assert blk is not None
        n = len(self.ix.arcs)
        values = self._numbers(outlook)
        changed = []
        for k in self._set | set(values):
            value = values.get(k, 1.0)
            if value != self._now[k]:
                self._now[k] = value
                var = self.variables[k]
                var.set_value(value, skip_validation=True)
                changed.append(var)
        self._set = set(values)
        self.delivered_now = self._now[:n]
        self.price_now = self._now[n:2 * n]
        first = len(self.ix.periods) if outlook.first_period is None else outlook.first_period
        low, high = sorted((first, self._first))
        moved = []
        for t in range(low, high):
            for i in self._spot_at[t]:
                var = blk.spot[i]
                var.setub(None if t >= first else 0.0)
                moved.append(var)
        self._first = first
        return Changes(changed, moved, self._switch_rows(outlook, first))

    def _numbers(self, outlook: Outlook) -> dict[int, float]:
        """Parameter position -> value, for the parameters ``outlook`` does not leave at
        1."""
        n, out = len(self.ix.arcs), {}
        hit = {i for k in outlook.capacity_factor for i in self._by_offer.get(k, ())}
        hit |= {i for k in outlook.buyer_capacity_factor for i in self._by_buyer.get(k, ())}
        for i in hit:
            out[i] = outlook.delivered(self.ix.arcs[i])
        priced = {i for k in outlook.price_factor for i in self._by_offer.get(k, ())}
        priced |= {i for k in outlook.buyer_price_factor for i in self._by_buyer.get(k, ())}
        for i in priced:
            out[n + i] = outlook.price(self.ix.arcs[i])
        start = 2 * n
        for k, f in outlook.capacity_factor.items():
            if k in self._offer_at:
                out[start + self._offer_at[k]] = f
        start += len(self._offer_at)
        for j, i in enumerate(self.world.aimed):
            g = outlook.buyer_capacity_factor.get(self.ix.arcs[i][:4], 1.0)
            cf = outlook.capacity_factor.get(self.ix.arcs[i][1:4], 1.0)
            if g * cf != 1.0:
                out[start + j] = g * cf
        return {k: v for k, v in out.items() if v != 1.0}

    def _switch_rows(self, outlook: Outlook, first: int) -> list[Any]:
        """(De)activate the rows that differ between the world set before and this one."""
        blk = self.block
        if first not in self._rows:
            spot = [i for i, t in enumerate(self._position) if t >= first]
            self._rows[first] = {"spot_capacity": set(tranches(self.ix, spot)),
                                 "budget": set(paid_rows(self.ix, spot)),
                                 "share_cap": set(cap_rows(self.ix, spot))}
        want = dict(self._rows[first])
        want["aimed_spot_capacity"] = {
            i for i in self.world.aimed if self._position[i] >= first
            and outlook.buyer_capacity_factor.get(self.ix.arcs[i][:4], 1.0) < 1.0}
        if self._active is None:  # as built: every row active
            self._active = {name: set(getattr(blk, name).keys()) for name in _SWITCHED}
        out = []
        for name in _SWITCHED:
            rows = getattr(blk, name)
            for key in self._active[name] - want[name]:
                rows[key].deactivate()
                out.append(rows[key])
            for key in want[name] - self._active[name]:
                rows[key].activate()
                out.append(rows[key])
        self._active = want
        return out


_SWITCHED = ("spot_capacity", "aimed_spot_capacity", "budget", "share_cap")


def aimed_arcs(ix: ModelIndex, outlooks: Collection[Outlook]) -> frozenset[int]:
    """The arcs on which some of ``outlooks`` cuts what one partner may buy."""
    keys = {k for o in outlooks for k, g in o.buyer_capacity_factor.items() if g < 1.0}
    if not keys:
        return frozenset()
    return frozenset(i for i, a in enumerate(ix.arcs) if a[:4] in keys)
