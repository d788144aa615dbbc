"""Strategies compared: coordination properties, the Shapley split, Changes, and the
comparison workbook as a planner (and LibreOffice) reads it."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.shapley import (
    coalition_scenario,
    coordination_value,
    core_violations,
    shapley_value,
)
from optimizer.workbook.load import load_workbook
from tests.conftest import edit, has_lo, run
from tests.factory import checked_objective, random_scenarios, scenario

PROPS = settings(max_examples=20, deadline=None)


objective = checked_objective


def mode(data: md.ScenarioData, coordination: str) -> md.ScenarioData:
    return replace(data, settings=replace(data.settings, coordination=coordination))


@PROPS
@given(random_scenarios(max_buyers=4).filter(lambda d: len(d.buyers) >= 2))
def test_joint_never_costs_more_than_planning_alone(data: md.ScenarioData) -> None:
    joint = objective(mode(data, "joint"))
    assert joint <= objective(mode(data, "pro-rata")) * (1 + 1e-9) + 1e-6
    assert joint <= objective(mode(data, "sequential")) * (1 + 1e-9) + 1e-6


def solve_all(scenarios: list[md.ScenarioData]) -> list[float | None]:
    return [plan_coordinated(s, check=True).objective for s in scenarios]


@PROPS
@given(random_scenarios(max_buyers=4).filter(lambda d: len(d.buyers) >= 2))
def test_shapley_shares_sum_to_the_savings_and_core_matches_brute_force(
        data: md.ScenarioData) -> None:
    value = coordination_value(data, solve_all)
    assert sum(value.shapley.values()) == pytest.approx(value.total_savings, abs=1e-6)
    brute = []
    for k in range(1, len(value.players) + 1):
        for members in combinations(value.players, k):
            s = frozenset(members)
            gap = value.savings[s] - sum(value.shapley[b] for b in members)
            if gap > 1e-6 * max(1.0, abs(value.savings[s])):
                brute.append(s)
    assert {c for c, _ in value.unstable} == set(brute)


def test_symmetric_partners_get_equal_shares() -> None:
    """Two identical partners facing a scarce cheap supplier: same share of the savings."""
    data = scenario(buyers=("A", "B"), suppliers=[("C", "X"), ("D", "Y")],
                    offers=[("C", "M", "t1", 10, 10), ("D", "M", "t1", 100, 20)],
                    demand=[("A", "M", "t1", 8), ("B", "M", "t1", 8)],
                    initial_stock=(md.InitialStock("A", "M", 6.0),
                                   md.InitialStock("B", "M", 6.0)),
                    sharing=(md.Sharing("A", "B", "M", 0.0, None),
                             md.Sharing("B", "A", "M", 0.0, None)))
    value = coordination_value(data, solve_all)
    assert value.shapley["A"] == pytest.approx(value.shapley["B"])


def test_a_partner_that_adds_nothing_gets_nothing() -> None:
    """A holds 2 more than it needs, which B can have for 1 each instead of buying at 10:
    A and B save 18 together. C has no demand, no stock and no sharing: it changes no
    coalition's cost and gets nothing."""
    data = scenario(buyers=("A", "B", "C"), suppliers=[("S", "X"), ("T", "Y")],
                    offers=[("S", "M", "t1", 10, 10), ("T", "M", "t1", 100, 30)],
                    demand=[("A", "M", "t1", 8), ("B", "M", "t1", 2)],
                    initial_stock=(md.InitialStock("A", "M", 10.0),),
                    sharing=(md.Sharing("A", "B", "M", 1.0, None),))
    value = coordination_value(data, solve_all)
    assert value.shapley["C"] == pytest.approx(0.0, abs=1e-6)
    assert value.total_savings == pytest.approx(18.0)
    assert value.shapley["A"] == pytest.approx(9.0) and value.shapley["B"] == pytest.approx(9.0)


def test_shapley_of_a_textbook_game() -> None:
    """Glove game: L holds a left glove, R1 and R2 right ones; a pair is worth 1.
    Shapley: L 2/3, R1 and R2 1/6 each; the core is {L gets 1}: the split is unstable."""
    players = ("L", "R1", "R2")
    v = {frozenset(s): float("L" in s and ("R1" in s or "R2" in s))
         for k in (1, 2, 3) for s in combinations(players, k)}
    phi = shapley_value(v, players)
    assert phi == pytest.approx({"L": 2 / 3, "R1": 1 / 6, "R2": 1 / 6})
    assert {frozenset({"L", "R1"}), frozenset({"L", "R2"})} <= {c for c, _ in
                                                                core_violations(v, phi)}


def test_sub_coalition_plans_on_its_members_share() -> None:
    data = scenario(buyers=("A", "B"), suppliers=[("S", "X")],
                    offers=[("S", "M", "t1", 90, 10, 1, 30)],
                    demand=[("A", "M", "t1", 20), ("B", "M", "t1", 40)])
    alone_a = coalition_scenario(data, {"A"})
    assert alone_a.buyers == ("A",)
    assert alone_a.offers[0].capacity == pytest.approx(30)
    assert alone_a.offers[0].min_offtake == pytest.approx(10)
    assert coalition_scenario(data, {"A", "B"}).offers == data.offers


def test_strategy_changes_exactly_the_listed_cells(template_file: Path) -> None:
    loaded = load_workbook(template_file)
    for name in loaded.strategy_names[1:]:
        tables, changes = loaded.tables_for(name)
        listed = {(c.sheet, c.row, c.column): c.new for c in changes}
        found = {}
        for sheet, rows in tables.rows.items():
            base = {r.row: r for r in loaded.tables[sheet]}
            for r in rows:
                column = "value" if sheet == "Settings" else None
                for col, value in r.values.items():
                    old = base.get(r.row)
                    if old is None or old.values.get(col) != value:
                        key = (sheet, r.row, r.values["setting"] if column else col)
                        found[key] = value
        assert found == listed, name


@pytest.fixture(scope="module")
def compared(template_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("compare")
    book = folder / "scenario.xlsx"
    shutil.copyfile(template_file, book)

    def tricky(wb: openpyxl.Workbook) -> None:
        cell = wb["Suppliers"]["A4"]  # "MP Materials" -> a name a spreadsheet would evaluate
        cell.value = "=MP Materials"
        cell.data_type = "s"
        for ws, col in ((wb["Supply"], "A"), (wb["Routes"], "A")):
            for row in ws.iter_rows(min_row=2):
                c = row[ord(col) - 65]
                if c.value == "MP Materials":
                    c.value, c.data_type = "=MP Materials", "s"
        wb["Strategies"].append(["-cheap", "Settings", None, "coordination", "sequential"])

    edit(book, tricky)
    out = folder / "comparison.xlsx"
    proc = run("compare", book, "--output", out, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), out


def test_compare_json_and_workbook(compared: tuple[dict, Path]) -> None:
    summary, out = compared
    assert set(summary) == {"strategies", "coordination", "output", "solves_ran_on", "notes"}
    assert summary["solves_ran_on"].endswith("local processes") or \
        summary["solves_ran_on"] == "this process"  # one core: no pool
    assert list(summary["strategies"]) == ["base", "independent", "crma-65", "stock-90d",
                                           "no-china", "-cheap"]
    for entry in summary["strategies"].values():
        assert {"status", "objective", "total_cost", "buyers"} <= set(entry)
    coord = summary["coordination"]
    assert sum(coord["shapley"].values()) == pytest.approx(coord["total_savings"])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["Comparison", "Charts", "Coordination", "Partners"]
    # cost against base, supply mix, shortfall; then one cover chart per strategy whose
    # cover differs from base's (tests/test_report_layout.py checks the layout in full)
    kinds = [type(c).__name__ for c in wb["Charts"]._charts]
    assert kinds[:3] == ["BarChart"] * 3 and kinds[3:] and set(kinds[3:]) == {"LineChart"}
    changes = list(wb["Changes"].iter_rows(min_row=4, values_only=True))
    assert ("no-china", "Suppliers", 3, "active", "yes", "no", 5) in changes


def test_comparison_figures_equal_solve(compared: tuple[dict, Path], template_file: Path
                                        ) -> None:
    summary, _ = compared
    loaded = load_workbook(template_file)
    for name in ("base", "independent", "crma-65", "stock-90d", "no-china"):
        direct = plan_coordinated(loaded.scenario(name))
        assert summary["strategies"][name]["objective"] == pytest.approx(direct.objective,
                                                                         rel=1e-12)


def test_user_text_stays_text(compared: tuple[dict, Path]) -> None:
    _, out = compared
    wb = openpyxl.load_workbook(out)
    cells = [c for name in ("Purchases", "Comparison", "Changes") for row in wb[name].iter_rows()
             for c in row if isinstance(c.value, str) and c.value[:1] in "=-"]
    assert {c.value for c in cells} >= {"=MP Materials", "-cheap"}
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.skipif(not has_lo(), reason="LibreOffice is not installed (.ci/run installs it)")
def test_libreoffice_renders_every_chart(compared: tuple[dict, Path], tmp_path: Path) -> None:
    from pypdf import PdfReader

    _, out = compared
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   capture_output=True, timeout=300, check=True)
    pdf = tmp_path / "comparison.pdf"
    assert pdf.exists()
    text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    for title in ("Total cost by strategy", "Supply mix by country",
                  "Stockpile cover over time", "Shortfall by strategy"):
        assert title in text


def test_an_infeasible_strategy_is_a_row_not_an_abort(book: Path) -> None:
    from optimizer.planning.compare import metrics, run_comparison

    # A hard 1 % cap on China beside a take-or-pay of 60,000 t a year from China: no
    # amount of other purchases can dilute it (a stockpile floor out of reach would not
    # do: the floor is a reserve that may be drawn at a cost, SPEC 5).
    def conflict(wb) -> None:
        for row in (["hoard", "Policies", "policy=country-cap", "active", "yes"],
                    ["hoard", "Policies", "policy=country-cap", "share", 0.01],
                    ["hoard", "Supply", "supplier=China refiners; material=NdPr oxide",
                     "min_offtake", 60000]):
            wb["Strategies"].append(row)

    edit(book, conflict)
    comparison = run_comparison(load_workbook(book))
    table = metrics(comparison).set_index("strategy")
    assert table.loc["hoard", "status"] == "INFEASIBLE"
    assert "Policies!2" in table.loc["hoard", "diagnosis"]
    assert table.loc["crma-65", "status"] == "optimal"
    assert table.loc["crma-65", "cost_vs_base:Japan"] == pytest.approx(
        table.loc["crma-65", "cost_pv:Japan"] - table.loc["base", "cost_pv:Japan"])
