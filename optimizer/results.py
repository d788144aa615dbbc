"""Solved model -> tidy tables and key figures (no Excel here).

Values are read through a typed registry: each table walks the model's own index sets
and reads every variable by its column in the compiled LP, never by parsing names.
Money in the tables is nominal (as paid in its period); the objective and shadow prices
are present values when a discount rate is set, and are labelled so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from models.data import ScenarioData
from models.objective import COST_COMPONENTS, component
from optimizer.constraint_report import constraint_table
from optimizer.solve import Outcome

TOL = 1e-6
PENALTIES = ("shortfall", "policy")


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
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        """Present value of the money spent, without penalties."""
        return sum(v for k, v in self.cost_breakdown.items() if k not in PENALTIES)

    @property
    def shortfalls(self) -> pd.DataFrame:
        return self.stock.loc[self.stock["shortfall"] > TOL,
                              ["buyer", "material", "period", "demand", "shortfall"]]


def extract(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome) -> PlanResult:
    ix = m.ix
    val = outcome.value
    supplier = {s.name: s for s in data.suppliers}
    purchases = pd.DataFrame([
        {"buyer": b, "supplier": s, "country": supplier[s].country, "origin": supplier[s].origin,
         "material": mat, "period": t, "arrives": ix.arrival[a], "tier": k, "quantity": q,
         "price": ix.arc_cost[a].price, "tariff": ix.arc_cost[a].tariff,
         "freight": ix.arc_cost[a].freight, "unit_cost": ix.arc_cost[a].unit,
         "cost": q * ix.arc_cost[a].unit}
        for a in ix.arcs for (b, s, mat, t, k) in [a] for q in [val(m.buy[a])] if q > TOL],
        columns=["buyer", "supplier", "country", "origin", "material", "period", "arrives",
                 "tier", "quantity", "price", "tariff", "freight", "unit_cost", "cost"])
    transfers = pd.DataFrame([
        {"from": g, "to": r, "material": mat, "period": t, "quantity": q,
         "cost": q * ix.transfer_cost[(g, r, mat)]}
        for (g, r, mat, t) in ix.transfers for q in [val(m.transfer[g, r, mat, t])] if q > TOL],
        columns=["from", "to", "material", "period", "quantity", "cost"])
    stock = _stock_table(data, m, outcome, purchases, transfers)
    supply = _supply_table(data, m, outcome, purchases)
    costs = {name: _component_value(m, name, outcome) for name in COST_COMPONENTS}
    return PlanResult(
        scenario=data, objective=float(outcome.objective), purchases=purchases, stock=stock,
        transfers=transfers,
        supply=supply, constraints=constraint_table(data, m, outcome), cost_breakdown=costs,
        buyers=buyer_table(data, purchases, stock, transfers, soft_penalties(m, outcome)))


def _component_value(m: pyo.ConcreteModel, name: str, outcome: Outcome) -> float:
    expr = component(m, name).expr
    total = float(getattr(expr, "constant", 0.0) or 0.0)
    for coef, var in zip(expr.linear_coefs, expr.linear_vars, strict=True):
        total += coef * outcome.value(var)
    return total


def _stock_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
                 purchases: pd.DataFrame, transfers: pd.DataFrame) -> pd.DataFrame:
    ix, val = m.ix, outcome.value
    arrivals = purchases.groupby(["buyer", "material", "arrives"])["quantity"].sum().to_dict()
    t_in = transfers.groupby(["to", "material", "period"])["quantity"].sum().to_dict()
    t_out = transfers.groupby(["from", "material", "period"])["quantity"].sum().to_dict()
    rows = []
    for b, mat in ix.stock_keys:
        opening = ix.initial.get((b, mat), 0.0)
        for t in ix.periods:
            key = (b, mat, t)
            d = ix.demand.get(key, 0.0)
            u = val(m.short[key]) if d > 0 else 0.0
            closing = val(m.stock[key])
            daily = d / ix.days[t]
            rows.append({
                "buyer": b, "material": mat, "period": t, "opening": opening,
                "arrivals": arrivals.get(key, 0.0), "transfers_in": t_in.get(key, 0.0),
                "transfers_out": t_out.get(key, 0.0), "demand": d, "shortfall": u,
                "use": d - u, "closing": closing, "floor": ix.floor.get(key, 0.0),
                "ceiling": ix.ceiling.get(key), "holding_cost": ix.holding.get(key, 0.0),
                "days_of_cover": closing / daily if daily > 0 else None})
            opening = closing
    return pd.DataFrame(rows, columns=[
        "buyer", "material", "period", "opening", "arrivals", "transfers_in", "transfers_out",
        "demand", "shortfall", "use", "closing", "floor", "ceiling", "holding_cost",
        "days_of_cover"])


def _supply_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome,
                  purchases: pd.DataFrame) -> pd.DataFrame:
    # HiGHS reports d(objective)/d(bound): a binding <= capacity has a dual <= 0; the value
    # of one more unit is its negative.
    marginal = {key: max(-outcome.dual(m.capacity[key]), 0.0) for key in m.CAPACITY}
    return supply_table(data, purchases, marginal, default=0.0)


def supply_table(data: ScenarioData, purchases: pd.DataFrame, marginal: dict[tuple, float],
                 default: float | None) -> pd.DataFrame:
    """Every offer, how much of it was bought, and the value of one more unit of it."""
    used = purchases.groupby(["supplier", "material", "period", "tier"])["quantity"].sum()
    used = used.to_dict()
    country = {s.name: s.country for s in data.suppliers}
    rows = []
    for o in data.offers:
        key = (o.supplier, o.material, o.period, o.tier)
        q = used.get(key, 0.0)
        rows.append({"supplier": o.supplier, "country": country[o.supplier],
                     "material": o.material, "period": o.period, "tier": o.tier,
                     "capacity": o.capacity, "price": o.price, "used": q,
                     "utilisation": q / o.capacity if o.capacity > 0 else None,
                     "marginal_value": marginal.get(key, default), "source_row": o.src})
    return pd.DataFrame(rows)


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


def buyer_table(data: ScenarioData, purchases: pd.DataFrame, stock: pd.DataFrame,
                transfers: pd.DataFrame, penalty: dict[str, float]) -> pd.DataFrame:
    """Cost (present value), spend and key figures per buyer, plus the coalition.

    Transfers are charged to the receiving partner; penalties of coalition-wide soft
    rules appear on the coalition row only.
    """
    disc = discount_factors(data)
    periods = list(data.period_labels)
    days = {p.label: p.days for p in data.periods}
    rows = []
    groups: list[tuple[str, list[str]]] = [(b, [b]) for b in data.buyers]
    groups.append(("coalition", list(data.buyers)))
    for name, members in groups:
        buys = purchases[purchases["buyer"].isin(members)]
        st = stock[stock["buyer"].isin(members)]
        gets = transfers[transfers["to"].isin(members)] if name != "coalition" else transfers
        purchase_pv = float((buys["cost"] * buys["period"].map(disc)).sum())
        holding_pv = float((st["closing"] * st["holding_cost"] * st["period"].map(disc)).sum())
        transfer_pv = float((gets["cost"] * gets["period"].map(disc)).sum())
        short_pv = float((st["shortfall"] * st["period"].map(disc)).sum()) * (
            data.settings.shortage_penalty)
        pen = sum(penalty.values()) if name == "coalition" else penalty.get(name, 0.0)
        qty = float(buys["quantity"].sum())
        by_country = buys.groupby("country")["quantity"].sum()
        shares = (by_country / qty).clip(0.0, 1.0) if qty > 0 else by_country * 0
        last = st[st["period"] == periods[-1]]
        end_demand = float(last["demand"].sum())
        end_days = days[periods[-1]]
        rows.append({
            "buyer": name,
            "cost_pv": purchase_pv + holding_pv + transfer_pv,
            "penalty_pv": short_pv + pen,
            "purchase_spend": float(buys["cost"].sum()),
            "quantity_bought": qty,
            "demand": float(st["demand"].sum()),
            "shortfall": float(st["shortfall"].sum()),
            "cost_per_unit": (float(buys["cost"].sum()) / qty) if qty > 0 else None,
            "largest_country": shares.idxmax() if len(shares) else None,
            "largest_country_share": float(shares.max()) if len(shares) else None,
            "china_share": float(shares.get("China", 0.0)),
            "hhi": float((shares ** 2).sum()) if len(shares) else None,
            "end_days_of_cover": float(last["closing"].sum()) / (end_demand / end_days)
            if end_demand > 0 else None,
        })
    return pd.DataFrame(rows)
