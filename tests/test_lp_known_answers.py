"""Known answers, one or more per constraint family, each optimum derived by hand in its
docstring; plus Dantzig's transportation problem with its published optimum."""

from __future__ import annotations

import pytest

from models import data as md
from optimizer.solving.checker import check_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import PlanRun, solve_plan
from tests.factory import scenario, settings


def solved(data: md.ScenarioData) -> PlanRun:
    run = solve_plan(data)
    assert run.status is Status.OPTIMAL
    assert run.violations == [], [str(v) for v in run.violations]
    return run


def bought(run: PlanRun, supplier: str | None = None, **where) -> float:
    df = run.result.purchases
    if supplier:
        df = df[df["supplier"] == supplier]
    for k, v in where.items():
        df = df[df[k] == v]
    return float(df["quantity"].sum())


def test_capacity_and_price_tiers() -> None:
    """Demand 10. A sells 4 at 10 (tier 1) and 10 more at 15 (tier 2); B sells 100 at 13.
    Cheapest first: 4 x 10 from A, then 6 x 13 from B (A's tier 2 at 15 is dearer):
    40 + 78 = 118. One more unit of A's tier 1 would save 13 - 10 = 3."""
    run = solved(scenario(suppliers=[("A", "X"), ("B", "Y")],
                          offers=[("A", "M", "t1", 4, 10), ("A", "M", "t1", 10, 15, 2),
                                  ("B", "M", "t1", 100, 13)],
                          demand=[("B", "M", "t1", 10)]))
    assert run.objective == pytest.approx(118)
    assert bought(run, "A") == pytest.approx(4) and bought(run, "B") == pytest.approx(6)
    supply = run.result.supply.set_index(["supplier", "tier"])
    assert supply.loc[("A", 1), "marginal_value"] == pytest.approx(3)
    assert supply.loc[("A", 2), "marginal_value"] == pytest.approx(0)


def test_capacity_is_pooled_between_buyers() -> None:
    """Two buyers each want 5; the cheap supplier (10) has 6 in all, the dear one (20) the
    rest: 6 x 10 + 4 x 20 = 140, whoever gets what."""
    run = solved(scenario(buyers=("J", "E"), suppliers=[("C", "X"), ("D", "Y")],
                          offers=[("C", "M", "t1", 6, 10), ("D", "M", "t1", 100, 20)],
                          demand=[("J", "M", "t1", 5), ("E", "M", "t1", 5)]))
    assert run.objective == pytest.approx(140)
    assert bought(run, "C") == pytest.approx(6)


def test_minimum_offtake() -> None:
    """As the tier test plus C at 20 with a take-or-pay minimum of 3: 3 x 20 from C, 4 x 10
    from A, 3 x 13 from B = 60 + 40 + 39 = 139."""
    run = solved(scenario(suppliers=[("A", "X"), ("B", "Y"), ("C", "Z")],
                          offers=[("A", "M", "t1", 4, 10), ("B", "M", "t1", 100, 13),
                                  ("C", "M", "t1", 50, 20, 1, 3)],
                          demand=[("B", "M", "t1", 10)]))
    assert run.objective == pytest.approx(139)
    assert bought(run, "C") == pytest.approx(3)


def test_lead_time_and_initial_stock() -> None:
    """Demand 10 in t1 and t2; initial stock 10 covers t1. S1 (5) ships with a one-period
    lead time, S2 (8) at once. Order 10 from S1 in t1, arriving in t2: 50. An order from
    S1 in t2 would arrive after the horizon and does not exist."""
    run = solved(scenario(periods=("t1", "t2"), suppliers=[("S1", "X"), ("S2", "Y")],
                          offers=[("S1", "M", t, 100, 5) for t in ("t1", "t2")]
                          + [("S2", "M", t, 100, 8) for t in ("t1", "t2")],
                          demand=[("B", "M", t, 10) for t in ("t1", "t2")],
                          routes=(md.Route("S1", "B", 0.0, 0.0, 1, True),),
                          initial_stock=(md.InitialStock("B", "M", 10.0),)))
    assert run.objective == pytest.approx(50)
    p = run.result.purchases
    assert list(p["period"]) == ["t1"] and list(p["arrives"]) == ["t2"]


def test_holding_cost_against_rising_price() -> None:
    """Demand 5 in each of t1, t2; the price is 10 then 13; holding a unit one period costs
    2. Buying t2's need in t1 costs 10 + 2 = 12 < 13: 10 x 10 + 5 x 2 = 110."""
    run = solved(scenario(periods=("t1", "t2"), suppliers=[("S", "X")],
                          offers=[("S", "M", "t1", 100, 10), ("S", "M", "t2", 100, 13)],
                          demand=[("B", "M", t, 5) for t in ("t1", "t2")],
                          stock_rules=tuple(md.StockRule("B", "M", t, 0, 0, None, 2.0)
                                            for t in ("t1", "t2"))))
    assert run.objective == pytest.approx(110)
    assert bought(run, period="t1") == pytest.approx(10)


def test_storage_ceiling_limits_prebuying() -> None:
    """As above with a ceiling of 3 units: only 3 can be carried: 8 x 10 + 3 x 2 + 2 x 13 =
    80 + 6 + 26 = 112; one more unit of storage saves 13 - 12 = 1."""
    run = solved(scenario(periods=("t1", "t2"), suppliers=[("S", "X")],
                          offers=[("S", "M", "t1", 100, 10), ("S", "M", "t2", 100, 13)],
                          demand=[("B", "M", t, 5) for t in ("t1", "t2")],
                          stock_rules=tuple(md.StockRule("B", "M", t, 0, 0, 3.0, 2.0)
                                            for t in ("t1", "t2"))))
    assert run.objective == pytest.approx(112)
    ceiling = run.result.constraints[run.result.constraints["rule"] == "storage ceiling"]
    assert ceiling["shadow_price"].tolist() == pytest.approx([1.0])


def test_stockpile_floor_in_days_of_demand() -> None:
    """Period of 100 days with demand 100 (1 a day) and a 20-day floor: closing stock must
    be 20, so 120 are bought at 10: 1200. The floor's shadow price is the price, 10."""
    run = solved(scenario(days=100.0, suppliers=[("S", "X")], offers=[("S", "M", "t1", 500, 10)],
                          demand=[("B", "M", "t1", 100)],
                          stock_rules=(md.StockRule("B", "M", "t1", 20.0, 5.0, None, 0.0),)))
    assert run.objective == pytest.approx(1200)
    floor = run.result.constraints[run.result.constraints["rule"] == "stockpile floor"]
    assert floor["shadow_price"].tolist() == pytest.approx([10.0])
    assert run.result.stock["days_of_cover"].tolist() == pytest.approx([20.0])


CAPPED = dict(suppliers=[("CN1", "China"), ("AU1", "Australia")],
              offers=[("CN1", "M", "t1", 1000, 10), ("AU1", "M", "t1", 1000, 12)],
              demand=[("B", "M", "t1", 100)])


@pytest.mark.parametrize(("penalty", "expected", "china"), [
    (None, 1080.0, 60.0),  # hard: 60 x 10 + 40 x 12
    (1.0, 1040.0, 100.0),  # soft and cheap: all China, 40 over the cap x 1 = 1000 + 40
    (5.0, 1080.0, 60.0),   # soft but dear: 1000 + 40 x 5 = 1200 > 1080, so comply
])
def test_country_cap_hard_and_soft(penalty: float | None, expected: float, china: float) -> None:
    """A 60 % cap on China for demand 100, China at 10, Australia at 12."""
    cap = md.Policy("cap", "max_country_share", "China", "B", "M", 0.6, "period", penalty)
    run = solved(scenario(policies=(cap,), **CAPPED))
    assert run.objective == pytest.approx(expected)
    assert bought(run, country="China") == pytest.approx(china)


def test_hard_cap_shadow_price_and_loosening() -> None:
    """The hard 60 % cap moves 40 units to a supplier dearer by 2: its shadow price is 2 per
    unit; one more percentage point lets 1 more unit (1 % of 100) go to China: saves 2."""
    cap = md.Policy("cap", "max_country_share", "China", None, "M", 0.6, "horizon", None)
    run = solved(scenario(policies=(cap,), **CAPPED))
    row = run.result.constraints.iloc[-1]
    assert row["shadow_price"] == pytest.approx(2.0)
    assert "saves about 2 USD" in row["explanation"]


def test_origin_and_supplier_caps() -> None:
    """Australian ore refined in Malaysia (MY1, 10) and in Australia (AU1, 11), US ore at 12:
    at most half of purchases may be of Australian origin and at most 30 % from MY1:
    30 from MY1, 20 from AU1, 50 from US: 300 + 220 + 600 = 1120."""
    caps = (md.Policy("o", "max_origin_share", "Australia", "B", "M", 0.5, "period", None),
            md.Policy("s", "max_supplier_share", "MY1", "B", "M", 0.3, "period", None))
    run = solved(scenario(suppliers=[("MY1", "Malaysia", "Australia"), ("AU1", "Australia"),
                                     ("US1", "United States")],
                          offers=[("MY1", "M", "t1", 1000, 10), ("AU1", "M", "t1", 1000, 11),
                                  ("US1", "M", "t1", 1000, 12)],
                          demand=[("B", "M", "t1", 100)], policies=caps))
    assert run.objective == pytest.approx(1120)


def test_budget_forces_shortfall() -> None:
    """Budget 500, price 10, demand 100, shortfall penalty 100: buy 50, run 50 short:
    500 + 50 x 100 = 5500."""
    run = solved(scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 1000, 10)],
                          demand=[("B", "M", "t1", 100)],
                          budgets=(md.Budget("B", "t1", 500.0),),
                          settings=settings(shortage_penalty=100.0)))
    assert run.objective == pytest.approx(5500)
    assert run.result.total_cost == pytest.approx(500)
    assert run.result.shortfalls["shortfall"].tolist() == pytest.approx([50.0])


def test_routes_tariff_freight_and_closed() -> None:
    """A at 10 with a 10 % tariff and freight 2 lands at 13; B at 12.5 lands at 12.5, so B
    serves demand 10: 125. With B's route closed, A: 130."""
    base = dict(suppliers=[("A", "X"), ("B2", "Y")],
                offers=[("A", "M", "t1", 100, 10), ("B2", "M", "t1", 100, 12.5)],
                demand=[("B", "M", "t1", 10)])
    route_a = md.Route("A", "B", 2.0, 0.1, 0, True)
    run = solved(scenario(routes=(route_a,), **base))
    assert run.objective == pytest.approx(125)
    closed = solved(scenario(routes=(route_a, md.Route("B2", "B", 0.0, 0.0, 0, False)), **base))
    assert closed.objective == pytest.approx(130)
    assert closed.result.cost_breakdown["tariff"] == pytest.approx(10)
    assert closed.result.cost_breakdown["freight"] == pytest.approx(20)


def test_stock_sharing_between_partners() -> None:
    """Japan holds 50 it does not need; the EU needs 30 and can buy at 10 or receive from
    Japan at 1 a unit (at most 20 a period): 20 x 1 + 10 x 10 = 120."""
    run = solved(scenario(buyers=("Japan", "EU"), suppliers=[("S", "X")],
                          offers=[("S", "M", "t1", 100, 10)], demand=[("EU", "M", "t1", 30)],
                          initial_stock=(md.InitialStock("Japan", "M", 50.0),),
                          sharing=(md.Sharing("Japan", "EU", "M", 1.0, 20.0),)))
    assert run.objective == pytest.approx(120)
    assert run.result.transfers["quantity"].tolist() == pytest.approx([20.0])


def test_discounting() -> None:
    """Demand 10 in each of two periods at price 10, 10 % discount rate per period:
    100 + 100 / 1.1."""
    run = solved(scenario(periods=("t1", "t2"), suppliers=[("S", "X")],
                          offers=[("S", "M", t, 100, 10) for t in ("t1", "t2")],
                          demand=[("B", "M", t, 10) for t in ("t1", "t2")],
                          settings=settings(discount_rate=0.1)))
    assert run.objective == pytest.approx(100 + 100 / 1.1)


def test_shortfall_when_nothing_is_offered() -> None:
    """No offer at all: the whole demand of 10 runs short at the penalty of 7: 70."""
    run = solved(scenario(demand=[("B", "M", "t1", 10)], settings=settings(shortage_penalty=7.0)))
    assert run.objective == pytest.approx(70)


def test_impossible_minimum_offtake_is_infeasible_without_solving() -> None:
    data = scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 10, 5, 1, 4)],
                    demand=[("B", "M", "t1", 10)],
                    routes=(md.Route("S", "B", 0.0, 0.0, 0, False),))
    run = solve_plan(data)
    assert run.status is Status.INFEASIBLE and "minimum offtake" in run.reasons[0][0]


def test_floor_out_of_reach_is_a_costed_gap() -> None:
    """A floor of 50 with only 10 on offer (at 5) and demand 10 is a reserve that cannot be
    filled: the gap of 50 costs reserve_gap_penalty x shortage penalty per unit and year,
    0.1 x 1000 x 365/365 = 100 a unit. Buying 10 for the demand: 50 + 50 x 100 = 5,050
    (keeping them instead would save 10 x 100 of gap but run 10 short at 1,000: worse)."""
    run = solved(scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 10, 5)],
                          demand=[("B", "M", "t1", 10)],
                          stock_rules=(md.StockRule("B", "M", "t1", 0.0, 50.0, None, 0.0),)))
    assert run.objective == pytest.approx(5050)
    assert run.result.cost_breakdown["reserve"] == pytest.approx(5000)
    assert run.result.stock["below_floor"].tolist() == pytest.approx([50.0])
    assert run.result.shortfalls.empty


def test_reserve_is_drawn_before_running_short() -> None:
    """Initial stock 30 = the floor; demand 10 a period; 10 on offer in t1 at 5 and none in
    t2. In t2 the partner draws 10 from its reserve (gap 10 x 100 = 1,000) rather than run
    short (10 x 1,000): 50 + 1,000 = 1,050. A period of 73 days charges the gap pro rata:
    10 x 100 x 73/365 = 200, so 250."""
    for days, expected, gap_cost in ((365.0, 1050.0, 1000.0), (73.0, 250.0, 200.0)):
        run = solved(scenario(
            periods=("t1", "t2"), days=days, suppliers=[("S", "X")],
            offers=[("S", "M", "t1", 10, 5)],
            demand=[("B", "M", t, 10) for t in ("t1", "t2")],
            initial_stock=(md.InitialStock("B", "M", 30.0),),
            stock_rules=tuple(md.StockRule("B", "M", t, 0.0, 30.0, None, 0.0)
                              for t in ("t1", "t2"))))
        assert run.objective == pytest.approx(expected)
        assert run.result.cost_breakdown["reserve"] == pytest.approx(gap_cost)
        assert run.result.stock["below_floor"].tolist() == pytest.approx([0.0, 10.0])
        assert run.result.shortfalls.empty


# Dantzig's transportation problem (Dantzig 1963, ch. 3.3; the GAMS model library's
# `trnsport`): two canning plants, three markets, freight 90 $ per case per thousand
# miles; published optimum 153.675 (thousand dollars).
PLANTS = {"seattle": 350, "san-diego": 600}
MARKETS = {"new-york": 325, "chicago": 300, "topeka": 275}
MILES = {("seattle", "new-york"): 2.5, ("seattle", "chicago"): 1.7, ("seattle", "topeka"): 1.8,
         ("san-diego", "new-york"): 2.5, ("san-diego", "chicago"): 1.8,
         ("san-diego", "topeka"): 1.4}


def test_dantzig_transportation_problem() -> None:
    data = scenario(
        buyers=tuple(MARKETS), materials=("cases",),
        suppliers=[(p, "US") for p in PLANTS],
        offers=[(p, "cases", "t1", a, 0.0) for p, a in PLANTS.items()],
        demand=[(mk, "cases", "t1", b) for mk, b in MARKETS.items()],
        routes=tuple(md.Route(p, mk, 90 * d / 1000, 0.0, 0, True) for (p, mk), d in MILES.items()),
        settings=settings(shortage_penalty=1e3))
    run = solved(data)
    assert run.objective == pytest.approx(153.675, abs=1e-9)
    assert run.result.shortfalls.empty


def test_checker_catches_a_broken_plan() -> None:
    """The checker is not a rubber stamp: a plan over capacity and off balance fails it."""
    run = solved(scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 10, 5)],
                          demand=[("B", "M", "t1", 8)]))
    purchases = run.result.purchases.copy()
    purchases["quantity"] = 12.0
    found = {v.rule for v in check_plan(run.result.scenario, purchases, run.result.transfers,
                                        run.result.stock, objective=run.objective)}
    assert {"supplier capacity", "stock balance", "objective recomputed"} <= found
