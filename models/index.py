"""Sparse index sets and parameters of the formulation, computed once from the data.

Only what can happen gets a variable: no purchase from a supplier that does not offer
a material, from an inactive supplier, over a closed route, for a buyer and material
with no demand and no stock rule, or ordered so late that it would arrive after the
horizon. Everything here is plain Python: the Pyomo model is built from it in
:mod:`models.build`, and the application reuses it to map results back.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from models.data import DiscountSchedule, Policy, Recipe, Route, ScenarioData

Arc = tuple[str, str, str, str, int]  # (buyer, supplier, material, period, tier)
Process = tuple[str, str, str, str]  # (buyer, facility, output, period started)


@dataclass(frozen=True)
class ArcCost:
    price: float  # per unit, the offer's price
    tariff: float  # per unit: price x tariff rate
    freight: float  # per unit

    @property
    def unit(self) -> float:
        return self.price + self.tariff + self.freight


@dataclass(frozen=True)
class DealTerms:
    """A deal as the formulation uses it (SPEC 3.1 family 10 and its precise rules)."""

    upfront: float
    fixed: float
    term: tuple[str, ...]  # the periods of its Supply rows, in order
    # partner -> its part of the deal's costs: its share of the horizon demand for the
    # deal's materials (equal parts when none has any), in budgets and per-partner reports
    part: dict[str, float]

    def cost(self, period: str) -> float:
        """Money due in ``period`` if signed: the upfront cost in the first period of the
        term, the fixed cost in each."""
        if period not in self.term:
            return 0.0
        return self.fixed + (self.upfront if period == self.term[0] else 0.0)


@dataclass(frozen=True)
class Brackets:
    """One discount schedule as the formulation uses it (SPEC 3.1 family 11): bracket 0
    is the Supply price below the first break, bracket k >= 1 starts at ``low[k]``."""

    schedule: DiscountSchedule
    arcs: tuple[int, ...]  # positions in ``arcs`` of the purchases whose volume counts
    low: tuple[float, ...]  # where each bracket starts: 0, then the breaks
    high: tuple[float, ...]  # where it ends: the next break, the last one at the capacity
    # (arc position, bracket) -> money per unit below the Supply landed price:
    # (Supply price - bracket price) x (1 + the route's tariff rate)
    rebate: dict[tuple[int, int], float]

    @property
    def count(self) -> int:
        return len(self.low)


@dataclass(frozen=True)
class CapRow:
    """One diversification cap instance: a policy in one period (or over the horizon)."""

    policy: Policy
    period: str | None  # None: the whole horizon
    capped: tuple[int, ...]  # positions in `arcs` of the purchases from the target
    counted: tuple[int, ...]  # positions of all purchases of the buyer(s) and material
    # a cap at a stage (SPEC 3.2 family 16) also counts processing output, by position in
    # `processes`: done at the target's facilities, and all of it
    made_capped: tuple[int, ...] = ()
    made_counted: tuple[int, ...] = ()


@dataclass
class ModelIndex:
    periods: list[str]
    position: dict[str, int]
    discount: dict[str, float]
    days: dict[str, float]
    arcs: list[Arc]
    arc_cost: dict[Arc, ArcCost]
    arrival: dict[Arc, str]  # period in which the purchase arrives
    lead: dict[tuple[str, str], int]  # (supplier, buyer) -> lead time
    capacity: dict[tuple[str, str, str, int], float]  # (s, m, t, tier)
    offtake: dict[tuple[str, str, str], float]  # (s, m, t) -> minimum
    stock_keys: list[tuple[str, str]]  # (buyer, material) pairs with a stock balance
    demand: dict[tuple[str, str, str], float]  # (b, m, t) -> demand > 0
    initial: dict[tuple[str, str], float]
    floor: dict[tuple[str, str, str], float]  # > 0 only
    # cost per unit below the floor at the end of the period (SPEC 5: reserve_gap_penalty x
    # the shortage penalty per unit and year, pro rata for the period's days)
    gap_rate: dict[tuple[str, str, str], float]
    ceiling: dict[tuple[str, str, str], float]
    holding: dict[tuple[str, str, str], float]
    transfers: list[tuple[str, str, str, str]]  # (giver, receiver, material, period)
    transfer_cost: dict[tuple[str, str, str], float]
    transfer_limit: dict[tuple[str, str, str], float | None]
    caps: list[CapRow]
    budgets: dict[tuple[str, str], float]
    shortage_penalty: dict[str, float]  # money per unit short, by material
    unit: str  # the quantity unit, for messages
    currency: str  # the money unit, for messages
    # Rules that cannot be met whatever is bought (e.g. a minimum offtake from a supplier
    # no buyer may buy from): reported as infeasible without building anything.
    impossible: list[tuple[str, str]] = field(default_factory=list)  # (message, src)
    src: dict[tuple, str] = field(default_factory=dict)
    deals: dict[str, DealTerms] = field(default_factory=dict)  # those with an offer
    deal_of: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (s, m, t) -> deal
    brackets: list[Brackets] = field(default_factory=list)  # one per discount schedule
    # (buyer, material) -> money credited per unit of its stock at the end of the last
    # period (closing_stock_value x the material's credit price, SPEC 3.1 family 13)
    credit: dict[tuple[str, str], float] = field(default_factory=dict)
    # processing (SPEC 3.2 family 15): every partner's use of every recipe that has
    # capacity and finishes within the horizon, the recipes by (facility, output, period)
    # and the period each process's output arrives in, by position in ``processes``
    processes: list[Process] = field(default_factory=list)
    recipes: dict[tuple[str, str, str], Recipe] = field(default_factory=dict)
    finish: list[str] = field(default_factory=list)


# (field of ModelIndex, key in it): one number of the index; ("share", k) is the share of
# ``caps[k]``, and ("arc_cost", arc) an arc's landed unit cost, the only part of it the
# model reads
Entry = tuple[str, Any]


def entry_value(ix: ModelIndex, entry: Entry) -> float:
    """The number ``entry`` names in ``ix``."""
    name, key = entry
    if name == "share":
        return ix.caps[key].policy.share
    value = getattr(ix, name)[key]
    return value.unit if name == "arc_cost" else value


def with_values(ix: ModelIndex, values: Mapping[Entry, Any]) -> ModelIndex:
    """A copy of ``ix`` in which each entry of ``values`` holds the value given (for a
    model compiled once, an expression of fixed variables); ``ix`` is left as it is."""
    out = copy.copy(ix)
    for name in {name for name, _ in values if name != "share"}:
        setattr(out, name, dict(getattr(ix, name)))
    out.caps = list(ix.caps)
    for (name, key), value in values.items():
        if name == "share":
            cap = out.caps[key]
            out.caps[key] = replace(cap, policy=replace(cap.policy, share=value))
        elif name == "arc_cost":
            out.arc_cost[key] = ArcCost(value, 0.0, 0.0)
        else:
            getattr(out, name)[key] = value
    return out


def build_index(data: ScenarioData) -> ModelIndex:
    periods = list(data.period_labels)
    position = {t: i for i, t in enumerate(periods)}
    rate = data.settings.discount_rate
    discount = {t: (1.0 + rate) ** -i for i, t in enumerate(periods)}
    days = {p.label: p.days for p in data.periods}
    demand = {(d.buyer, d.material, d.period): d.quantity for d in data.demand if d.quantity > 0}
    rules = {(r.buyer, r.material, r.period): r for r in data.stock_rules}
    initial = {(i.buyer, i.material): i.quantity for i in data.initial_stock}
    # every partner may buy, hold and process every recipe input and output (SPEC 3.2)
    processed = {(b, m) for r in data.recipes for m in (r.output, *(i for i, _ in r.inputs))
                 for b in data.buyers}
    stock_keys = sorted(
        {(b, m) for b, m, _ in demand} | {(b, m) for b, m, _ in rules} | set(initial)
        | processed, key=lambda k: (data.buyers.index(k[0]), data.materials.index(k[1])))
    stocked = set(stock_keys)

    floor, ceiling, holding = {}, {}, {}
    penalty = {m: data.shortage_penalty(m) for m in data.materials}
    src: dict[tuple, str] = {}
    for (b, m, t), rule in rules.items():
        src[("stock", b, m, t)] = rule.src
        level = max(rule.min_level, rule.min_days * demand.get((b, m, t), 0.0) / days[t])
        if level > 0:
            floor[(b, m, t)] = level
        if rule.max_level is not None:
            ceiling[(b, m, t)] = rule.max_level
        if rule.holding_cost:
            holding[(b, m, t)] = rule.holding_cost

    routes: dict[tuple[str, str], Route] = {(r.supplier, r.buyer): r for r in data.routes}
    active = {s.name for s in data.suppliers if s.active}
    arcs: list[Arc] = []
    arc_cost: dict[Arc, ArcCost] = {}
    arrival: dict[Arc, str] = {}
    lead: dict[tuple[str, str], int] = {}
    capacity: dict[tuple[str, str, str, int], float] = {}
    offtake: dict[tuple[str, str, str], float] = defaultdict(float)
    for offer in data.offers:
        key = (offer.supplier, offer.material, offer.period, offer.tier)
        capacity[key] = offer.capacity
        src[("offer", *key)] = offer.src
        if offer.min_offtake > 0:
            offtake[key[:3]] += offer.min_offtake
            src.setdefault(("offtake", *key[:3]), offer.src)
        if offer.supplier not in active or offer.capacity <= 0:
            continue
        for b in data.buyers:
            route = routes.get((offer.supplier, b))
            if (b, offer.material) not in stocked or (route is not None and not route.open) \
                    or not offer.open_to(b):
                continue
            delay = route.lead_time if route is not None else 0
            arrive = position[offer.period] + delay
            if arrive >= len(periods):
                continue
            arc = (b, *key)
            arcs.append(arc)
            lead[(offer.supplier, b)] = delay
            arrival[arc] = periods[arrive]
            tariff = route.tariff if route is not None else 0.0
            freight = route.freight if route is not None else 0.0
            arc_cost[arc] = ArcCost(offer.price, offer.price * tariff, freight)

    deal_of = {(o.supplier, o.material, o.period): o.deal for o in data.offers
               if o.deal is not None}
    sellable = {a[1:4] for a in arcs} | set(deal_of)  # a deal's minimum binds only if signed
    impossible = [
        (f"minimum offtake of {q:g} of {m} from {s} in {t} cannot be bought: the supplier is "
         "inactive, its routes to the partners entitled to it are closed, or nothing it "
         "sells would arrive in time",
         src[("offtake", s, m, t)])
        for (s, m, t), q in offtake.items() if (s, m, t) not in sellable]

    for budget in data.budgets:
        src[("budget", budget.buyer, budget.period)] = budget.src
    transfers, transfer_cost, transfer_limit = [], {}, {}
    for share in data.sharing:
        if (share.giver, share.material) in stocked and (share.receiver, share.material) in stocked:
            key3 = (share.giver, share.receiver, share.material)
            transfer_cost[key3] = share.cost
            transfer_limit[key3] = share.limit
            src[("sharing", *key3)] = share.src
            transfers += [(*key3, t) for t in periods]

    processes: list[Process] = []
    finish: list[str] = []
    for r in data.recipes:
        src[("recipe", r.facility, r.output, r.period)] = r.src
        end = position[r.period] + r.lead_time
        if r.capacity > 0 and end < len(periods):  # finishing after the horizon: never started
            for b in data.buyers:
                processes.append((b, r.facility, r.output, r.period))
                finish.append(periods[end])

    return ModelIndex(
        periods=periods, position=position, discount=discount, days=days, arcs=arcs,
        arc_cost=arc_cost, arrival=arrival, lead=lead, capacity=capacity, offtake=dict(offtake),
        stock_keys=stock_keys, demand=demand, initial=initial, floor=floor, ceiling=ceiling,
        gap_rate={k: data.settings.reserve_gap_penalty * penalty[k[1]] * days[k[2]] / 365.0
                  for k in floor},
        holding=holding, transfers=transfers, transfer_cost=transfer_cost,
        transfer_limit=transfer_limit, caps=_cap_rows(data, arcs, periods, processes),
        budgets={(b.buyer, b.period): b.amount for b in data.budgets},
        shortage_penalty=penalty, unit=data.settings.unit,
        currency=data.settings.currency,
        impossible=impossible, src=src, deals=_deal_terms(data, position), deal_of=deal_of,
        brackets=_brackets(data, arcs, arc_cost, capacity),
        credit=_credit(data, stock_keys), processes=processes,
        recipes={(r.facility, r.output, r.period): r for r in data.recipes}, finish=finish)


def _credit(data: ScenarioData, stock_keys: list[tuple[str, str]]
            ) -> dict[tuple[str, str], float]:
    share = data.settings.closing_stock_value
    if not share:
        return {}
    price = data.credit_prices()
    return {(b, m): share * price[m] for b, m in stock_keys if price.get(m)}


def _brackets(data: ScenarioData, arcs: list[Arc], arc_cost: dict[Arc, ArcCost],
              capacity: dict[tuple[str, str, str, int], float]) -> list[Brackets]:
    out = []
    # the arcs of each (supplier, material, period), in arc order: one pass over the arcs,
    # not one per schedule (6,440 schedules on 38,000 arcs took a minute)
    arcs_of: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, a in enumerate(arcs):
        arcs_of[(a[1], a[2], a[3])].append(i)
    for sch in data.discounts:
        counted = tuple(sorted(i for t in set(sch.periods)
                               for i in arcs_of.get((sch.supplier, sch.material, t), ())
                               if sch.buyers is None or arcs[i][0] in sch.buyers))
        total = sum(capacity.get((sch.supplier, sch.material, t, 1), 0.0) for t in sch.periods)
        low = (0.0, *sch.breaks)
        high = (*sch.breaks, max(total, sch.breaks[-1]))
        price = dict(zip(sch.periods, sch.prices, strict=True))
        rebate = {}
        for i in counted:
            a = arcs[i]
            cost = arc_cost[a]
            rate = cost.tariff / cost.price if cost.price else 0.0
            for k, p in enumerate(price[a[3]], start=1):
                rebate[(i, k)] = (cost.price - p) * (1.0 + rate)
        out.append(Brackets(sch, counted, low, high, rebate))
    return out


def _deal_terms(data: ScenarioData, position: dict[str, int]) -> dict[str, DealTerms]:
    own: dict[tuple[str, str], float] = defaultdict(float)
    for d in data.demand:
        own[(d.buyer, d.material)] += d.quantity
    out = {}
    for deal in data.deals:
        offers = [o for o in data.offers if o.deal == deal.name]
        plants = [r for r in data.recipes if r.deal == deal.name]  # co-financed capacity
        if not offers and not plants:
            continue
        term = tuple(sorted({o.period for o in offers} | {r.period for r in plants},
                            key=position.__getitem__))
        materials = {o.material for o in offers} | {r.output for r in plants}
        need = {b: sum(own[(b, m)] for m in materials) for b in data.buyers}
        total = sum(need.values())
        part = {b: need[b] / total if total > 0 else 1.0 / len(data.buyers)
                for b in data.buyers}
        out[deal.name] = DealTerms(deal.upfront_cost, deal.fixed_cost, term, part)
    return out


def _cap_rows(data: ScenarioData, arcs: list[Arc], periods: list[str],
              processes: list[Process]) -> list[CapRow]:
    supplier = {s.name: s for s in data.suppliers}
    by_scope: dict[tuple[str, str], list[int]] = defaultdict(list)  # (material, period)
    for i, arc in enumerate(arcs):
        by_scope[(arc[2], arc[3])].append(i)
    made_in: dict[tuple[str, str], list[int]] = defaultdict(list)  # (output, period started)
    for i, proc in enumerate(processes):
        made_in[(proc[2], proc[3])].append(i)
    country = {r.facility: r.country for r in data.recipes}

    def made_by(policy: Policy, i: int) -> str:
        facility = processes[i][1]
        return facility if policy.kind == "max_supplier_share" else country[facility]

    def target_of(policy: Policy, i: int) -> str:
        s = supplier[arcs[i][1]]
        return {"max_supplier_share": s.name, "max_country_share": s.country,
                "max_origin_share": s.origin}[policy.kind]

    rows = []
    for policy in data.policies:
        windows = [[t] for t in periods] if policy.scope == "period" else [periods]
        for window in windows:
            counted = tuple(a for t in window for a in by_scope[(policy.material, t)]
                            if policy.buyer is None or arcs[a][0] == policy.buyer)
            capped = tuple(a for a in counted if target_of(policy, a) == policy.target)
            # at a stage, what is processed there counts too, by the facility's country (a
            # supplier cap treats each facility as a source; origin caps count purchases)
            made = () if policy.stage is None or policy.kind == "max_origin_share" else tuple(
                i for t in window for i in made_in[(policy.material, t)]
                if policy.buyer is None or processes[i][0] == policy.buyer)
            made_capped = tuple(i for i in made if made_by(policy, i) == policy.target)
            if capped or made_capped:  # a share of 1 binds nothing but keeps a swept cap's rows
                rows.append(CapRow(policy, window[0] if len(window) == 1 and
                                   policy.scope == "period" else None, capped, counted,
                                   made_capped, made))
    return rows
