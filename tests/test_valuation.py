"""Valuation (SPEC 3.1 family 13): stock left at the end keeps its value at the credit
price; known answers derived by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.stress import stress_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from tests.factory import checked_objective, scenario
from tests.factory import settings as make_settings


def _reserve(share: float = 1.0, **kw: object) -> md.ScenarioData:
    """B needs 10 t and must keep 5 t in reserve (Stockpile min_level 5, holding 1 a t): it
    buys 15 t at 10 (150), holds 5 (5). Credited at 10 a t: 5 x 10 x share."""
    base = dict(suppliers=[("S", "X")], offers=[("S", "M", "t1", 100, 10)],
                demand=[("B", "M", "t1", 10)],
                stock_rules=(md.StockRule("B", "M", "t1", 0.0, 5.0, None, 1.0),),
                settings=make_settings(closing_stock_value=share))
    return scenario(**{**base, **kw})


def test_stock_left_is_credited_at_the_credit_price() -> None:
    assert checked_objective(_reserve(0.0)) == pytest.approx(155)
    assert checked_objective(_reserve(1.0)) == pytest.approx(155 - 50)
    assert checked_objective(_reserve(0.5)) == pytest.approx(155 - 25)
    run = solve_plan(_reserve())
    assert run.result.cost_breakdown["closing_stock_value"] == pytest.approx(-50)
    coalition = run.result.buyers.set_index("buyer").loc["coalition"]
    assert coalition["closing_stock_value"] == pytest.approx(50)
    assert coalition["cost_pv"] == pytest.approx(105)  # what it consumed and kept


def _dear_route() -> md.ScenarioData:
    """Japan and the EU need 10 t each from S at 10; the EU pays 3 freight and keeps a 5 t
    reserve (holding 1 a t)."""
    return scenario(buyers=("Japan", "EU"), suppliers=[("S", "X")],
                    offers=[("S", "M", "t1", 100, 10)],
                    demand=[("Japan", "M", "t1", 10), ("EU", "M", "t1", 10)],
                    routes=(md.Route("S", "EU", 3.0, 0.0, 0, True),),
                    stock_rules=(md.StockRule("EU", "M", "t1", 0.0, 5.0, None, 1.0),),
                    settings=make_settings(closing_stock_value=1.0))


def test_the_credit_price_is_the_lowest_landed_price_of_any_partner() -> None:
    """Japan lands S's offer at 10, the EU at 13 (freight 3): the credit price is 10 for
    both, so the EU's 5 t reserve is credited at 10, not at the 13 it paid. The EU buys
    15 t at 13 (195) and holds 5 (5): 200 - 50; Japan 10 t at 10: 100. 250."""
    data = _dear_route()
    assert md.credit_prices(data) == {"M": 10.0}
    assert checked_objective(data) == pytest.approx(250)


def test_a_discount_price_in_the_last_period_sets_the_credit_price() -> None:
    data = _reserve()
    data = replace(data, discounts=(md.DiscountSchedule("S", "M", "period", "all-units",
                                                        ("t1",), (1000.0,), ((8.0,),)),))
    assert md.credit_prices(data) == {"M": 8.0}


def test_every_mode_credits_at_the_coalition_price() -> None:
    """A's 100 t at 10 are Japan's alone (an entitlement); B's at 12 are anybody's. The
    credit price is 10 in every mode, also for the EU planning alone: its 5 t reserve,
    bought at 12, is credited at 10. EU: 15 x 12 + 5 - 50 = 135; Japan: 10 x 10 = 100."""
    data = scenario(buyers=("Japan", "EU"), suppliers=[("A", "X"), ("B", "Y")],
                    offers=[("A", "M", "t1", 100, 10), ("B", "M", "t1", 100, 12)],
                    demand=[("Japan", "M", "t1", 10), ("EU", "M", "t1", 10)],
                    stock_rules=(md.StockRule("EU", "M", "t1", 0.0, 5.0, None, 1.0),),
                    settings=make_settings(closing_stock_value=1.0, coordination="pro-rata"))
    data = replace(data, offers=tuple(replace(o, buyers=("Japan",)) if o.supplier == "A"
                                      else o for o in data.offers))
    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.objective == pytest.approx(235)


def test_every_world_credits_its_own_closing_stock_at_the_base_price() -> None:
    """S at half capacity in 'half' (price x 3): the plan's 15 t contract delivers 7.5 t;
    7.5 t more are bought spot at 30 x 1.25; the reserve is kept and credited at 10, the
    base credit price, not the disrupted one."""
    shock = md.Shock("S", "M", "t1", 0.5, 3.0)
    data = _reserve(disruptions=(md.DisruptionScenario("half", 0.1, (shock,)),))
    run = solve_plan(data)
    out = {s.scenario: s for s in stress_plan(run.result).scenarios}
    assert out["no disruption"].cost == pytest.approx(105)
    assert out["half"].cost == pytest.approx(7.5 * 10 + 7.5 * 37.5 + 5 - 50)


def test_a_sub_coalition_credits_at_the_coalition_price() -> None:
    """The EU alone in the Shapley game lands S at 13, but its stock is credited at the
    coalition's 10 (Japan's landed price): 15 x 13 + 5 - 5 x 10 = 150, and the checker
    accepts that price."""
    from optimizer.planning.shapley import coalition_scenario

    data = _dear_route()
    eu = coalition_scenario(data, ["EU"])
    assert eu.credit_prices() == {"M": 10.0}
    run = solve_plan(eu)
    assert run.violations == [] and run.objective == pytest.approx(150)
