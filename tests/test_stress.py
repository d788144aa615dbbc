"""Stress tests: contracts held fixed, recourse per disruption scenario."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given, settings

from models import data as md
from optimizer.planning.stress import stress_plan
from optimizer.solving.plan import solve_plan
from tests.conftest import run
from tests.factory import random_disrupted, random_scenarios, scenario
from tests.factory import settings as make_settings


def test_half_capacity_known_answer() -> None:
    """One supplier (capacity 100 at 10), demand 80, all contracted. Disruption: capacity
    halved, price doubled. The contract delivers 40 (paid 400); spot may take half of the
    20 left, 10 at 10 x 2 x 1.25 = 25 (250); 30 run short at 1000 (30,000): 30,650."""
    shock = md.DisruptionScenario("half", 0.2, (md.Shock("S", "M", "t1", 0.5, 2.0),))
    data = scenario(suppliers=[("S", "X")], offers=[("S", "M", "t1", 100, 10)],
                    demand=[("B", "M", "t1", 80)], disruptions=(shock,),
                    settings=make_settings(shortage_penalty=1000.0))
    run = solve_plan(data)
    assert run.objective == pytest.approx(800)
    result = stress_plan(run.result)
    by_name = {s.scenario: s for s in result.scenarios}
    assert by_name["no disruption"].cost == pytest.approx(800)
    assert by_name["no disruption"].probability == pytest.approx(0.8)
    half = by_name["half"]
    assert half.cost == pytest.approx(30650)
    assert half.shortfall == pytest.approx(30) and half.spot_bought == pytest.approx(10)
    assert result.expected_cost == pytest.approx(0.8 * 800 + 0.2 * 30650)
    assert result.worst_cost == pytest.approx(30650) and result.worst_shortfall == 30


def test_reserve_is_drawn_and_the_gap_is_charged_per_period() -> None:
    """Floor 20 (initial stock 20), demand 10 per period, supplier at 10, shortage penalty
    1,000, so a unit below the floor costs 0.1 x 1,000 = 100 a year (SPEC 5). The plan
    buys 10 in each period: 200. A disruption in t2 cuts the supplier to 0: t2's contract
    delivers nothing and is not paid; the reserve covers t2's demand (no shortfall) and is
    10 below the floor at the end of t2: 100 + 10 x 100 = 1,100, the same gap cost the
    plan would have paid for the same gap."""
    shock = md.DisruptionScenario("cut", 0.1, (md.Shock("S", "M", "t2", 0.0, 1.0),))
    rules = tuple(md.StockRule("B", "M", t, 0.0, 20.0, None, 0.0) for t in ("t1", "t2"))
    data = scenario(periods=("t1", "t2"), suppliers=[("S", "X")],
                    offers=[("S", "M", t, 100, 10) for t in ("t1", "t2")],
                    demand=[("B", "M", t, 10) for t in ("t1", "t2")], stock_rules=rules,
                    initial_stock=(md.InitialStock("B", "M", 20.0),), disruptions=(shock,),
                    settings=make_settings(shortage_penalty=1000.0))
    run = solve_plan(data)
    assert run.objective == pytest.approx(200)
    cut = {s.scenario: s for s in stress_plan(run.result).scenarios}["cut"]
    assert cut.shortfall == pytest.approx(0)
    assert cut.cost == pytest.approx(100 + 1000)
    assert cut.periods_below_floor == 1


@settings(max_examples=25, deadline=None)
@given(random_scenarios())
def test_no_disruption_reproduces_the_plan_cost(data: md.ScenarioData) -> None:
    run = solve_plan(data)
    stressed = stress_plan(run.result).scenarios[0]
    assert stressed.scenario == "no disruption"
    assert stressed.cost == pytest.approx(run.objective, rel=1e-7, abs=1e-6)


def test_stress_cli_on_the_shipped_scenario(tmp_path) -> None:
    """The acceptance story: China's Dy and Tb already come under licence, and when the
    licences fall to 10 % for two years (china-hree-export-controls) the base plan runs
    short of them; the 90-day stockpile runs less short (its reserve is drawn first); the
    robust plan, which finances Caremag's non-Chinese Dy and Tb with both partners, runs
    short of nothing and never dips below a floor; and the workbook and JSON say what that
    protection costs."""
    import json

    from tests.conftest import SHIPPED

    out = tmp_path / "stress.xlsx"
    proc = run("stress", SHIPPED, "-s", "base", "-s", "stock-90d", "-s", "robust", "-o", out,
               "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["strategies"]
    hree = {name: e["scenarios"]["china-hree-export-controls"] for name, e in summary.items()}
    short = {name: e["shortfall"] for name, e in hree.items()}
    assert short["base"] > short["stock-90d"] > short["robust"] == 0
    assert hree["robust"]["periods_below_floor"] == 0 < hree["base"]["periods_below_floor"]
    assert summary["stock-90d"]["plan_cost"] > summary["base"]["plan_cost"]
    assert summary["robust"]["expected_cost"] <= summary["base"]["expected_cost"]
    assert summary["robust"]["evpi"] >= 0 and summary["robust"]["vss"] >= 0
    no = summary["base"]["scenarios"]["no disruption"]
    assert no["cost"] == pytest.approx(summary["base"]["plan_cost"], rel=1e-9)
    wb = openpyxl.load_workbook(out)
    assert {"Disruptions", "Disrupted shortfalls"} <= set(wb.sheetnames)


def test_disruptions_from_another_workbook(tmp_path, book) -> None:
    """--disruptions takes the Disruptions sheet of another workbook."""
    import shutil

    from tests.conftest import set_cell

    other = tmp_path / "shocks.xlsx"
    shutil.copyfile(book, other)
    set_cell(other, "Disruptions", 2, "scenario", "elsewhere")
    proc = run("stress", book, "--disruptions", other, "-s", "base", "--json", "-o",
               tmp_path / "s.xlsx")
    assert proc.returncode == 0, proc.stderr
    import json

    assert "elsewhere" in json.loads(proc.stdout)["strategies"]["base"]["scenarios"]


# The same rules in every world (SPEC 5): a disruption lifts no rule.
AU_OUT = md.DisruptionScenario("au-out", 0.1, (md.Shock("AU", "M", "t1", 0.0, 1.0),))


def _capped(penalty: float | None) -> md.ScenarioData:
    cap = md.Policy("cap", "max_country_share", "China", "B", "M", 0.6, "period", penalty)
    return scenario(suppliers=[("CN", "China"), ("AU", "Australia")],
                    offers=[("CN", "M", "t1", 1000, 10), ("AU", "M", "t1", 1000, 12)],
                    demand=[("B", "M", "t1", 100)], policies=(cap,), disruptions=(AU_OUT,),
                    settings=make_settings(shortage_penalty=1000.0))


def test_a_hard_cap_holds_for_spot_purchases() -> None:
    """A hard 60 % China cap, demand 100: the plan buys 60 from China (600) and 40 from
    Australia (480): 1,080. Australia is lost: its 40 are not delivered, not paid, but
    still count as contracted. Spot from China must keep 60 + y <= 0.6 (100 + y), so
    y = 0: 40 run short at 1,000: 600 + 40,000 = 40,600 (with the cap lifted, 40 spot at
    12.5 would have cost 1,100: the disruption would have looked almost free)."""
    run = solve_plan(_capped(None))
    assert run.objective == pytest.approx(1080)
    out = {s.scenario: s for s in stress_plan(run.result).scenarios}["au-out"]
    assert out.spot_bought == pytest.approx(0, abs=1e-6)
    assert out.shortfall == pytest.approx(40)
    assert out.cost == pytest.approx(40600)
    caps = out.caps.iloc[0]
    assert caps["contracted_share"] == pytest.approx(0.6)
    assert caps["delivered_share"] == pytest.approx(1.0)  # all that arrived is Chinese


def test_the_stress_workbook_lists_the_caps_a_disruption_moved(book: Path,
                                                                tmp_path: Path) -> None:
    """The template under crma-65 (65 % China caps, horizon) and its china-hree-controls
    row (Chinese Dy halved in 2027): the Dy caps, held on contracts as contracted, show a
    lower Chinese share as delivered; only the caps a disruption moved are listed."""
    out = tmp_path / "stress.xlsx"
    proc = run("stress", book, "-s", "crma-65", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    rows = list(openpyxl.load_workbook(out)["Caps under disruption"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "strategy")
    body = [dict(zip(header, r, strict=True)) for r in rows[rows.index(header) + 1:]]
    assert body and all(r["scenario"] == "china-hree-controls" for r in body)
    assert {r["material"] for r in body} == {"Dy oxide"}
    assert all(r["share as delivered"] < r["share as contracted"] for r in body)


def test_a_soft_cap_is_charged_on_spot_purchases() -> None:
    """The same cap, soft at 5 per unit over it. The plan still complies (all-China would
    cost 1,000 + 40 x 5 = 1,200 > 1,080). Without Australia, each unit bought spot from
    China (12.5) takes the excess up by 0.4 (5 x 0.4 = 2): 14.5 < the shortfall penalty,
    so 40 are bought: 600 + 500 + 5 x 16 = 1,180."""
    run = solve_plan(_capped(5.0))
    assert run.objective == pytest.approx(1080)
    out = {s.scenario: s for s in stress_plan(run.result).scenarios}["au-out"]
    assert out.spot_bought == pytest.approx(40)
    assert out.cost == pytest.approx(1180)


def test_a_budget_holds_for_spot_purchases() -> None:
    """Budget 1,000 for demand 100: the plan buys 100 at 10 from S1. S1 delivers half
    (500 paid); S2's spot price is 11 x 1.25 = 13.75, so the budget allows
    500 / 13.75 = 36.36 more; 13.64 run short at 1,000:
    500 + 500 + 13,636.36 = 14,636.36."""
    shock = md.DisruptionScenario("half", 0.1, (md.Shock("S1", "M", "t1", 0.5, 1.0),))
    data = scenario(suppliers=[("S1", "X"), ("S2", "Y")],
                    offers=[("S1", "M", "t1", 100, 10), ("S2", "M", "t1", 100, 11)],
                    demand=[("B", "M", "t1", 100)], budgets=(md.Budget("B", "t1", 1000.0),),
                    disruptions=(shock,), settings=make_settings(shortage_penalty=1000.0))
    run = solve_plan(data)
    assert run.objective == pytest.approx(1000)
    half = {s.scenario: s for s in stress_plan(run.result).scenarios}["half"]
    assert half.spot_bought == pytest.approx(500 / 13.75)
    assert half.shortfall == pytest.approx(100 - 50 - 500 / 13.75)
    assert half.cost == pytest.approx(1000 + (50 - 500 / 13.75) * 1000)


def test_a_scenario_cheaper_than_the_plan_says_why() -> None:
    """A take-or-pay of 50 from an expensive supplier E (20) beside C (10): the plan costs
    50 x 20 + 50 x 10 = 1,500. When E is lost its contract lapses unpaid and 50 are bought
    spot from C at 12.5 (625): 500 + 625 = 1,125, 375 less than the plan, and the report
    names the contract and the purchases."""
    shock = md.DisruptionScenario("e-out", 0.1, (md.Shock("E", "M", "t1", 0.0, 1.0),))
    data = scenario(suppliers=[("E", "X"), ("C", "Y")],
                    offers=[("E", "M", "t1", 100, 20, 1, 50), ("C", "M", "t1", 1000, 10)],
                    demand=[("B", "M", "t1", 100)], disruptions=(shock,),
                    settings=make_settings(shortage_penalty=1000.0))
    run = solve_plan(data)
    assert run.objective == pytest.approx(1500)
    result = stress_plan(run.result)
    out = {s.scenario: s for s in result.scenarios}["e-out"]
    assert out.cost == pytest.approx(1125)
    why = result.why_cheaper(out)
    assert why.startswith("costs 375 USD less than the plan")
    assert "E M 50 t (1,000 USD)" in why and "C M 50 t (625 USD)" in why
    assert result.why_cheaper(result.scenarios[0]) == ""  # the plan itself
    assert result.table().set_index("scenario").loc["e-out", "why_cheaper"] == why


@settings(max_examples=30, deadline=None)
@given(random_disrupted())
def test_a_disruption_that_takes_nothing_away_never_costs_less(data: md.ScenarioData) -> None:
    """SPEC 5 and 8: a disruption gives the partners no rule the plan did not have. With
    every capacity factor at 1 (only prices rise), every contract is delivered and spot
    purchases only add dearer options: no scenario may cost less than the plan. Under the
    old rules (reserve free to draw, caps and budgets not binding on spot) it could."""
    from dataclasses import replace

    calm = replace(data, disruptions=tuple(
        replace(d, shocks=tuple(replace(s, capacity_factor=1.0) for s in d.shocks))
        for d in data.disruptions))
    run = solve_plan(calm)
    assume(run.result is not None)
    for s in stress_plan(run.result).scenarios:
        assert s.cost is not None
        assert s.cost >= run.objective - 1e-7 * max(1.0, abs(run.objective))
