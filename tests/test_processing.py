"""Processing stages (SPEC 3.2 families 14, 15, 17): known answers derived by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import data as md
from models.index import build_index
from optimizer.planning.coordination import plan_coordinated
from optimizer.solving.checker import check_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from tests.factory import (
    assert_modes_checked_and_ordered,
    random_processing,
    random_scenarios,
    scenario,
)
from tests.factory import settings as make_settings

STAGES = (("OX", "oxide"), ("MET", "metal"), ("MAG", "magnet"))


def _chain(metal_capacity: float = 100.0, lead_time: int = 0, **kw: object) -> md.ScenarioData:
    """B needs 10 t of magnet MAG in t1. Oxide OX sells at 50 (C, China) and at 80 (A,
    Australia); a magnet costs 2,000 bought finished (J, Japan). Plant P makes metal MET
    from 1.25 t OX per t at a fee of 10 (capacity ``metal_capacity``); plant Q makes a
    magnet from 0.5 t MET per t at a fee of 20 (capacity 100). Made: 10 t of magnet need
    5 t of metal (fee 50) and 6.25 t of oxide (312.5 from China), plus 200 in fees: 562.5
    against 20,000 bought finished."""
    periods = ("t1", "t2") if lead_time else ("t1",)
    recipes = tuple(r for t in periods for r in (
        md.Recipe("P", "UK", "MET", t, (("OX", 1.25),), metal_capacity, 10.0, lead_time),
        md.Recipe("Q", "EE", "MAG", t, (("MET", 0.5),), 100.0, 20.0)))
    return scenario(
        periods=periods, buyers=("B",),
        materials=("OX", "MET", "MAG"),
        suppliers=[("C", "China"), ("A", "Australia"), ("J", "Japan")],
        offers=[("C", "OX", "t1", 1000, 50), ("A", "OX", "t1", 1000, 80),
                ("J", "MAG", "t1", 1000, 2000)] + (
            [("C", "OX", "t2", 1000, 50), ("J", "MAG", "t2", 1000, 2000)] if lead_time else []),
        demand=[("B", "MAG", "t2" if lead_time else "t1", 10)],
        stages=("oxide", "metal", "magnet"), material_stage=STAGES, recipes=recipes,
        settings=make_settings(shortage_penalty=100_000.0), **kw)


def _planned(data: md.ScenarioData):
    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL, run.reasons
    assert run.violations == [], [str(v) for v in run.violations]
    return run


def test_a_chain_within_one_period_makes_the_magnet_from_cheap_oxide() -> None:
    run = _planned(_chain())
    assert run.objective == pytest.approx(6.25 * 50 + 5 * 10 + 10 * 20)
    made = run.result.processing.set_index("output")["quantity"]
    assert made["MET"] == pytest.approx(5) and made["MAG"] == pytest.approx(10)
    inputs = run.result.processing.set_index("output")["inputs_used"]
    assert inputs["MET"] == "6.25 t OX" and inputs["MAG"] == "5 t MET"
    assert run.result.cost_breakdown["processing"] == pytest.approx(250)
    assert set(run.result.purchases["supplier"]) == {"C"}
    stock = run.result.stock.set_index("material")
    assert stock.loc["OX", "processing_input"] == pytest.approx(6.25)
    assert stock.loc["MAG", "processed"] == pytest.approx(10)


def test_cheap_oxide_is_useless_without_metal_capacity() -> None:
    """Metal capacity 2 t: 4 t of magnet made (2 t metal, 2.5 t oxide, fees 20 + 80),
    6 t bought finished at 2,000."""
    run = _planned(_chain(metal_capacity=2.0))
    assert run.objective == pytest.approx(2.5 * 50 + 2 * 10 + 4 * 20 + 6 * 2000)
    facilities = run.result.facilities.set_index("facility")
    assert facilities.loc["P", "utilisation"] == pytest.approx(1.0)
    # one more t of metal: 2 t of magnet more at 1.25 x 50 + 10 + 2 x 20 - 2 x 2000 less
    assert facilities.loc["P", "marginal_value"] == pytest.approx(2 * 2000 - 62.5 - 10 - 40)


def test_a_recipe_with_three_inputs() -> None:
    """A magnet from 0.3 t NdPr, 0.02 t Dy and 0.68 t iron per t: 100 t of magnet draw
    30, 2 and 68 t; cost 30 x 100 + 2 x 1,000 + 68 x 1 + fee 100 x 5."""
    data = scenario(
        materials=("NdPr", "Dy", "Fe", "MAG"), suppliers=[("S", "X")],
        offers=[("S", "NdPr", "t1", 1000, 100), ("S", "Dy", "t1", 1000, 1000),
                ("S", "Fe", "t1", 1000, 1)],
        demand=[("B", "MAG", "t1", 100)],
        recipes=(md.Recipe("Q", "Y", "MAG", "t1", (("NdPr", 0.3), ("Dy", 0.02), ("Fe", 0.68)),
                           500.0, 5.0),))
    run = _planned(data)
    assert run.objective == pytest.approx(3000 + 2000 + 68 + 500)
    bought = run.result.purchases.set_index("material")["quantity"]
    assert bought.to_dict() == pytest.approx({"NdPr": 30, "Dy": 2, "Fe": 68})


def test_the_output_arrives_after_the_lead_time_and_late_runs_never_start() -> None:
    """Lead time 1 on the metal: started in t1, the metal arrives in t2, where the magnet
    is made and used. Metal started in t2 would finish after the horizon: not a choice."""
    data = _chain(lead_time=1)
    run = _planned(data)
    runs = run.result.processing.set_index("output")
    assert runs.loc["MET", "period"] == "t1" and runs.loc["MET", "finishes"] == "t2"
    assert runs.loc["MAG", "period"] == "t2" and runs.loc["MAG", "finishes"] == "t2"
    assert ("B", "P", "MET", "t2") not in build_index(data).processes
    assert run.objective == pytest.approx(6.25 * 50 + 5 * 10 + 10 * 20)


def test_the_fee_counts_against_the_budget() -> None:
    """A budget of 500 in t1: oxide 312.5 + fees 250 = 562.5 does not fit; the plan makes
    fewer magnets and runs short: each magnet made takes 56.25 of the budget, one bought
    finished 2,000."""
    data = _chain(budgets=(md.Budget("B", "t1", 500.0),))
    run = _planned(data)
    assert run.result.processing.set_index("output").loc["MAG", "quantity"] == \
        pytest.approx(500 / 56.25)
    assert run.result.stock.set_index("material").loc["MAG", "shortfall"] == \
        pytest.approx(10 - 500 / 56.25)


def test_the_checker_refuses_processing_beyond_capacity_and_without_a_recipe() -> None:
    run = _planned(_chain(metal_capacity=2.0))
    r = run.result
    runs = r.processing.copy()
    runs.loc[runs["output"] == "MET", "quantity"] = 5.0
    rules = {v.rule for v in check_plan(r.scenario, r.purchases, r.transfers, r.stock,
                                        processing=runs)}
    assert "processing capacity" in rules and "stock balance" in rules
    ghost = r.processing.assign(facility="Nowhere")
    rules = {v.rule for v in check_plan(r.scenario, r.purchases, r.transfers, r.stock,
                                        processing=ghost)}
    assert "processing without a recipe" in rules


def test_a_co_financed_plant_exists_only_if_its_deal_is_signed() -> None:
    """Plant Q inside a deal costing 1,000 upfront: making the 10 magnets saves 20,000 -
    562.5, so the deal is signed; at 30,000 upfront it is not and B buys finished."""
    base = _chain()
    recipes = tuple(replace(r, deal="plant") if r.facility == "Q" else r for r in base.recipes)
    cheap = replace(base, recipes=recipes, deals=(md.Deal("plant", "Q", 1000.0, 0.0),))
    run = _planned(cheap)
    assert run.result.signed == ("plant",)
    assert run.objective == pytest.approx(562.5 + 1000)
    # the Deals table's volume taken of a co-financed plant is what it made
    deal = run.result.deals.set_index("deal").loc["plant"]
    assert deal["volume"] == pytest.approx(10.0) and deal["signed"]
    dear = replace(cheap, deals=(md.Deal("plant", "Q", 30000.0, 0.0),))
    run = _planned(dear)
    assert run.result.signed == ()
    assert run.objective == pytest.approx(20000)


def test_a_workbook_without_recipes_has_no_processing() -> None:
    data = scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 100, 10)],
                    demand=[("B", "M", "t1", 5)], settings=make_settings())
    run = _planned(data)
    assert run.objective == pytest.approx(50)
    assert run.result.processing.empty
    assert run.result.cost_breakdown["processing"] == 0.0


def _lost(data: md.ScenarioData, facility: str, probability: float = 0.5
          ) -> md.ScenarioData:
    """``data`` with a disruption that takes ``facility`` out in every period."""
    shocks = tuple(md.Shock(facility, r.output, r.period, 0.0, 1.0) for r in data.recipes
                   if r.facility == facility)
    return replace(data, disruptions=(md.DisruptionScenario("plant-fire", probability,
                                                            shocks),))


def test_a_facility_lost_in_a_disruption_is_replaced_by_buying_finished() -> None:
    """Plant Q burns down: the oxide contracted is delivered and paid (312.5) and left in
    stock (no credit here); nothing is processed (metal without a magnet plant is
    useless, and fees are paid only on what is processed); the 10 magnets are bought spot
    from J at 2,000 x 1.25 (the spot premium)."""
    from optimizer.planning.stress import stress_plan

    data = _lost(_chain(), "Q")
    plan = _planned(replace(data, disruptions=()))
    stress = stress_plan(plan.result, data=data)
    fire = next(s for s in stress.scenarios if s.scenario == "plant-fire")
    assert fire.cost == pytest.approx(6.25 * 50 + 10 * 2000 * 1.25)
    assert fire.spot_bought == pytest.approx(10)
    calm = next(s for s in stress.scenarios if s.scenario != "plant-fire")
    assert calm.cost == pytest.approx(plan.objective)


def test_robust_planning_hedges_a_likely_plant_loss() -> None:
    """With the magnet plant lost with probability 0.9, buying oxide ahead is worth 0.1 x
    the saving; the robust plan instead contracts magnets: expected cost 20,000 (all bought
    finished at contract price) against 0.1 x 562.5 + 0.9 x (312.5 + 25,000)."""
    data = replace(_lost(_chain(), "Q", probability=0.9),
                   settings=make_settings(shortage_penalty=100_000.0, robust="expected"))
    run = _planned(data)
    assert set(run.result.purchases["supplier"]) == {"J"}
    assert run.result.extra["robust"].expected_cost == pytest.approx(20_000)


def _magnets_two_ways(material: str, stage: str | None) -> md.ScenarioData:
    """B needs 100 t of magnet MAG: Chinese magnets at 1,000 (CM), Japanese ones bought
    finished at 1,500 (JM), or made in Japan (plant JP) from 1 t of Chinese oxide (CO, 500)
    per t at a fee of 600 (1,100 a magnet). A hard 50 % cap on China over the horizon for
    ``material``, at ``stage`` or on purchases only."""
    policies = (md.Policy("china-50", "max_country_share", "China", None, material, 0.5,
                          "horizon", None, stage=stage),)
    return scenario(
        materials=("OX", "MAG"),
        suppliers=[("CM", "China"), ("CO", "China"), ("JM", "Japan")],
        offers=[("CM", "MAG", "t1", 1000, 1000), ("CO", "OX", "t1", 1000, 500),
                ("JM", "MAG", "t1", 1000, 1500)],
        demand=[("B", "MAG", "t1", 100)], stages=("oxide", "magnet"),
        material_stage=(("OX", "oxide"), ("MAG", "magnet")),
        recipes=(md.Recipe("JP", "Japan", "MAG", "t1", (("OX", 1.0),), 1000.0, 600.0),),
        policies=policies, settings=make_settings(shortage_penalty=100_000.0))


def test_a_cap_at_the_magnet_stage_counts_magnets_made_in_japan_as_japanese() -> None:
    """At the magnet stage the 50 magnets made in Japan count as Japanese: 50 Chinese
    magnets and 50 made, 50,000 + 50 x 1,100 = 105,000 (against 100,000 uncapped), though
    their oxide is Chinese."""
    run = _planned(_magnets_two_ways("MAG", "magnet"))
    assert run.objective == pytest.approx(105_000)
    assert run.result.processing["quantity"].sum() == pytest.approx(50)
    bought = run.result.purchases.groupby("supplier")["quantity"].sum().to_dict()
    assert bought == pytest.approx({"CM": 50, "CO": 50})


def test_a_cap_on_purchases_only_does_not_count_what_is_made() -> None:
    """The same cap without a stage counts magnets bought only: made magnets do not dilute
    the Chinese share, so the plan makes all 100 (110,000) rather than buy 50 Chinese and
    50 Japanese ones (125,000)."""
    run = _planned(_magnets_two_ways("MAG", None))
    assert run.objective == pytest.approx(110_000)
    assert set(run.result.purchases["material"]) == {"OX"}


def test_a_cap_at_the_oxide_stage_does_not_bind_when_magnets_are_bought() -> None:
    run = _planned(_magnets_two_ways("OX", "oxide"))
    assert run.objective == pytest.approx(100_000)
    assert run.result.processing.empty


REL = 1e-6


@settings(max_examples=40, deadline=None)
@given(random_processing())
def test_every_mode_passes_the_checker_with_processing(data: md.ScenarioData) -> None:
    assert_modes_checked_and_ordered(data)


@settings(max_examples=30, deadline=None)
@given(random_processing(), st.sampled_from([1.5, 3.0]))
def test_more_facility_capacity_never_costs_more(data: md.ScenarioData, k: float) -> None:
    more = replace(data, recipes=tuple(replace(r, capacity=r.capacity * k + 1.0)
                                       for r in data.recipes))
    base, bigger = solve_plan(data), solve_plan(more)
    if base.objective is not None:
        assert bigger.objective is not None and bigger.violations == []
        assert bigger.objective <= base.objective + REL * max(1.0, abs(base.objective))


@settings(max_examples=30, deadline=None)
@given(random_scenarios())
def test_stages_without_recipes_change_nothing(data: md.ScenarioData) -> None:
    """Materials given stages, and caps at a stage with no processing in the workbook,
    give the LP without them: the same objective."""
    staged = replace(data, stages=("only",), material_stage=tuple(
        (m, "only") for m in data.materials), policies=tuple(
        replace(p, stage="only") for p in data.policies))
    plain, with_stages = solve_plan(data), solve_plan(staged)
    assert plain.status is with_stages.status
    if plain.objective is not None:
        assert with_stages.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(random_processing(max_buyers=3))
def test_every_coalition_plans_within_its_share_of_the_facilities(
        data: md.ScenarioData) -> None:
    """Each coalition of the Shapley game plans on its members' shares of every offer and
    facility (SPEC 3, 3.2): its plan passes the checker against that scenario, and the
    shares of all partners add up to the whole, so the grand coalition costs no more than
    the partners alone together."""
    from optimizer.planning.shapley import coalition_scenario

    if len(data.buyers) < 2:
        return
    alone = []
    for b in data.buyers:
        part = coalition_scenario(data, [b])
        assert sum(r.capacity for r in part.recipes) <= sum(
            r.capacity for r in data.recipes) + 1e-9
        run = plan_coordinated(part)
        assert run.status is Status.OPTIMAL and run.violations == [], run.violations
        alone.append(run.objective)
    joint = plan_coordinated(coalition_scenario(data, data.buyers))
    assert joint.violations == []
    assert joint.objective <= sum(alone) + REL * max(1.0, abs(sum(alone)))
