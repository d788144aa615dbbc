"""Stress tests: contracts held fixed, recourse per disruption scenario."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from models import data as md
from optimizer.planning.stress import stress_plan
from optimizer.solving.plan import solve_plan
from tests.factory import random_scenarios, scenario
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


def test_reserve_is_drawn_and_the_gap_costs_at_the_end() -> None:
    """Floor 20 (initial stock 20), demand 10 per period, supplier at 10. A disruption in
    t2 cuts the supplier to 0: the reserve covers t2's demand (no shortfall) and is 10
    below the floor at the end: that gap costs the shortfall penalty 100 (1,000)."""
    shock = md.DisruptionScenario("cut", 0.1, (md.Shock("S", "M", "t2", 0.0, 1.0),))
    rules = tuple(md.StockRule("B", "M", t, 0.0, 20.0, None, 0.0) for t in ("t1", "t2"))
    data = scenario(periods=("t1", "t2"), suppliers=[("S", "X")],
                    offers=[("S", "M", t, 100, 10) for t in ("t1", "t2")],
                    demand=[("B", "M", t, 10) for t in ("t1", "t2")], stock_rules=rules,
                    initial_stock=(md.InitialStock("B", "M", 20.0),), disruptions=(shock,),
                    settings=make_settings(shortage_penalty=100.0))
    run = solve_plan(data)
    assert run.objective == pytest.approx(200)
    cut = {s.scenario: s for s in stress_plan(run.result).scenarios}["cut"]
    assert cut.shortfall == pytest.approx(0)
    assert cut.cost == pytest.approx(100 + 1000)  # t1 contract delivered; t2's delivers 0
    assert cut.periods_below_floor == 1


@settings(max_examples=25, deadline=None)
@given(random_scenarios())
def test_no_disruption_reproduces_the_plan_cost(data: md.ScenarioData) -> None:
    run = solve_plan(data)
    stressed = stress_plan(run.result).scenarios[0]
    assert stressed.scenario == "no disruption"
    assert stressed.cost == pytest.approx(run.objective, rel=1e-7, abs=1e-6)


def test_stress_cli_on_the_shipped_scenario(tmp_path) -> None:
    """The acceptance story: under the Chinese heavy-rare-earth export controls the base
    plan runs short; the 90-day stockpile and the robust plan run shorter (or not at
    all), and the workbook and JSON say what that protection costs."""
    import json

    import openpyxl

    from tests.conftest import SHIPPED, run

    out = tmp_path / "stress.xlsx"
    proc = run("stress", SHIPPED, "-s", "base", "-s", "stock-90d", "-s", "robust", "-o", out,
               "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["strategies"]
    hree = {name: e["scenarios"]["china-hree-export-controls"]["shortfall"]
            for name, e in summary.items()}
    assert hree["base"] > 0
    assert hree["stock-90d"] < hree["base"] and hree["robust"] < hree["base"]
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

    from tests.conftest import run, set_cell

    other = tmp_path / "shocks.xlsx"
    shutil.copyfile(book, other)
    set_cell(other, "Disruptions", 2, "scenario", "elsewhere")
    proc = run("stress", book, "--disruptions", other, "-s", "base", "--json", "-o",
               tmp_path / "s.xlsx")
    assert proc.returncode == 0, proc.stderr
    import json

    assert "elsewhere" in json.loads(proc.stdout)["strategies"]["base"]["scenarios"]
