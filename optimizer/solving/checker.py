"""An independent checker: every rule of SPEC section 3, recomputed from the scenario data
and the plan's tables alone.

It deliberately shares nothing with the formulation (no ``models.index``, no Pyomo):
floors, caps, arrivals, lead times and costs are derived again here from
:class:`~models.data.ScenarioData`, so a bug in the model cannot hide itself. It runs
after every solve and in the tests, and reports each violation beyond tolerance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from models.data import Offer, ScenarioData

ABS_TOL = 1e-5
REL_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    found: float
    limit: float

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: found {self.found:,.6g}, limit {self.limit:,.6g}"


def _tol(x: float) -> float:
    return ABS_TOL + REL_TOL * abs(x)


def check_plan(data: ScenarioData, purchases: pd.DataFrame, transfers: pd.DataFrame,
               stock: pd.DataFrame, objective: float | None = None,
               cap_excess: dict[tuple, float] | None = None,
               signed: Mapping[str, str] | None = None,
               brackets: pd.DataFrame | None = None,
               units: Sequence[Sequence[str]] | None = None,
               processing: pd.DataFrame | None = None) -> list[Violation]:
    """All violations of the scenario's rules by the plan; empty when the plan is sound.

    ``stock`` supplies the plan's shortfall and closing stock per buyer, material and
    period; the closing stock is recomputed here and compared. ``objective`` (present
    value) is recomputed when given. Soft caps may be exceeded; ``cap_excess`` is then
    not needed: the penalty is recomputed from the purchases. ``signed`` maps each deal the
    plan signs to who signed it: a deal's offers exist, and its minimum binds, only when
    it is signed; a partner who signed alone pays all of it, the coalition splits it by
    the partners' shares of the horizon demand for its materials (SPEC 3.1).
    """
    signed = signed or {}
    # ``brackets``: the plan's units of each discounted purchase by price bracket; ``units``:
    # the planning units whose volume a discount counts (default: the coalition);
    # ``processing``: the plan's runs (buyer, facility, output, period, quantity)
    out: list[Violation] = []
    periods = list(data.period_labels)
    pos = {t: i for i, t in enumerate(periods)}
    days = {p.label: p.days for p in data.periods}
    disc = {t: (1 + data.settings.discount_rate) ** -i for i, t in enumerate(periods)}
    supplier = {s.name: s for s in data.suppliers}
    routes = {(r.supplier, r.buyer): r for r in data.routes}
    offers = {(o.supplier, o.material, o.period, o.tier): o for o in data.offers}
    buys = list(purchases.itertuples(index=False))

    # 1, 2, 7: purchases exist as offers, over open routes, within capacity and offtake
    used: defaultdict[tuple[str, str, str, int], float] = defaultdict(float)
    taken: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    arrivals: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    cost = 0.0
    spend: defaultdict[tuple[str, str], float] = defaultdict(float)
    for p in buys:
        where = f"{p.buyer}<-{p.supplier} {p.material} {p.period} tier {p.tier}"
        offer = offers.get((p.supplier, p.material, p.period, p.tier))
        if p.quantity < -ABS_TOL:
            out.append(Violation("negative purchase", where, p.quantity, 0.0))
        if offer is None or not supplier[p.supplier].active:
            out.append(Violation("purchase without an active offer", where, p.quantity, 0.0))
            continue
        if offer.buyers is not None and p.buyer not in offer.buyers:
            out.append(Violation("purchase by a partner the offer is not open to", where,
                                 p.quantity, 0.0))
        route = routes.get((p.supplier, p.buyer))
        if route is not None and not route.open:
            out.append(Violation("purchase over a closed route", where, p.quantity, 0.0))
        lead = route.lead_time if route is not None else 0
        arrive = pos[p.period] + lead
        if arrive >= len(periods):
            out.append(Violation("arrival after the horizon", where, arrive, len(periods) - 1))
            continue
        arrivals[(p.buyer, p.material, periods[arrive])] += p.quantity
        used[(p.supplier, p.material, p.period, p.tier)] += p.quantity
        taken[(p.supplier, p.material, p.period)] += p.quantity
        tariff = route.tariff if route is not None else 0.0
        freight = route.freight if route is not None else 0.0
        unit = offer.price * (1 + tariff) + freight
        cost += disc[p.period] * unit * p.quantity
        spend[(p.buyer, p.period)] += unit * p.quantity
    def exists(o: Offer) -> bool:
        return o.deal is None or o.deal in signed

    for tier_key, q in used.items():
        cap = offers[tier_key].capacity if exists(offers[tier_key]) else 0.0
        if q > cap + _tol(cap):
            what = "supplier capacity" if exists(offers[tier_key]) else \
                f"purchase from deal {offers[tier_key].deal!r}, not signed"
            out.append(Violation(what, " ".join(map(str, tier_key)), q, cap))
    minimum: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    for o in data.offers:
        minimum[(o.supplier, o.material, o.period)] += o.min_offtake if exists(o) else 0.0
    for offer_key, q in minimum.items():
        if q > 0 and taken[offer_key] < q - _tol(q):
            out.append(Violation("minimum offtake", " ".join(offer_key), taken[offer_key], q))

    # 11: volume discounts, from the plan's split of each purchase by bracket
    if data.discounts:
        saved = _check_discounts(data, buys, brackets, units or [list(data.buyers)], routes,
                                 out)
        for (who, t), money in saved.items():
            cost -= disc[t] * money
            spend[(who, t)] -= money

    # 15: processing by recipe, within facility capacity, its fees paid when it starts
    made, drawn, fees = _check_processing(data, processing, signed, pos, out)
    for (b, t), money in fees.items():
        cost += disc[t] * money
        spend[(b, t)] += money

    # 8: transfers only where sharing is allowed, within limits
    sharing = {(s.giver, s.receiver, s.material): s for s in data.sharing}
    moved_in: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    moved_out: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    for z in transfers.itertuples(index=False):
        g, r = z[0], z[1]  # "from" and "to" are not attribute names
        rule = sharing.get((g, r, z.material))
        where = f"{g}->{r} {z.material} {z.period}"
        if rule is None:
            out.append(Violation("transfer not allowed", where, z.quantity, 0.0))
            continue
        if rule.limit is not None and z.quantity > rule.limit + _tol(rule.limit):
            out.append(Violation("transfer limit", where, z.quantity, rule.limit))
        moved_in[(r, z.material, z.period)] += z.quantity
        moved_out[(g, z.material, z.period)] += z.quantity
        cost += disc[z.period] * rule.cost * z.quantity

    # 3, 4: stock balance recomputed, shortfall within demand, floors and ceilings
    demand = {(d.buyer, d.material, d.period): d.quantity for d in data.demand}
    rules = {(r.buyer, r.material, r.period): r for r in data.stock_rules}
    initial = {(i.buyer, i.material): i.quantity for i in data.initial_stock}
    reported = {(s.buyer, s.material, s.period): s for s in stock.itertuples(index=False)}
    flowing = {(k[0], k[1]) for k in (*made, *drawn)}
    for (b, mat) in {(k[0], k[1]) for k in reported} | flowing:
        level = initial.get((b, mat), 0.0)
        for t in periods:
            key = (b, mat, t)
            row = reported.get(key)
            d = demand.get(key, 0.0)
            u = row.shortfall if row is not None else 0.0
            where = f"{b} {mat} {t}"
            if u < -ABS_TOL or u > d + _tol(d):
                out.append(Violation("shortfall outside 0..demand", where, u, d))
            level += (arrivals[key] + made[key] - drawn[key] + moved_in[key] - moved_out[key]
                      - (d - u))
            if row is not None and abs(row.closing - level) > _tol(level) * 10:
                out.append(Violation("stock balance", where, row.closing, level))
            if row is None and abs(level) > _tol(level) * 10:
                out.append(Violation("stock not reported", where, 0.0, level))
            if level < -_tol(d):
                out.append(Violation("negative stock", where, level, 0.0))
            stock_rule = rules.get(key)
            if stock_rule is not None:
                # the floor is a reserve (SPEC 5): below it is allowed, at the gap's cost
                floor = max(stock_rule.min_level, stock_rule.min_days * d / days[t])
                gap = max(0.0, floor - level)
                cost += (disc[t] * data.settings.reserve_gap_penalty * data.shortage_penalty(mat)
                         * days[t] / 365.0 * gap)
                ceiling = stock_rule.max_level
                if ceiling is not None and level > ceiling + _tol(ceiling):
                    out.append(Violation("storage ceiling", where, level, ceiling))
                cost += disc[t] * stock_rule.holding_cost * level
            cost += disc[t] * u * data.shortage_penalty(mat)
    missing = {(d.buyer, d.material, d.period) for d in data.demand if d.quantity > 0} - set(
        reported)
    for demand_key in sorted(missing):
        out.append(Violation("demand without a stock balance", " ".join(demand_key),
                             demand[demand_key], 0.0))

    # 5, 9: diversification caps (hard: violation; soft: penalty)
    cost += _check_caps(data, buys, disc, periods, out,
                        list(processing.itertuples(index=False)) if processing is not None
                        else [])

    # 13: stock left at the end of the last period is credited at the credit price
    if data.settings.closing_stock_value:
        last = periods[-1]
        price = _credit_prices(data)
        # A partner or sub-coalition planning alone carries the whole coalition's prices
        # (the same in every mode, SPEC 3.1): the lowest over more partners, so never
        # above what its own data gives; the coalition's own data gives them exactly.
        for mat, given in (data.credit or ()):
            if given > price.get(mat, float("inf")) + _tol(given):
                out.append(Violation("closing-stock credit price", mat, given, price[mat]))
        price = dict(data.credit) if data.credit is not None else price
        for (_, mat, t), row in reported.items():
            if t == last and mat in price:
                cost -= disc[t] * data.settings.closing_stock_value * price[mat] * row.closing

    # 10: deals signed pay their upfront cost in the first period of their term and their
    # fixed cost in each; a partner's part is its share of the horizon demand for the
    # deal's materials
    for deal in data.deals:
        if deal.name not in signed:
            continue
        rows = [(o.period, o.material) for o in data.offers if o.deal == deal.name] + [
            (r.period, r.output) for r in data.recipes if r.deal == deal.name]
        if not rows:
            out.append(Violation(f"deal {deal.name!r} signed without an offer", deal.name,
                                 1.0, 0.0))
            continue
        term = sorted({t for t, _ in rows}, key=pos.__getitem__)
        need = {b: sum(d.quantity for d in data.demand if d.buyer == b
                       and d.material in {m for _, m in rows}) for b in data.buyers}
        total = sum(need.values())
        alone = signed[deal.name] in data.buyers and len(data.buyers) > 1
        for t in term:
            due = deal.fixed_cost + (deal.upfront_cost if t == term[0] else 0.0)
            cost += disc[t] * due
            for b in data.buyers:
                part = (1.0 if b == signed[deal.name] else 0.0) if alone else (
                    need[b] / total if total > 0 else 1 / len(data.buyers))
                spend[(b, t)] += due * part

    # 6: budgets
    for limit in data.budgets:
        q = spend[(limit.buyer, limit.period)]
        if q > limit.amount + _tol(limit.amount):
            out.append(Violation("budget", f"{limit.buyer} {limit.period}", q, limit.amount))

    if objective is not None and abs(cost - objective) > 1e-6 * max(1.0, abs(objective)):
        out.append(Violation("objective recomputed", "total cost (present value)", objective,
                             cost))
    return out


def _check_processing(data: ScenarioData, processing: pd.DataFrame | None,
                      signed: Mapping[str, str], pos: dict[str, int], out: list[Violation]
                      ) -> tuple[defaultdict, defaultdict, dict[tuple[str, str], float]]:
    """SPEC 3.2 family 15: every run is a recipe of the data (its plant's deal signed),
    finishes within the horizon, and the runs of a facility, output and period fit its
    capacity. Returns the units made by (buyer, material, period of arrival), the inputs
    drawn by (buyer, material, period started), and the fees by (buyer, period)."""
    made: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    drawn: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    fees: defaultdict[tuple[str, str], float] = defaultdict(float)
    if processing is None or not len(processing):
        return made, drawn, fees
    periods = list(data.period_labels)
    recipes = {(r.facility, r.output, r.period): r for r in data.recipes}
    started: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    for run in processing.itertuples(index=False):
        key = (run.facility, run.output, run.period)
        where = f"{run.buyer} at {run.facility}: {run.output} {run.period}"
        recipe = recipes.get(key)
        if run.quantity < -ABS_TOL:
            out.append(Violation("negative processing", where, run.quantity, 0.0))
        if recipe is None or run.buyer not in data.buyers:
            out.append(Violation("processing without a recipe", where, run.quantity, 0.0))
            continue
        end = pos[run.period] + recipe.lead_time
        if end >= len(periods):
            out.append(Violation("processing finishing after the horizon", where, end,
                                 len(periods) - 1))
            continue
        started[key] += run.quantity
        made[(run.buyer, run.output, periods[end])] += run.quantity
        for material, per_unit in recipe.inputs:
            drawn[(run.buyer, material, run.period)] += per_unit * run.quantity
        fees[(run.buyer, run.period)] += recipe.fee * run.quantity
    for key, q in started.items():
        recipe = recipes[key]
        cap = recipe.capacity if recipe.deal is None or recipe.deal in signed else 0.0
        if q > cap + _tol(cap):
            what = "processing capacity" if cap or not recipe.deal else \
                f"processing in deal {recipe.deal!r}, not signed"
            out.append(Violation(what, " ".join(key), q, cap))
    return made, drawn, dict(fees)


def _credit_prices(data: ScenarioData) -> dict[str, float]:
    """The credit price of each material, derived again from the data (SPEC 3.1): the
    lowest landed price of any last-period offer, any partner, any discount price."""
    last = data.period_labels[-1]
    active = {s.name for s in data.suppliers if s.active}
    routes = {(r.supplier, r.buyer): r for r in data.routes}
    cuts = {(s.supplier, s.material): s.prices[s.periods.index(last)]
            for s in data.discounts if last in s.periods}
    best: dict[str, float] = {}
    for o in data.offers:
        if o.period != last or o.capacity <= 0 or o.supplier not in active:
            continue
        for b in data.buyers:
            route = routes.get((o.supplier, b))
            if (o.buyers is not None and b not in o.buyers) or (route and not route.open):
                continue
            rate, freight = (route.tariff, route.freight) if route else (0.0, 0.0)
            for p in (o.price, *cuts.get((o.supplier, o.material), ())):
                landed = p * (1 + rate) + freight
                best[o.material] = min(best.get(o.material, landed), landed)
    return best


def _check_discounts(data: ScenarioData, buys: list, brackets: pd.DataFrame | None,
                     units: Sequence[Sequence[str]], routes: dict,
                     out: list[Violation]) -> dict[tuple[str, str], float]:
    """Each discounted purchase's units add up to it; per planning unit and schedule the
    bracket volumes are those its volume reaches (all-units: all of it in the bracket
    that holds the volume; incremental: the brackets below it full, in order); the money
    saved (buyer, period) at the data's bracket prices."""
    schedule_of = {(s.supplier, s.material, t): s for s in data.discounts for t in s.periods}
    supply_price = {(o.supplier, o.material, o.period): o.price for o in data.offers
                    if o.tier == 1}
    split = brackets if brackets is not None else pd.DataFrame(
        columns=["buyer", "supplier", "material", "period", "tier", "bracket", "quantity"])
    by_purchase: defaultdict[tuple, float] = defaultdict(float)
    volume: defaultdict[tuple, float] = defaultdict(float)  # (unit, schedule id, bracket)
    unit_of = {b: i for i, members in enumerate(units) for b in members}
    saved: defaultdict[tuple[str, str], float] = defaultdict(float)
    for r in split.itertuples(index=False):
        sch = schedule_of.get((r.supplier, r.material, r.period))
        if sch is None:
            out.append(Violation("discount bracket on an offer without one",
                                 f"{r.supplier} {r.material} {r.period}", r.quantity, 0.0))
            continue
        by_purchase[(r.buyer, r.supplier, r.material, r.period, r.tier)] += r.quantity
        volume[(unit_of[r.buyer], id(sch), int(r.bracket))] += r.quantity
        if r.bracket:
            route = routes.get((r.supplier, r.buyer))
            rate = route.tariff if route is not None else 0.0
            price = sch.prices[sch.periods.index(r.period)][int(r.bracket) - 1]
            saved[(r.buyer, r.period)] += (supply_price[(r.supplier, r.material, r.period)]
                                           - price) * (1 + rate) * r.quantity
    for p in buys:
        if (p.supplier, p.material, p.period) in schedule_of:
            key = (p.buyer, p.supplier, p.material, p.period, p.tier)
            if abs(by_purchase[key] - p.quantity) > _tol(p.quantity):
                out.append(Violation("discount brackets do not add up to the purchase",
                                     " ".join(map(str, key)), by_purchase[key], p.quantity))
    schedules = list({id(s): s for s in schedule_of.values()}.values())
    for u in range(len(units)):
        for sch in schedules:
            v = [volume[(u, id(sch), k)] for k in range(len(sch.breaks) + 1)]
            total = sum(v)
            low = (0.0, *sch.breaks)
            reached = max(k for k, q in enumerate(low) if q <= total + _tol(total))
            where = f"{sch.supplier} {sch.material} {sch.periods[0]}" + (
                "" if sch.basis == "period" else f"-{sch.periods[-1]}")
            if sch.kind == "all-units":
                wrong = [k for k, q in enumerate(v) if q > _tol(total) and k != reached
                         and not (k == reached - 1 and abs(total - low[reached]) <= _tol(total))]
                if wrong:
                    out.append(Violation("all-units discount: units outside the bracket "
                                         "reached", where, float(wrong[0]), float(reached)))
            else:
                ends = (*sch.breaks, float("inf"))
                for k, q in enumerate(v):
                    due = min(max(total - low[k], 0.0), ends[k] - low[k])
                    if abs(q - due) > _tol(total):
                        out.append(Violation(f"incremental discount: bracket {k} not filled "
                                             "in order", where, q, due))
    return dict(saved)


def _check_caps(data: ScenarioData, buys: list, disc: dict[str, float], periods: list[str],
                out: list[Violation], runs: list) -> float:
    """Caps on purchases; a cap at a stage (SPEC 3.2 family 16) also counts the output
    processed, by the facility's country (a supplier cap: the facility; origin caps count
    purchases only), in the period processing starts."""
    supplier = {s.name: s for s in data.suppliers}
    attribute = {"max_supplier_share": lambda s: s.name,
                 "max_country_share": lambda s: s.country,
                 "max_origin_share": lambda s: s.origin}
    penalty = 0.0
    by_scope = defaultdict(list)  # (material, period) -> purchases
    for p in buys:
        by_scope[(p.material, p.period)].append(p)
    made_in = defaultdict(list)  # (output, period started) -> runs
    for r in runs:
        made_in[(r.output, r.period)].append(r)
    country = {r.facility: r.country for r in data.recipes}
    for pol in data.policies:
        windows = [[t] for t in periods] if pol.scope == "period" else [periods]
        staged = pol.stage is not None and pol.kind != "max_origin_share"
        for window in windows:
            scope = [p for t in window for p in by_scope[(pol.material, t)]
                     if pol.buyer is None or p.buyer == pol.buyer]
            made = [r for t in window for r in made_in[(pol.material, t)]
                    if staged and (pol.buyer is None or r.buyer == pol.buyer)]
            total = sum(p.quantity for p in scope) + sum(r.quantity for r in made)
            capped = sum(p.quantity for p in scope
                         if attribute[pol.kind](supplier[p.supplier]) == pol.target) + sum(
                r.quantity for r in made if (r.facility if pol.kind == "max_supplier_share"
                                             else country[r.facility]) == pol.target)
            excess = capped - pol.share * total
            if excess <= _tol(total):
                continue
            if pol.penalty is None:
                where = f"{pol.name}: {pol.buyer or 'coalition'} {pol.material} {pol.target} " \
                        f"{window[0] if len(window) == 1 else 'horizon'}"
                out.append(Violation("diversification cap", where, capped / total, pol.share))
            else:
                weight = disc[window[0]] if pol.scope == "period" else 1.0
                penalty += weight * pol.penalty * excess
    return penalty
