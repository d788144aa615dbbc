"""SPEC 3.1 families 3, 4 and 13: each partner's stock of each material, recomputed period
by period from its opening stock and every flow, is the closing stock the plan reports;
shortfall stays within demand, stock within its ceiling (below the floor is allowed at
the gap's cost, SPEC 5); demand has a balance; stock left at the end is credited."""

from __future__ import annotations

import numpy as np

from models.data import ScenarioData
from optimizer.solving.checks.common import (
    ABS_TOL,
    Column,
    Flow,
    Labels,
    Violation,
    find,
    groups,
    in_row_order,
    take,
    tol,
)
from optimizer.solving.checks.tables import Demand, Offers, Reported, Routes


class _Grid:
    """The cells the balance runs over: every (buyer, material) pair the stock table
    reports or processing moves, sorted (the loop's order, fixed: it was a set's), each
    over the horizon's periods; a cell is pair x number of periods + period."""

    def __init__(self, labels: Labels, reported: Reported, made: Flow, drawn: Flow) -> None:
        buyer = np.concatenate([reported.buyer.code, made.buyer.code, drawn.buyer.code])
        material = np.concatenate([reported.material.code, made.material.code,
                                   drawn.material.code])
        names = (np.concatenate([reported.buyer.labels, made.buyer.labels, drawn.buyer.labels]),
                 np.concatenate([reported.material.labels, made.material.labels,
                                 drawn.material.labels]))
        first = groups(buyer, material)[1]
        order = sorted(first.tolist(), key=lambda i: (names[0][i], names[1][i]))
        self.buyer, self.material = Column(names[0][order], buyer[order]), \
            Column(names[1][order], material[order])
        self.periods = labels.periods
        self.size = len(order) * len(self.periods)

    def cells(self, buyer: np.ndarray, material: np.ndarray, period: np.ndarray) -> np.ndarray:
        """The cell of each (buyer, material) (codes) and period (a position); -1 outside."""
        pair = find([self.buyer.code, self.material.code], [buyer, material])
        return np.where((pair >= 0) & (period >= 0), pair * len(self.periods) + period, -1)

    def total(self, flow: Flow) -> np.ndarray:
        """A flow's quantities summed by cell, entry by entry."""
        cell = self.cells(flow.buyer.code, flow.material.code, flow.period)
        inside = cell >= 0
        return np.bincount(cell[inside], weights=flow.quantity[inside], minlength=self.size)

    def latest(self, labels: Labels, buyer: np.ndarray, material: np.ndarray,
               period: np.ndarray) -> np.ndarray:
        """For each cell the record (a position) of its buyer, material and period
        (codes), the last one when several; -1 where none."""
        key = [buyer, material, period]
        last = find(key, key) == np.arange(len(period))
        cell = self.cells(buyer, material, labels.position(period))
        last &= cell >= 0
        out = np.full(self.size, -1)
        out[cell[last]] = np.flatnonzero(last)
        return out

    def where(self, cell: int) -> str:
        pair, t = divmod(cell, len(self.periods))
        return f"{self.buyer.labels[pair]} {self.material.labels[pair]} {self.periods[t]}"


def check_stock(data: ScenarioData, labels: Labels, demand: Demand, reported: Reported, *,
                arrivals: Flow, made: Flow, drawn: Flow, received: Flow, given: Flow,
                out: list[Violation]) -> float:
    """The balance, shortfall, ceiling and floor rules in every cell, cell by cell;
    returns the cost of shortfall, holding and reserve gaps (present value)."""
    grid = _Grid(labels, reported, made, drawn)
    n_periods = len(labels.periods)
    row = grid.latest(labels, reported.buyer.code, reported.material.code,
                      reported.period.code)
    has_row = row >= 0
    u = take(reported.shortfall, row, 0.0)
    closing = take(reported.closing, row, np.nan)
    d = take(demand.quantity, grid.latest(labels, demand.buyer.code, demand.material.code,
                                          demand.period.code), 0.0)
    change = (grid.total(arrivals) + grid.total(made) - grid.total(drawn)
              + grid.total(received) - grid.total(given) - (d - u))
    level = np.cumsum(np.column_stack([_opening(data, labels, grid),
                                       change.reshape(-1, n_periods)]), axis=1)[:, 1:].ravel()

    rules = data.stock_rules
    rule = grid.latest(labels, *(labels.of(rules, c) for c in ("buyer", "material", "period")))
    has_rule = rule >= 0

    def of_rule(name: str) -> np.ndarray:  # NaN without a rule, or for a ceiling of None
        values = [getattr(r, name) for r in rules]
        return take(np.array([np.nan if v is None else v for v in values], dtype=float), rule,
                    np.nan)

    ceiling = of_rule("max_level")
    where = grid.where
    out += in_row_order([
        ((u < -ABS_TOL) | (u > d + tol(d)),
         lambda i: Violation("shortfall outside 0..demand", where(i), float(u[i]), float(d[i]))),
        (has_row & (np.abs(closing - level) > tol(level) * 10),
         lambda i: Violation("stock balance", where(i), float(closing[i]), float(level[i]))),
        (~has_row & (np.abs(level) > tol(level) * 10),
         lambda i: Violation("stock not reported", where(i), 0.0, float(level[i]))),
        (level < -tol(d), lambda i: Violation("negative stock", where(i), float(level[i]), 0.0)),
        (level > ceiling + tol(ceiling),
         lambda i: Violation("storage ceiling", where(i), float(level[i]), float(ceiling[i]))),
    ])

    n_pairs = grid.size // n_periods if n_periods else 0
    disc, days = np.tile(labels.discount, n_pairs), np.tile(labels.days, n_pairs)
    penalty = np.repeat([data.shortage_penalty(m) for m in grid.material.labels], n_periods)
    # the floor is a reserve (SPEC 5): below it is allowed, at the gap's cost
    floor = np.maximum(of_rule("min_level"), of_rule("min_days") * d / days)
    gap = np.maximum(0.0, floor - level)
    reserve = disc * data.settings.reserve_gap_penalty * penalty * days / 365.0 * gap
    holding = disc * of_rule("holding_cost") * level
    return float(np.sum(reserve[has_rule]) + np.sum(holding[has_rule])
                 + np.sum(disc * u * penalty))


def _opening(data: ScenarioData, labels: Labels, grid: _Grid) -> np.ndarray:
    """Each pair's initial stock (its last record; 0 without one)."""
    stock = data.initial_stock
    quantity = np.array([s.quantity for s in stock], dtype=float)
    return take(quantity, find([labels.of(stock, "buyer"), labels.of(stock, "material")],
                               [grid.buyer.code, grid.material.code]), 0.0)


def check_demand_reported(demand: Demand, reported: Reported, out: list[Violation]) -> None:
    """Every (buyer, material, period) with demand has a row in the stock table; in sorted
    order."""
    key = [demand.buyer.code, demand.material.code, demand.period.code]
    missing = (demand.quantity > 0) & (
        find([reported.buyer.code, reported.material.code, reported.period.code], key) < 0)
    quantity = demand.quantity[find(key, key)]  # the last record of each key
    rows = {(demand.buyer.labels[i], demand.material.labels[i], demand.period.labels[i]):
            float(quantity[i]) for i in np.flatnonzero(missing)}
    for k in sorted(rows):
        out.append(Violation("demand without a stock balance", " ".join(k), rows[k], 0.0))


def closing_credit(data: ScenarioData, labels: Labels, offers: Offers, routes: Routes,
                   reported: Reported, out: list[Violation]) -> float:
    """SPEC 3.1 family 13: the credit (present value, positive) for the stock the plan
    leaves at the end of the last period, at the credit price."""
    if not data.settings.closing_stock_value:
        return 0.0
    price = _credit_prices(data, labels, offers, routes)
    # A partner or sub-coalition planning alone carries the whole coalition's prices
    # (the same in every mode, SPEC 3.1): the lowest over more partners, so never
    # above what its own data gives; the coalition's own data gives them exactly.
    for mat, given in (data.credit or ()):
        if given > price.get(mat, float("inf")) + tol(given):
            out.append(Violation("closing-stock credit price", mat, given, price[mat]))
    price = dict(data.credit) if data.credit is not None else price
    last = len(labels.periods) - 1
    rows = np.flatnonzero(reported.latest & (reported.period.code == last))
    at = find([labels.codes(price)],
              [reported.material.code[rows]])
    credited = at >= 0
    return float(np.sum(labels.discount[last] * data.settings.closing_stock_value
                        * np.array(list(price.values()), dtype=float)[at[credited]]
                        * reported.closing[rows[credited]]))


def _credit_prices(data: ScenarioData, labels: Labels, offers: Offers, routes: Routes
                   ) -> dict[str, float]:
    """The credit price of each material, derived again from the data (SPEC 3.1): the
    lowest landed price of any last-period offer with capacity from an active supplier,
    any partner it is open to over an open route, at its price or a discount price."""
    last = len(labels.periods) - 1
    offer = np.flatnonzero((offers.period == last) & (offers.capacity > 0))
    names = labels.of(data.suppliers, "name")
    active = np.array([s.active for s in data.suppliers], dtype=bool)
    offer = offer[take(active, find([names], [offers.supplier[offer]]), False)]
    # its lowest and highest price: the Supply price or a discount price in that period
    low, high = offers.price[offer], offers.price[offer]
    cuts = {(s.supplier, s.material): s.prices[s.periods.index(labels.periods[last])]
            for s in data.discounts if labels.periods[last] in s.periods}
    if cuts:
        cut = find([labels.codes(k[j] for k in cuts) for j in range(2)],
                   [offers.supplier[offer], offers.material[offer]])
        has = cut >= 0
        cut_prices = list(cuts.values())
        low[has] = np.minimum(low[has], [min(cut_prices[c], default=np.inf) for c in cut[has]])
        high[has] = np.maximum(high[has],
                               [max(cut_prices[c], default=-np.inf) for c in cut[has]])
    # every (offer, partner) it may reach, landed at the price that lands lowest
    pair = np.repeat(np.arange(len(offer)), len(data.buyers))
    buyer = np.tile(labels.codes(data.buyers), len(offer))
    route = routes.of_pairs(offers.supplier[offer][pair], buyer)
    reach = offers.open_to(offer[pair], buyer) & take(routes.open, route, True)
    pair, route = pair[reach], route[reach]
    rate = 1 + take(routes.tariff, route, 0.0)
    landed = np.where(rate >= 0, low[pair], high[pair]) * rate + take(routes.freight, route, 0.0)
    material, first = groups(offers.material[offer][pair])
    best = np.full(len(first), np.inf)
    np.minimum.at(best, material, landed)
    return {offers.records[offer[pair[f]]].material: float(best[k]) for k, f in enumerate(first)}
