"""Entitlements, per-material shortage penalties and disruptions aimed at one partner
(SPEC 3.1 families 12 and 13, 4.14, 5): known answers derived by hand, and properties."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import data as md
from models.world import outlooks
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.robust import mean_value_scenario
from optimizer.planning.shares import offer_shares
from optimizer.planning.stress import stress_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from optimizer.workbook.load import load_workbook
from tests.conftest import run, set_cell
from tests.factory import (
    calm_stress_and_plan,
    checked_objective,
    random_disrupted,
    random_scenarios,
    scenario,
)
from tests.factory import settings as make_settings


def _entitled(sharing: tuple[md.Sharing, ...] = (), coordination: str = "joint"
              ) -> md.ScenarioData:
    """A: 100 t at 10, a tranche for Japan only; B: 1,000 t at 20 for anyone. Japan needs
    50 t, the EU 80 t."""
    data = scenario(buyers=("Japan", "EU"), suppliers=[("A", "X"), ("B", "Y")],
                    offers=[("A", "M", "t1", 100, 10), ("B", "M", "t1", 1000, 20)],
                    demand=[("Japan", "M", "t1", 50), ("EU", "M", "t1", 80)],
                    sharing=sharing, settings=make_settings(coordination=coordination))
    offers = tuple(replace(o, buyers=("Japan",)) if o.supplier == "A" else o
                   for o in data.offers)
    return replace(data, offers=offers)


def test_an_offer_for_japan_only_is_not_bought_by_the_eu() -> None:
    """Without sharing the EU pays 20 for all of its 80 t: 50 x 10 + 80 x 20 = 2,100."""
    data = _entitled()
    assert checked_objective(data) == pytest.approx(2100)
    run = solve_plan(data)
    assert run.result is not None
    bought = run.result.purchases.groupby(["buyer", "supplier"])["quantity"].sum()
    assert bought[("Japan", "A")] == pytest.approx(50)
    assert ("EU", "A") not in bought.index or bought[("EU", "A")] == pytest.approx(0)


def test_sharing_carries_an_entitlement_across() -> None:
    """Japan takes the whole tranche (100 t at 10) and passes 50 t on at 1 a tonne: the EU
    buys only 30 t at 20. 1,000 + 50 + 600 = 1,650."""
    data = _entitled(sharing=(md.Sharing("Japan", "EU", "M", 1.0, None),))
    assert checked_objective(data) == pytest.approx(1650)


def test_pro_rata_shares_an_entitlement_among_the_partners_it_is_open_to() -> None:
    """The tranche is Japan's alone: its pro-rata share is 1 (the EU's 0); offer B is shared
    50 : 80. Alone, each pays what it paid jointly without sharing: 2,100."""
    data = _entitled(coordination="pro-rata")
    shares = offer_shares(data)
    assert shares[("Japan", ("A", "M", "t1", 1))] == 1.0
    assert shares[("EU", ("A", "M", "t1", 1))] == 0.0
    assert shares[("EU", ("B", "M", "t1", 1))] == pytest.approx(80 / 130)
    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.objective == pytest.approx(2100)


def test_the_checker_refuses_a_purchase_by_a_partner_not_entitled() -> None:
    from optimizer.solving.checker import check_plan

    data = _entitled()
    run = solve_plan(data)
    assert run.result is not None
    bad = run.result.purchases.copy()
    bad.loc[bad["buyer"] == "Japan", "buyer"] = "EU"
    rules = {v.rule for v in check_plan(data, bad, run.result.transfers, run.result.stock)}
    assert "purchase by a partner the offer is not open to" in rules


def test_each_material_short_costs_its_own_penalty() -> None:
    """Nothing on offer: 2 t of T short at 5,000 and 3 t of N at the setting's 1,000; T's
    floor of 1 t (a reserve missed for a whole 365-day period) costs 0.1 x 5,000 x 1 =
    500. 10,000 + 3,000 + 500 = 13,500."""
    data = scenario(materials=("T", "N"), demand=[("B", "T", "t1", 2), ("B", "N", "t1", 3)],
                    stock_rules=(md.StockRule("B", "T", "t1", 0.0, 1.0, None, 0.0),),
                    material_penalties=(("T", 5000.0),))
    assert data.shortage_penalty("N") == 1000.0
    assert checked_objective(data) == pytest.approx(13_500)


def _embargo(sharing: bool) -> md.ScenarioData:
    """C sells 1,000 t at 10; Japan and the EU need 50 t each. 'embargo' (probability 0.1)
    stops every delivery from C to Japan alone."""
    shock = md.Shock("C", "M", "t1", 0.0, 1.0, buyer="Japan")
    return scenario(buyers=("Japan", "EU"), suppliers=[("C", "X")],
                    offers=[("C", "M", "t1", 1000, 10)],
                    demand=[("Japan", "M", "t1", 50), ("EU", "M", "t1", 50)],
                    sharing=(md.Sharing("EU", "Japan", "M", 1.0, None),) if sharing else (),
                    disruptions=(md.DisruptionScenario("embargo", 0.1, (shock,)),))


def test_an_embargo_on_one_partner_is_absorbed_by_the_other() -> None:
    """The plan buys 100 t at 10 (1,000). Under the embargo Japan's 50 t are neither
    delivered nor paid, and Japan may not buy spot from C; the EU still gets its 50 t
    (500), buys 50 t more spot at 10 x 1.25 = 12.5 (625) and passes them on at 1 (50):
    1,175, nobody short."""
    run = solve_plan(_embargo(sharing=True))
    assert run.objective == pytest.approx(1000)
    result = stress_plan(run.result)
    hit = {s.scenario: s for s in result.scenarios}["embargo"]
    assert hit.status is Status.OPTIMAL
    assert hit.cost == pytest.approx(1175)
    assert hit.shortfall == pytest.approx(0)
    assert hit.spot_bought == pytest.approx(50)


def test_without_sharing_the_partner_aimed_at_runs_short() -> None:
    """No sharing: Japan's 50 t are lost and it may not buy spot from C: 500 for the EU plus
    50 x 1,000 short = 50,500."""
    run = solve_plan(_embargo(sharing=False))
    result = stress_plan(run.result)
    hit = {s.scenario: s for s in result.scenarios}["embargo"]
    assert hit.cost == pytest.approx(50_500)
    assert hit.shortfall == pytest.approx(50)
    assert hit.shortfalls.set_index("buyer").loc["Japan", "shortfall"] == pytest.approx(50)


def test_the_mean_value_scenario_weights_an_aimed_row_by_the_partners_share() -> None:
    """Japan holds half of C's offer (50 of 100 t of demand); the embargo (p = 0.1, factor 0)
    counts as 0.5 of the same row on everybody: capacity 1,000 x (1 - 0.1 x 0.5) = 950."""
    data = _embargo(sharing=True)
    mean = mean_value_scenario(data, outlooks(data))
    assert mean.offers[0].capacity == pytest.approx(950)
    assert mean.offers[0].price == pytest.approx(10)


def test_robust_planning_buys_for_the_partner_aimed_at() -> None:
    """An embargo on Japan with probability 0.5 and no sharing. Contracts stay at 50 t each
    (a short tonne costs 1,000 against 10 for buying it, and an undelivered contract is not
    paid): calm, 1,000; embargo, the EU's 500 plus Japan's 50 t short (50,000), as nothing
    reaches Japan that period. Expected: 0.5 x 1,000 + 0.5 x 50,500 = 25,750."""
    data = _embargo(sharing=False)
    data = replace(data, disruptions=(replace(data.disruptions[0], probability=0.5),),
                   settings=replace(data.settings, robust="expected"))
    run = plan_coordinated(data, measures=True)
    assert run.status is Status.OPTIMAL and run.violations == []
    info = run.result.extra["robust"]
    assert info.expected_cost == pytest.approx(0.5 * 1000 + 0.5 * (500 + 50 * 1000))
    # hindsight changes nothing here (EVPI 0); the mean-value plan (capacity 1,000 x
    # (1 - 0.5 x 0.5) = 750, still enough) buys the same contracts (VSS 0)
    assert info.evpi == pytest.approx(0, abs=1e-6) and info.vss == pytest.approx(0, abs=1e-6)


@st.composite
def _entitled_random(draw: st.DrawFn) -> md.ScenarioData:
    """A random scenario whose offers are each open to a random set of partners, with a
    random shortage penalty per material, and disruption rows aimed at one partner."""
    data = draw(random_disrupted())
    offers = tuple(replace(o, buyers=tuple(b for b in data.buyers if draw(st.booleans()))
                           or None) for o in data.offers)
    penalties = tuple((m, draw(st.sampled_from([200.0, 5000.0]))) for m in data.materials
                      if draw(st.booleans()))
    disruptions = tuple(replace(d, shocks=tuple(
        replace(s, buyer=draw(st.sampled_from([None, *data.buyers]))) for s in d.shocks))
        for d in data.disruptions)
    return replace(data, offers=offers, material_penalties=penalties, disruptions=disruptions)


@settings(max_examples=25, deadline=None)
@given(_entitled_random())
def test_plans_with_entitlements_pass_the_checker_in_every_mode(data: md.ScenarioData) -> None:
    """Every mode's plan is checked against the data by the independent checker (which
    recomputes the objective with each material's penalty); joint never costs more."""
    costs = {}
    for mode in ("joint", "pro-rata", "sequential"):
        run = plan_coordinated(replace(data, settings=replace(data.settings,
                                                               coordination=mode)))
        if run.status is Status.OPTIMAL:
            assert run.violations == [], [str(v) for v in run.violations]
            costs[mode] = run.objective
    if "joint" in costs:
        assert all(costs["joint"] <= c + 1e-6 * max(1.0, abs(c)) for c in costs.values())


@settings(max_examples=20, deadline=None)
@given(_entitled_random())
def test_a_plan_stressed_with_no_disruption_costs_what_it_cost(data: md.ScenarioData) -> None:
    costs = calm_stress_and_plan(data)
    if costs is not None:
        assert costs[0] == pytest.approx(costs[1], rel=1e-6, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(random_scenarios())
def test_opening_every_offer_to_every_partner_by_name_changes_nothing(
        data: md.ScenarioData) -> None:
    named = replace(data, offers=tuple(replace(o, buyers=data.buyers) for o in data.offers))
    assert checked_objective(named) == pytest.approx(checked_objective(data), rel=1e-9,
                                                     abs=1e-6)


def test_the_workbook_columns_reach_the_model(book: Path) -> None:
    """Supply `buyers`, Disruptions `buyer` and Materials `shortage_penalty` as a planner
    fills them in."""
    set_cell(book, "Supply", 6, "buyers", "Japan")  # MP Materials' NdPr: Japan only
    set_cell(book, "Supply", 2, "buyers", " Japan , EU ")  # both named: everybody
    set_cell(book, "Disruptions", 2, "buyer", "Japan")
    set_cell(book, "Materials", 3, "shortage_penalty", 2_500_000)
    loaded = load_workbook(book)
    assert loaded.errors == []
    data = loaded.scenario("base")
    by_row = {o.src: o for o in data.offers}
    assert by_row["Supply!6"].buyers == ("Japan",)
    assert by_row["Supply!2"].buyers == ("Japan", "EU")
    assert by_row["Supply!3"].buyers is None
    assert {s.buyer for d in data.disruptions for s in d.shocks} == {"Japan"}
    assert data.shortage_penalty("Dy oxide") == 2_500_000
    assert data.shortage_penalty("NdPr oxide") == data.settings.shortage_penalty
    proc = run("stress", book, "-o", book.parent / "stress.xlsx", "--json", "-q",
               "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["strategies"]["base"]["status"] == "optimal"


def test_unknown_partners_are_located(book: Path) -> None:
    set_cell(book, "Supply", 6, "buyers", "Japan, Korea")
    set_cell(book, "Disruptions", 2, "buyer", "Jpan")
    issues = {(i.sheet, i.row): i for i in load_workbook(book).errors}
    supply = issues[("Supply", 6)]
    assert supply.message.startswith("buyers names 'Korea'") and supply.value == "Japan, Korea"
    aimed = issues[("Disruptions", 2)]
    assert aimed.message.startswith("buyer 'Jpan'") and "'Japan'?" in aimed.message
    proc = run("validate", book)
    assert proc.returncode == 1 and "Korea" in proc.stderr
