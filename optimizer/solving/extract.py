"""Solved model -> tidy tables and key figures (no Excel here).

Values are read through a typed registry: each table walks the model's own index sets
and reads every variable by its column in the compiled LP, never by parsing names.
Money in the tables is nominal (as paid in its period); the objective and shadow prices
are present values when a discount rate is set, and are labelled so.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.data import ScenarioData
from models.index import ModelIndex
from models.objective import COST_COMPONENTS, component
from optimizer.solving.highs import Outcome
from optimizer.solving.shadow_prices import constraint_table

TOL = 1e-6
PENALTIES = ("shortfall", "reserve", "policy")
# Less than a hundred-thousandth of the demand bought counts as nothing bought: shares of
# it are undefined, not the 100 % that a budget buying a few kilograms of one supplier's
# offer would show. Relative to demand, so it means the same in t, kg or lb.
NOTHING_BOUGHT = 1e-5


def nothing_bought(quantity: float, demand: float) -> bool:
    """Whether ``quantity`` bought against ``demand`` over the horizon is too little for
    shares of it to mean anything (TOL when there is no demand)."""
    return quantity < max(TOL, NOTHING_BOUGHT * demand)
# Key figures that are undefined for some buyers (nothing bought, no demand at the end):
# None in the table, null in JSON, a dash or an empty cell in the reports.
UNDEFINED_OK = ("cost_per_unit", "largest_country", "largest_country_share", "china_share",
                "hhi", "end_days_of_cover")


BRACKET_COLUMNS = ["schedule", "buyer", "supplier", "material", "period", "tier", "bracket",
                   "from_quantity", "quantity"]
PROCESS_COLUMNS = ["buyer", "facility", "country", "output", "period", "finishes", "quantity",
                   "inputs_used", "fee", "cost"]
DEAL_COLUMNS = ["deal", "supplier", "term", "signed", "signed_by", "upfront_cost",
                "fixed_cost", "cost_pv", "volume", "source_row"]


@dataclass
class PlanResult:
    """Everything a report or a comparison needs from one solved plan.

    ``cost_pv`` is money actually spent (purchases, tariffs, freight, holding,
    transfers); ``penalty_pv`` the shortfall and soft-rule penalties, which are not paid
    to anyone but steer the plan. The objective is their sum.
    """

    scenario: ScenarioData
    objective: float  # present value, penalties included
    purchases: pd.DataFrame
    stock: pd.DataFrame
    transfers: pd.DataFrame
    supply: pd.DataFrame
    constraints: pd.DataFrame
    cost_breakdown: dict[str, float]  # present value, by objective component
    buyers: pd.DataFrame  # per-buyer key figures, with a coalition row
    extra: dict[str, Any] = field(default_factory=dict)  # robust planning: "robust": RobustInfo
    # the units of each discounted purchase by price bracket (BRACKET_COLUMNS)
    brackets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BRACKET_COLUMNS))
    # every deal with an offer: signed or not, by whom, its costs and volumes (DEAL_COLUMNS)
    deals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DEAL_COLUMNS))
    mip_gap: float | None = None  # the relative gap reached; None for an LP
    # what each partner processed (PROCESS_COLUMNS: output started, nominal fees), and each
    # facility's capacity, use and the value of one more unit of it (SPEC 3.2)
    processing: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=PROCESS_COLUMNS))
    facilities: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def signed(self) -> tuple[str, ...]:
        """The deals the plan signs."""
        return tuple(self.signers)

    @property
    def signers(self) -> dict[str, str]:
        """Deal signed -> who signed it: a partner planning alone, or "coalition" (its
        costs then split by the partners' shares of demand for its materials)."""
        if not len(self.deals):
            return {}
        signed = self.deals[self.deals["signed"].astype(bool)]
        return dict(zip(signed["deal"], signed["signed_by"], strict=True))

    @property
    def total_cost(self) -> float:
        """Present value of the money spent, without penalties."""
        return sum(v for k, v in self.cost_breakdown.items() if k not in PENALTIES)

    @property
    def shortfalls(self) -> pd.DataFrame:
        return self.stock.loc[self.stock["shortfall"] > TOL,
                              ["buyer", "material", "period", "demand", "shortfall"]]


BREAKDOWN = ("purchase", "tariff", "freight", "deal", "processing", "holding", "transfer",
             "closing_stock_value", "shortfall", "reserve", "policy")


def extract(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
            detail: bool = True) -> PlanResult:
    """The plan's tables. ``detail=False`` leaves out the per-offer supply table and the
    binding-rule report (a sweep's points need neither; they cost most of the reading)."""
    ix = m.ix
    purchases = _purchase_table(data, m, outcome)
    transfers = _transfer_table(m, outcome)
    processing = process_table(data, ix, outcome.values(m.make))
    stock = _stock_table(data, m, outcome, purchases, transfers, processing)
    supply = _supply_table(data, m, outcome, purchases) if detail else pd.DataFrame()
    disc = purchases["period"].map(ix.discount).to_numpy(dtype=float)
    q = purchases["quantity"].to_numpy(dtype=float)
    costs = {
        # the model's landed purchase cost, split for reporting by the arcs' unit costs
        "purchase": float(np.dot(disc * q, purchases["price"].to_numpy(dtype=float))),
        "tariff": float(np.dot(disc * q, purchases["tariff"].to_numpy(dtype=float))),
        "freight": float(np.dot(disc * q, purchases["freight"].to_numpy(dtype=float))),
        **{name: _component_value(m, name, outcome) for name in COST_COMPONENTS
           if name != "purchase"},
    }
    assert outcome.objective is not None  # extracted only from an outcome with a plan
    deals = deal_table(data, ix, {d for d, w in zip(m.DEALS, outcome.values(m.sign),
                                                    strict=True) if w > 0.5}, purchases,
                       processing)
    return PlanResult(
        scenario=data, objective=float(outcome.objective), purchases=purchases, stock=stock,
        transfers=transfers, supply=supply,
        constraints=constraint_table(data, m, outcome) if detail else pd.DataFrame(),
        cost_breakdown={k: costs[k] for k in BREAKDOWN},
        buyers=buyer_table(data, purchases, stock, transfers, soft_penalties(m, outcome),
                           deal_parts(ix, deals), credit_of(ix, stock), processing),
        deals=deals, mip_gap=outcome.mip_gap, brackets=bracket_table(ix, m, outcome),
        processing=processing,
        facilities=_facility_table(data, m, outcome, processing) if detail else pd.DataFrame())


def in_reserve(stock: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The ``rows`` of the materials some partner holds in reserve (a floor above 0 in some
    period of ``stock``), which a days-of-cover figure summed over materials counts; every
    row when no material has a floor. Tonnes of goods nobody stockpiles (magnets bought
    finished) would otherwise turn a 60-day reserve into a few days of everything."""
    return rows[reserve_rows(stock, rows)]


def reserve_rows(stock: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Which of ``rows`` :func:`in_reserve` keeps, as a mask."""
    held = stock.loc[stock["floor"] > 0, "material"].unique()
    return rows["material"].isin(held).to_numpy() if len(held) \
        else np.ones(len(rows), dtype=bool)


def process_table(data: ScenarioData, ix: ModelIndex, made: np.ndarray) -> pd.DataFrame:
    """Every run of processing (PROCESS_COLUMNS): who started how much of which output at
    which facility, when it finishes, the inputs it drew, and its toll fee (nominal, paid
    when it starts)."""
    rows = []
    for i in np.flatnonzero(made > TOL):
        b, f, o, t = ix.processes[i]
        recipe = ix.recipes[(f, o, t)]
        q = float(made[i])
        used = " + ".join(f"{a * q:,.6g} {ix.unit} {m}" for m, a in recipe.inputs)
        rows.append((b, f, recipe.country, o, t, ix.finish[i], q, used, recipe.fee,
                     q * recipe.fee))
    return pd.DataFrame(rows, columns=PROCESS_COLUMNS)


def _process_flows(ix: ModelIndex, processing: pd.DataFrame
                   ) -> tuple[dict[tuple, float], dict[tuple, float]]:
    """(buyer, material, period) -> units made that arrive then, and units drawn as inputs."""
    made: dict[tuple, float] = defaultdict(float)
    drawn: dict[tuple, float] = defaultdict(float)
    for r in processing.itertuples(index=False):
        made[(r.buyer, r.output, r.finishes)] += r.quantity
        for material, per_unit in ix.recipes[(r.facility, r.output, r.period)].inputs:
            drawn[(r.buyer, material, r.period)] += per_unit * r.quantity
    return dict(made), dict(drawn)


def _facility_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
                    processing: pd.DataFrame) -> pd.DataFrame:
    """Every recipe: capacity, output started, utilisation and the value of one more unit
    of capacity (from the binding capacity row's dual, as for supplier capacity)."""
    marginal = dict(zip(m.PROCESS_CAPACITY, np.maximum(-outcome.duals(m.process_capacity), 0.0),
                        strict=True))
    used = processing.groupby(["facility", "output", "period"])["quantity"].sum().to_dict()
    rows = []
    for r in data.recipes:
        key = (r.facility, r.output, r.period)
        q = float(used.get(key, 0.0))
        rows.append((r.facility, r.country, r.output, r.period, r.capacity, q,
                     q / r.capacity if r.capacity > 0 else None, r.fee, r.lead_time,
                     " + ".join(f"{a:g} {mat}" for mat, a in r.inputs),
                     marginal.get(key, 0.0), r.deal, r.src))
    return pd.DataFrame(rows, columns=[
        "facility", "country", "output", "period", "capacity", "used", "utilisation", "fee",
        "lead_time", "inputs_per_unit", "marginal_value", "deal", "source_row"])


def deal_table(data: ScenarioData, ix: ModelIndex, signed: Collection[str],
               purchases: pd.DataFrame, processing: pd.DataFrame) -> pd.DataFrame:
    """Every deal with an offer or a plant: signed or not and by whom (the planning unit:
    the coalition, or the partner planning alone), its terms, what it costs (present value;
    0 when not signed: nothing is paid) and the volume taken: bought from its offers, or
    made in the plant it co-finances."""
    if not data.deals:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    deal_of = {(o.supplier, o.material, o.period): o.deal for o in data.offers if o.deal}
    plant_of = {(r.facility, r.output, r.period): r.deal for r in data.recipes if r.deal}
    taken: dict[str, float] = defaultdict(float)
    for table, names, keys in ((purchases, deal_of, ["supplier", "material", "period"]),
                               (processing, plant_of, ["facility", "output", "period"])):
        if names and len(table):
            # each row's deal looked up in one pass, its quantity added in row order
            columns = [table[k].to_numpy(dtype=object) for k in keys]
            for name, q in zip(map(names.get, zip(*columns, strict=True)),
                               table["quantity"].tolist(), strict=True):
                if name is not None:
                    taken[name] += q
    unit = data.buyers[0] if len(data.buyers) == 1 else "coalition"
    rows = []
    for deal in data.deals:
        terms = ix.deals.get(deal.name)
        if terms is None:
            continue  # no offer: nothing to sign (validation warns)
        rows.append((deal.name, deal.supplier, f"{terms.term[0]}-{terms.term[-1]}",
                     deal.name in signed, unit if deal.name in signed else None,
                     deal.upfront_cost, deal.fixed_cost,
                     sum(ix.discount[t] * terms.cost(t) for t in terms.term)
                     if deal.name in signed else 0.0,
                     taken.get(deal.name, 0.0), deal.src))
    return pd.DataFrame(rows, columns=DEAL_COLUMNS)


def credit_of(ix: ModelIndex, stock: pd.DataFrame) -> dict[str, float]:
    """Each partner's closing-stock credit (present value): its stock at the end of the
    last period at the credit price (SPEC 3.1 family 13)."""
    last = ix.periods[-1]
    out: dict[str, float] = defaultdict(float)
    for r in stock[stock["period"] == last].itertuples(index=False):
        out[r.buyer] += ix.discount[last] * ix.credit.get((r.buyer, r.material), 0.0) * r.closing
    return dict(out)


def deal_parts(ix: ModelIndex, deals: pd.DataFrame) -> dict[str, float]:
    """Each partner's part of the signed deals' costs (present value), by its share of the
    horizon demand for each deal's materials (SPEC 3.1)."""
    parts: dict[str, float] = defaultdict(float)
    for row in deals.itertuples(index=False):
        if row.signed:
            for b, part in ix.deals[row.deal].part.items():
                parts[b] += part * row.cost_pv
    return dict(parts)


PURCHASE_COLUMNS = ["buyer", "supplier", "country", "origin", "material", "period", "arrives",
                    "tier", "quantity", "price", "tariff", "freight", "unit_cost", "cost"]


def _purchase_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome) -> pd.DataFrame:
    """Every purchase at the price it pays: its offer's, or less where a volume discount
    bracket applies to (some of) its units (the price then an average over them)."""
    ix = m.ix
    q = outcome.values(m.buy)
    bought = np.flatnonzero(q > TOL)
    arcs, at = _arc_columns(data, ix, outcome, bought)
    qty = q[bought]
    price = arcs.price[at]
    cut = _price_cuts(ix, m, outcome)  # arc -> money off the price, over its units
    if cut:
        off = np.array([cut.get(int(i), 0.0) for i in bought])
        price = price - off / qty
    rate, freight = arcs.rate[at], arcs.freight[at]
    unit = price * (1.0 + rate) + freight
    names = {name: column[at].tolist() for name, column in arcs.names.items()}
    return pd.DataFrame({
        **names, "quantity": qty, "price": price, "tariff": price * rate,
        "freight": freight, "unit_cost": unit, "cost": qty * unit,
    }, columns=PURCHASE_COLUMNS)


@dataclass(frozen=True)
class _Arcs:
    """Every purchase arc's labels and unit costs as arrays, in arc order."""

    names: dict[str, np.ndarray]  # buyer, supplier, country, origin, material, period,
    price: np.ndarray             # arrives, tier (object arrays)
    rate: np.ndarray  # tariff per unit of price
    freight: np.ndarray


def _arc_columns(data: ScenarioData, ix: ModelIndex, outcome: Outcome, bought: np.ndarray
                 ) -> tuple[_Arcs, np.ndarray]:
    """The columns of the ``bought`` arcs, and where each bought arc sits in them. Every
    arc's, built once per compiled-once LP, whose points share their arcs (a sweep's
    indexes differ in right-hand sides only); the bought arcs' alone for a single solve
    (kept, they would outlive the model while the workbook is written)."""
    model = outcome.lp.columns[0].model() if outcome.lp.columns else None
    keep = bool(outcome.options.get("compiled_once")) and model is not None
    key = (id(model), "arcs")
    cached = outcome.lp.positions.get(key) if keep else None
    identity = (id(ix.arcs), len(ix.arcs), id(ix.arc_cost), id(data.suppliers))
    if cached is not None and cached[0]() is model and cached[1] == identity:
        return cached[2], bought
    chosen = ix.arcs if keep else [ix.arcs[i] for i in bought]
    supplier = {s.name: s for s in data.suppliers}
    costs = [ix.arc_cost[a] for a in chosen]

    def column(values: list) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    arcs = _Arcs(
        names={"buyer": column([a[0] for a in chosen]),
               "supplier": column([a[1] for a in chosen]),
               "country": column([supplier[a[1]].country for a in chosen]),
               "origin": column([supplier[a[1]].origin for a in chosen]),
               "material": column([a[2] for a in chosen]),
               "period": column([a[3] for a in chosen]),
               "arrives": column([ix.arrival[a] for a in chosen]),
               "tier": column([a[4] for a in chosen])},
        price=np.array([c.price for c in costs], dtype=float),
        rate=np.array([c.tariff / c.price if c.price else 0.0 for c in costs], dtype=float),
        freight=np.array([c.freight for c in costs], dtype=float))
    if not keep:
        return arcs, np.arange(len(bought))
    # the model weakly; its index's arcs and the suppliers by identity (held by the model
    # and by the batch's scenarios while the batch runs)
    outcome.lp.positions[key] = (weakref.ref(model), identity, arcs)
    return arcs, bought


def _price_cuts(ix: ModelIndex, m: pyo.ConcreteModel, outcome: Outcome) -> dict[int, float]:
    """Arc position -> the money its discount brackets take off its price (before tariff)."""
    cuts: dict[int, float] = defaultdict(float)
    y = outcome.values(m.bracket_buy)
    for (g, k, a), units in zip(m.BRACKET_BUYS, y, strict=True):
        if k and units > TOL:
            cost = ix.arc_cost[ix.arcs[a]]
            rate = cost.tariff / cost.price if cost.price else 0.0
            cuts[a] += ix.brackets[g].rebate[(a, k)] / (1.0 + rate) * float(units)
    return dict(cuts)


def bracket_table(ix: ModelIndex, m: pyo.ConcreteModel, outcome: Outcome) -> pd.DataFrame:
    """How each discounted purchase's units fall into brackets (BRACKET_COLUMNS)."""
    y = outcome.values(m.bracket_buy)
    rows = []
    for (g, k, a), units in zip(m.BRACKET_BUYS, y, strict=True):
        if units > TOL:
            b = ix.brackets[g]
            rows.append((b.schedule.src, *ix.arcs[a], k, b.low[k], float(units)))
    return pd.DataFrame(rows, columns=BRACKET_COLUMNS)


def _transfer_table(m: pyo.ConcreteModel, outcome: Outcome) -> pd.DataFrame:
    ix = m.ix
    q = outcome.values(m.transfer)
    rows = [(g, r, mat, t, float(q[i]), float(q[i]) * ix.transfer_cost[(g, r, mat)])
            for i in np.flatnonzero(q > TOL) for (g, r, mat, t) in [ix.transfers[i]]]
    return pd.DataFrame(rows, columns=["from", "to", "material", "period", "quantity", "cost"])


def _component_value(m: pyo.ConcreteModel, name: str, outcome: Outcome) -> float:
    return outcome.linear_value(component(m, name))


STOCK_COLUMNS = ["buyer", "material", "period", "opening", "arrivals", "transfers_in",
                 "transfers_out", "processed", "processing_input", "demand", "shortfall", "use",
                 "closing", "floor", "below_floor", "ceiling", "holding_cost", "days_of_cover"]


def _stock_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
                 purchases: pd.DataFrame, transfers: pd.DataFrame,
                 processing: pd.DataFrame) -> pd.DataFrame:
    ix = m.ix
    made, drawn = _process_flows(ix, processing)
    closing_of = dict(zip(m.STOCK, outcome.values(m.stock), strict=True))
    short_of = dict(zip(m.SHORT, outcome.values(m.short), strict=True))
    arrivals = purchases.groupby(["buyer", "material", "arrives"])["quantity"].sum().to_dict()
    t_in = transfers.groupby(["to", "material", "period"])["quantity"].sum().to_dict()
    t_out = transfers.groupby(["from", "material", "period"])["quantity"].sum().to_dict()
    # column by column (a sweep reads this table at every point): the same values as a
    # row-by-row walk, each period's opening the closing before it
    keys = [(b, mat, t) for b, mat in ix.stock_keys for t in ix.periods]
    closing = [float(closing_of[k]) for k in keys]
    opening = [closing[i - 1] if i % len(ix.periods) else
               ix.initial.get(keys[i][:2], 0.0) for i in range(len(keys))]
    demand = [ix.demand.get(k, 0.0) for k in keys]
    short = [float(short_of.get(k, 0.0)) for k in keys]
    floor = [ix.floor.get(k, 0.0) for k in keys]
    daily = [d / ix.days[k[2]] for d, k in zip(demand, keys, strict=True)]
    columns = {
        "buyer": [k[0] for k in keys], "material": [k[1] for k in keys],
        "period": [k[2] for k in keys], "opening": opening,
        "arrivals": [arrivals.get(k, 0.0) for k in keys],
        "transfers_in": [t_in.get(k, 0.0) for k in keys],
        "transfers_out": [t_out.get(k, 0.0) for k in keys],
        "processed": [made.get(k, 0.0) for k in keys],
        "processing_input": [drawn.get(k, 0.0) for k in keys], "demand": demand,
        "shortfall": short, "use": [d - u for d, u in zip(demand, short, strict=True)],
        "closing": closing, "floor": floor,
        "below_floor": [max(0.0, f - c) for f, c in zip(floor, closing, strict=True)],
        "ceiling": [ix.ceiling.get(k) for k in keys],
        "holding_cost": [ix.holding.get(k, 0.0) for k in keys],
        "days_of_cover": [c / q if q > 0 else None for c, q in zip(closing, daily,
                                                                    strict=True)]}
    return pd.DataFrame(columns, columns=STOCK_COLUMNS)


def _supply_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
                  purchases: pd.DataFrame) -> pd.DataFrame:
    # HiGHS reports d(objective)/d(bound): a binding <= capacity has a dual <= 0; the value
    # of one more unit is its negative.
    marginal = dict(zip(m.CAPACITY, np.maximum(-outcome.duals(m.capacity), 0.0), strict=True))
    return supply_table(data, purchases, marginal, default=0.0)


def supply_table(data: ScenarioData, purchases: pd.DataFrame, marginal: dict[tuple, float],
                 default: float | None) -> pd.DataFrame:
    """Every offer, how much of it was bought, and the value of one more unit of it."""
    keys = ["supplier", "material", "period", "tier"]
    country = {s.name: s.country for s in data.suppliers}
    offers = pd.DataFrame(
        [(o.supplier, country[o.supplier], o.material, o.period, o.tier, o.capacity, o.price,
          marginal.get((o.supplier, o.material, o.period, o.tier), default), o.src)
         for o in data.offers],
        columns=["supplier", "country", "material", "period", "tier", "capacity", "price",
                 "marginal_value", "source_row"])
    used = purchases.groupby(keys)["quantity"].sum().to_dict()
    out = offers
    out["used"] = [used.get((o.supplier, o.material, o.period, o.tier), 0.0)
                   for o in data.offers]
    cap = out["capacity"].to_numpy(dtype=float)
    out["utilisation"] = np.where(cap > 0, out["used"].to_numpy() / np.where(cap > 0, cap, 1),
                                  np.nan)
    return out[["supplier", "country", "material", "period", "tier", "capacity", "price",
                "used", "utilisation", "marginal_value", "source_row"]]


def discount_factors(data: ScenarioData) -> dict[str, float]:
    rate = data.settings.discount_rate
    return {p.label: (1.0 + rate) ** -i for i, p in enumerate(data.periods)}


def soft_penalties(m: pyo.ConcreteModel, outcome: Outcome) -> dict[str, float]:
    """Present value of soft-rule penalties by whose rule it is (a buyer or 'coalition')."""
    ix = m.ix
    penalty: dict[str, float] = defaultdict(float)
    for p in m.SOFT_CAPS:
        cap = ix.caps[p]
        owner = cap.policy.buyer or "coalition"
        penalty[owner] += cap.policy.penalty * outcome.value(m.cap_excess[p]) * (
            ix.discount[cap.period] if cap.period else 1.0)
    return dict(penalty)


class _Columns:
    """A table's number columns as arrays, its rows' discount factors, and which rows
    belong to a set of partners (by the column ``who``)."""

    def __init__(self, table: pd.DataFrame, who: str, disc: dict[str, float]) -> None:
        self.table = table
        self.who = table[who].to_numpy(dtype=object) if who in table else np.zeros(0, object)
        self.disc = table["period"].map(disc).to_numpy(dtype=float) if len(table) \
            else np.zeros(0)
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self._arrays:
            self._arrays[column] = self.table[column].to_numpy(dtype=float)
        return self._arrays[column]

    def of(self, members: list[str]) -> np.ndarray:
        return np.isin(self.who, np.array(members, dtype=object))

    def pv(self, column: str, rows: np.ndarray) -> float:
        return float((self[column][rows] * self.disc[rows]).sum())


def buyer_table(data: ScenarioData, purchases: pd.DataFrame, stock: pd.DataFrame,
                transfers: pd.DataFrame, penalty: dict[str, float],
                deal_cost: dict[str, float] | None = None,
                credit: dict[str, float] | None = None,
                processing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cost (present value), spend and key figures per buyer, plus the coalition.

    Transfers are charged to the receiving partner; penalties of coalition-wide soft
    rules appear on the coalition row only; ``deal_cost`` is each partner's part of the
    deals signed, ``credit`` the value of its stock left at the end (present values); its
    cost is net of that credit and includes the toll fees of its ``processing``.
    """
    runs = processing if processing is not None else pd.DataFrame(columns=PROCESS_COLUMNS)
    deal_cost = deal_cost or {}
    credit = credit or {}
    disc = discount_factors(data)
    periods = list(data.period_labels)
    days = {p.label: p.days for p in data.periods}
    # every column read once as an array; each partner's rows are then a mask of them (a
    # sweep or a stress test reads this table for every point)
    buys, st, gets, made = (_Columns(purchases, "buyer", disc), _Columns(stock, "buyer", disc),
                            _Columns(transfers, "to", disc), _Columns(runs, "buyer", disc))
    st_penalty = stock["material"].map(data.shortage_penalty).to_numpy(dtype=float)
    st_days = stock["period"].map(days).to_numpy(dtype=float)
    st_last = stock["period"].to_numpy(dtype=object) == periods[-1]
    st_counted = reserve_rows(stock, stock)
    country = purchases["country"].to_numpy(dtype=object)
    rows = []
    groups: list[tuple[str, list[str]]] = [(b, [b]) for b in data.buyers]
    groups.append(("coalition", list(data.buyers)))
    for name, members in groups:
        b, s, r = buys.of(members), st.of(members), made.of(members)
        t = gets.of(members) if name != "coalition" else np.ones(len(transfers), dtype=bool)
        purchase_pv = buys.pv("cost", b)
        holding_pv = float((st["closing"][s] * st["holding_cost"][s] * st.disc[s]).sum())
        transfer_pv = gets.pv("cost", t)
        fee_pv = made.pv("cost", r)
        short_pv = float((st["shortfall"][s] * st.disc[s] * st_penalty[s]).sum())
        pen = sum(penalty.values()) if name == "coalition" else penalty.get(name, 0.0)
        pen += float((st["below_floor"][s] * st.disc[s] * st_days[s]
                      * st_penalty[s]).sum()) / 365.0 * data.settings.reserve_gap_penalty
        qty = float(buys["quantity"][b].sum())
        spend = float(buys["cost"][b].sum())
        demand = float(st["demand"][s].sum())
        by_country = pd.Series(buys["quantity"][b], index=country[b]).groupby(
            level=0).sum() if b.any() else pd.Series(dtype=float)
        shares = (by_country / qty).clip(0.0, 1.0) if not nothing_bought(qty, demand) \
            else by_country.iloc[:0]  # a share of nothing is undefined
        last = s & st_last & st_counted
        end_demand = float(st["demand"][last].sum())
        end_days = days[periods[-1]]
        rows.append({
            "buyer": name,
            "cost_pv": purchase_pv + holding_pv + transfer_pv + fee_pv + (
                sum(deal_cost.values()) if name == "coalition" else deal_cost.get(name, 0.0))
            - (sum(credit.values()) if name == "coalition" else credit.get(name, 0.0)),
            "closing_stock_value": sum(credit.values()) if name == "coalition"
            else credit.get(name, 0.0),
            "penalty_pv": short_pv + pen,
            "purchase_spend": spend,
            "quantity_bought": qty,
            "demand": demand,
            "shortfall": float(st["shortfall"][s].sum()),
            "cost_per_unit": (spend / qty) if qty > 0 else None,
            "largest_country": shares.idxmax() if len(shares) else None,
            "largest_country_share": float(shares.max()) if len(shares) else None,
            "china_share": float(shares.get("China", 0.0)) if len(shares) else None,
            "hhi": float((shares ** 2).sum()) if len(shares) else None,
            "end_days_of_cover": float(st["closing"][last].sum()) / (end_demand / end_days)
            if end_demand > 0 else None,
        })
    table = pd.DataFrame(rows)
    for column in UNDEFINED_OK:  # pandas would turn None into NaN in a number column
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table
