"""Sweeps: monotone trade-off curves, points equal to fresh solves, infeasible points."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest

from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.sweep import CURVES, Vary, parse_vary, run_sweep, sweep_table
from optimizer.workbook.load import load_workbook
from tests.conftest import BEFORE_POOLING, SHIPPED, run, set_cell


def objectives(table) -> list[float]:
    return list(table["objective"])


def test_parse_vary() -> None:
    v = parse_vary("Policies:policy=country-cap:share=1.0:0.5:11")
    assert (v.sheet, v.where, v.column) == ("Policies", "policy=country-cap", "share")
    assert v.values[0] == 1.0 and v.values[-1] == 0.5 and len(v.values) == 11
    assert parse_vary("Settings::discount_rate=0:0.1:3").values == (0.0, 0.05, 0.1)


def test_cost_does_not_rise_as_the_cap_loosens() -> None:
    loaded = load_workbook(SHIPPED)
    vary = parse_vary("Policies:policy=country-cap:share=0.5:1.0:6")
    table = sweep_table([vary], run_sweep(loaded, [vary], "crma-65"))
    costs = objectives(table)
    assert all(b <= a * (1 + 1e-9) for a, b in pairwise(costs))


def test_cost_does_not_fall_as_the_floor_tightens(template_file: Path) -> None:
    loaded = load_workbook(template_file)
    vary = CURVES["stockpile"][0]
    costs = objectives(sweep_table([vary], run_sweep(loaded, [vary])))
    assert all(b >= a * (1 - 1e-9) for a, b in pairwise(costs))


def test_every_point_equals_a_fresh_solve_of_the_overridden_workbook(book: Path) -> None:
    loaded = load_workbook(book)
    vary = Vary("Stockpile", "buyer=Japan", "min_days", (0.0, 45.0, 120.0))
    table = sweep_table([vary], run_sweep(loaded, [vary]))
    for value, objective in zip(vary.values, table["objective"], strict=True):
        set_cell(book, "Stockpile", 2, "min_days", value)  # Japan's row in the template
        fresh = plan_coordinated(load_workbook(book).scenario())
        assert objective == pytest.approx(fresh.objective, rel=1e-7)


def test_infeasible_points_do_not_stop_the_sweep(book: Path) -> None:
    """A take-or-pay of 60,000 t of NdPr oxide a year from China under a hard cap on China:
    at 1 % no other purchases can dilute it (7,300 t a year on offer elsewhere)."""
    set_cell(book, "Policies", 2, "active", "yes")
    set_cell(book, "Supply", 4, "min_offtake", 60000)
    loaded = load_workbook(book)
    vary = Vary("Policies", "policy=country-cap", "share", (1.0, 0.01, 0.99))
    table = sweep_table([vary], run_sweep(loaded, [vary]))
    assert list(table["status"]) == ["optimal", "INFEASIBLE", "optimal"]


def test_grid_sweep_cli_writes_a_heat_map(tmp_path: Path, template_file: Path) -> None:
    out = tmp_path / "grid.xlsx"
    proc = run("sweep", template_file, "--vary", "Settings::discount_rate=0:0.1:3",
               "--vary", "Stockpile:buyer=Japan:min_days=0:90:2", "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["points"]) == 6
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Sweep", "Heat map", "Run"]


def test_curve_cli_writes_a_chart(tmp_path: Path) -> None:
    out = tmp_path / "frontier.xlsx"
    proc = run("sweep", SHIPPED, "--curve", "diversification", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert len(openpyxl.load_workbook(out)["Sweep"]._charts) == 1


def test_bad_vary_is_a_located_input_error(template_file: Path) -> None:
    proc = run("sweep", template_file, "--vary", "Policies:policy=nope:share=1:0.5:3")
    assert proc.returncode == 1 and "no row of Policies matches" in proc.stderr
    assert run("sweep", template_file, "--vary", "Policies:share=1:0.5").returncode == 1


@pytest.mark.parametrize("text", [
    "Policies:policy=country-cap:share=1.0:0.5:6",
    "Supply:supplier=Lynas Malaysia; material=Dy oxide; tier=1:capacity=20:120:5",
    "Stockpile:buyer=Japan; material=Dy oxide:min_days=30:120:4",
])
def test_compiled_once_sweep_equals_fresh_solves(text: str) -> None:
    """Right-hand-side and cap-share sweeps take the compile-once path; every point equals
    planning the overridden scenario from scratch, and passes the checker. On the shipped
    workbook as it was before pooling: with its deals the shipped one is a MIP, whose
    points are each planned whole."""
    from optimizer.planning.sweep import scenario_at

    loaded = load_workbook(BEFORE_POOLING)
    vary = parse_vary(text)
    points = run_sweep(loaded, [vary], "crma-65")
    for point in points:
        assert point.run.options.get("parametric") is True
        assert point.run.violations == []
        data, _ = scenario_at(loaded, "crma-65", [vary], point.values)
        assert point.run.objective == pytest.approx(plan_coordinated(data).objective, rel=1e-9)


def test_demand_sweeps_fall_back_to_planning_every_point(template_file: Path) -> None:
    loaded = load_workbook(template_file)
    vary = parse_vary("Demand:buyer=Japan; material=NdPr oxide:demand=4000:6000:3")
    points = run_sweep(loaded, [vary])
    assert all(p.run.options.get("parametric") is None for p in points)
