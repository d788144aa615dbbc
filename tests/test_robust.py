"""Robust planning: a hedge known in closed form, and the standard measures' properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.robust import plan_robust
from optimizer.planning.stress import stress_plan
from tests.factory import random_disrupted, scenario
from tests.factory import settings as make_settings

PROPS = settings(max_examples=15, deadline=None)


def hedge(p: float, robust: str = "expected") -> md.ScenarioData:
    """Demand 100 in one period. C sells at 10 and fails outright with probability p
    (capacity factor 0); S sells at 20 and never fails. Spot after the failure: only S has
    capacity left, at 20 x 1.25 = 25. Shortfall costs 1000.

    Contracting s units with S and 100 - s with C (contracts are paid on delivery):
    E = (1-p)(10(100-s) + 20 s) + p(20 s + 25(100-s)) = (1-p)(1000 + 10 s) + p(2500 - 5 s),
    whose slope 10 - 15 p is negative above p = 2/3: below, contract everything with C;
    above, everything with S."""
    fail = md.DisruptionScenario("C fails", p, (md.Shock("C", "M", "t1", 0.0, 1.0),))
    return scenario(suppliers=[("C", "X"), ("S", "Y")],
                    offers=[("C", "M", "t1", 1000, 10), ("S", "M", "t1", 1000, 20)],
                    demand=[("B", "M", "t1", 100)], disruptions=(fail,),
                    settings=make_settings(shortage_penalty=1000.0, robust=robust))


@pytest.mark.parametrize(("p", "from_s", "expected", "evpi", "vss"), [
    (0.5, 0.0, 1750.0, 250.0, 0.0),    # all C: 0.5 x 1000 + 0.5 x 2500
    (0.8, 100.0, 2000.0, 200.0, 200.0),  # all S; hindsight 0.2x1000 + 0.8x2000 = 1800;
])                                       # mean-value plan (all C) costs 2200 in expectation
def test_closed_form_hedge(p: float, from_s: float, expected: float, evpi: float,
                           vss: float) -> None:
    run = plan_robust(hedge(p))
    assert run.violations == []
    info = run.result.extra["robust"]
    bought = run.result.purchases.groupby("supplier")["quantity"].sum()
    assert bought.get("S", 0.0) == pytest.approx(from_s, abs=1e-6)
    assert info.objective == pytest.approx(expected)
    assert info.expected_cost == pytest.approx(expected)
    assert info.evpi == pytest.approx(evpi) and info.vss == pytest.approx(vss, abs=1e-6)


@PROPS
@given(random_disrupted())
def test_measures_are_non_negative_and_robust_beats_deterministic(data: md.ScenarioData) -> None:
    deterministic = plan_coordinated(data)
    robust = plan_robust(replace(data, settings=replace(data.settings, robust="expected")))
    assert robust.violations == []
    info = robust.result.extra["robust"]
    assert info.evpi >= -1e-6 * max(1.0, abs(info.expected_cost))
    assert info.vss >= -1e-6 * max(1.0, abs(info.expected_cost))
    stressed = stress_plan(deterministic.result).expected_cost
    assert info.expected_cost <= stressed * (1 + 1e-9) + 1e-6


@PROPS
@given(random_disrupted())
def test_cvar_plan_approaches_expected_plan_as_the_weight_vanishes(data: md.ScenarioData
                                                                   ) -> None:
    expected = plan_robust(replace(data, settings=replace(data.settings, robust="expected")),
                           measures=False)
    cvar = plan_robust(replace(data, settings=replace(data.settings, robust="cvar",
                                                      risk_weight=1e-9)), measures=False)
    e, c = (r.result.extra["robust"].expected_cost for r in (expected, cvar))
    assert c == pytest.approx(e, rel=1e-6, abs=1e-4)


@PROPS
@given(random_disrupted())
def test_a_scenario_of_probability_zero_changes_nothing(data: md.ScenarioData) -> None:
    data = replace(data, disruptions=tuple(replace(d, probability=0.0)
                                           for d in data.disruptions))
    deterministic = plan_coordinated(data)
    for risk in ("expected", "cvar"):
        robust = plan_robust(replace(data, settings=replace(data.settings, robust=risk)),
                             measures=False)
        # the plan as made and its expected cost; a cvar objective adds lambda x CVaR on top
        assert robust.objective == pytest.approx(deterministic.objective, rel=1e-7, abs=1e-6)
        assert robust.result.extra["robust"].expected_cost == pytest.approx(
            deterministic.objective, rel=1e-7, abs=1e-6)


def test_a_cvar_plan_with_a_scenario_of_one_in_a_trillion_is_planned() -> None:
    """Found by the property above: HiGHS's presolve called this CVaR extensive form
    "infeasible or unbounded" although it has an optimum (shortfall is always allowed).
    Solved again without presolve, as HiGHS advises, it is the expected-cost plan."""
    periods, stock = ("p0", "p1", "p2"), {"m0": 0.0, "m1": 10.0}
    data = scenario(
        periods=periods, days=100.0, buyers=("b0",), materials=("m0", "m1"),
        suppliers=[("s0", "CN", "AU"), ("s1", "AU", "US"), ("s2", "US", "CN")],
        offers=[("s0", "m0", t, 1, 1) for t in periods],
        demand=[("b0", "m0", "p0", 0), ("b0", "m0", "p1", 1), ("b0", "m0", "p2", 5),
                ("b0", "m1", "p0", 1), ("b0", "m1", "p1", 1), ("b0", "m1", "p2", 3)],
        initial_stock=tuple(md.InitialStock("b0", m, 5.0) for m in ("m0", "m1")),
        stock_rules=tuple(md.StockRule("b0", m, t, stock[m] if t == "p2" else 0.0, 0.0, None,
                                       0.0) for m in ("m0", "m1") for t in periods),
        policies=tuple(md.Policy("cap", "max_country_share", "CN", None, m, 0.5, "period",
                                 50.0) for m in ("m0", "m1")),
        disruptions=(md.DisruptionScenario("d0", 1e-12, (md.Shock("s0", "m0", "p0", 0.0,
                                                                   1.0),)),))
    runs = [plan_robust(replace(data, settings=replace(data.settings, robust=risk,
                                                        risk_weight=weight)), measures=False)
            for risk, weight in (("expected", 1.0), ("cvar", 1e-9))]
    assert [r.status.value for r in runs] == ["optimal", "optimal"]
    assert runs[1].objective == pytest.approx(runs[0].objective, rel=1e-9)
