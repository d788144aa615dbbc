"""Properties of deals and volume discounts (SPEC 3.1) on random scenarios: every plan
passes the independent checker, the modes keep their order, and a workbook without
them is the LP it always was."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.shapley import coordination_value
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from tests.factory import (
    assert_modes_checked_and_ordered,
    calm_stress_and_plan,
    random_pooling,
    random_scenarios,
)

REL = 1e-6


def _with(data: md.ScenarioData, mode: str) -> md.ScenarioData:
    return replace(data, settings=replace(data.settings, coordination=mode, mip_gap=0.0))


@settings(max_examples=40, deadline=None)
@given(random_pooling())
def test_every_mode_passes_the_checker_and_joint_costs_least(data: md.ScenarioData) -> None:
    assert_modes_checked_and_ordered(data, REL)


@settings(max_examples=25, deadline=None)
@given(random_pooling())
def test_adding_a_deal_never_raises_the_joint_cost(data: md.ScenarioData) -> None:
    """A deal is an option: the coalition may leave it unsigned."""
    if not data.deals:
        return
    without = replace(data, deals=data.deals[1:], offers=tuple(
        o for o in data.offers if o.deal != data.deals[0].name))
    run, fewer = solve_plan(_with(data, "joint")), solve_plan(_with(without, "joint"))
    if fewer.objective is not None:
        assert run.objective is not None
        assert run.objective <= fewer.objective + REL * max(1.0, abs(fewer.objective))


@settings(max_examples=15, deadline=None)
@given(random_pooling(max_buyers=3))
def test_shapley_shares_add_up_to_the_savings(data: md.ScenarioData) -> None:
    if len(data.buyers) < 2:
        return
    data = _with(data, "joint")
    value = coordination_value(data, lambda batch: [plan_coordinated(d).objective
                                                    for d in batch])
    assert sum(value.shapley.values()) == pytest.approx(value.total_savings, rel=1e-9,
                                                        abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(random_pooling())
def test_a_plan_stressed_with_no_disruption_costs_what_it_cost(data: md.ScenarioData) -> None:
    costs = calm_stress_and_plan(_with(data, "joint"))
    if costs is not None:
        assert costs[0] == pytest.approx(costs[1], rel=1e-6, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(random_scenarios())
def test_options_out_of_reach_change_nothing(data: md.ScenarioData) -> None:
    """A deal too dear to sign and discounts whose breaks no volume reaches leave the LP's
    optimum as it was (the model then is a MIP, with the same objective)."""
    if not data.offers:
        return
    plain = solve_plan(data)
    m, t = data.offers[0].material, data.offers[0].period
    extra = md.Offer("far", m, t, 1, 1000.0, 0.01, 500.0, deal="never")
    dear = replace(data, offers=(*data.offers, extra),
                   suppliers=(*data.suppliers, md.Supplier("far", "ZZ", "ZZ", True)),
                   deals=(md.Deal("never", "far", 1e12, 0.0),),
                   discounts=tuple(md.DiscountSchedule(o.supplier, o.material, "period",
                                                       "all-units", (o.period,), (1e9,),
                                                       ((o.price * 0.5,),))
                                   for o in data.offers if o.tier == 1 and not any(
                                       p.tier > 1 and (p.supplier, p.material, p.period)
                                       == (o.supplier, o.material, o.period)
                                       for p in data.offers)))
    run = solve_plan(dear)
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.result.signed == ()
    assert run.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-6)
