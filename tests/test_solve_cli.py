"""`coprocure solve` and `coprocure diagnose` as a planner runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

from optimizer.solving.plan import solve_plan
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED, digest, edit, letter, run, set_cell

# crma-65 of the shipped workbook buys Silmet's NdPr at a discount bracket (the EU's non-
# Chinese NdPr), has deals (Caremag and Narva phase 2, unsigned), stages and facilities
SHEETS = ["Summary", "Purchases", "Stockpile", "Shortfalls", "Supply", "Transfers",
          "Discounts", "Deals", "Stages", "Processing", "Facilities", "Constraints", "Run"]


@pytest.fixture(scope="module")
def shipped_solve(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("solve") / "crma.xlsx"
    proc = run("solve", SHIPPED, "--strategy", "crma-65", "--output", out, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), out


def test_json_summary_has_the_promised_keys(shipped_solve: tuple[dict, Path]) -> None:
    summary, out = shipped_solve
    assert {"status", "objective", "total_cost", "cost_breakdown", "buyers", "output"} <= set(
        summary)
    assert summary["status"] == "optimal" and summary["output"] == str(out)
    assert set(summary["buyers"]) == {"Japan", "EU", "coalition"}
    for figures in summary["buyers"].values():
        assert {"cost", "shortfall"} <= set(figures)
    assert summary["objective"] == pytest.approx(sum(summary["cost_breakdown"].values()))
    assert summary["check"]["passed"] is True


def test_results_workbook_adds_up(shipped_solve: tuple[dict, Path]) -> None:
    """A planner can trace the numbers: purchases add up to the cost breakdown, stock
    balances close, every cap holds, and the Summary matches the JSON."""
    summary, out = shipped_solve
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == SHEETS
    data = load_workbook(SHIPPED).scenario("crma-65")
    disc = {p.label: (1 + data.settings.discount_rate) ** -i for i, p in enumerate(data.periods)}

    def table(name: str, header_row: int = 1) -> list[dict]:
        rows = list(wb[name].iter_rows(values_only=True))
        head = rows[header_row - 1]
        return [dict(zip(head, r, strict=False)) for r in rows[header_row:]]

    purchases = table("Purchases")
    spend_pv = sum(r["cost (USD)"] * disc[str(r["period"])] for r in purchases)
    breakdown = summary["cost_breakdown"]
    assert spend_pv == pytest.approx(breakdown["purchase"] + breakdown["tariff"]
                                     + breakdown["freight"], rel=1e-9)
    gap_pv = 0.0
    days = {p.label: p.days for p in data.periods}
    for r in table("Stockpile"):
        assert r["closing (t)"] == pytest.approx(
            r["opening (t)"] + r["arrivals (t)"] + r["transfers in (t)"] - r["transfers out (t)"]
            + r["made by processing (t)"] - r["drawn for processing (t)"] - r["use (t)"],
            abs=1e-6)
        # the floor is a reserve that may be drawn (SPEC 5): the gap is shown and charged
        below = next(r[k] for k in r if str(k).startswith("below floor"))
        assert below == pytest.approx(max(0.0, r["floor (t)"] - r["closing (t)"]), abs=1e-6)
        period = str(r["period"])
        gap_pv += below * disc[period] * days[period] / 365.0
    s = data.settings
    assert breakdown["reserve"] == pytest.approx(
        gap_pv * s.reserve_gap_penalty * s.shortage_penalty, rel=1e-6, abs=1e-3)
    # crma-65 caps the EU's oxides (the CRMA binds the EU, not Japan); magnets and metal are
    # capped only by crma-65-stages
    oxides = [m for m, stage in dict(data.material_stage).items() if stage == "oxide"]
    assert set(oxides) == {"NdPr oxide", "Dy oxide", "Tb oxide"}
    for buyer in ("EU",):
        for mat in oxides:
            for t in data.period_labels:
                rows = [r for r in purchases if r["buyer"] == buyer and r["material"] == mat
                        and str(r["period"]) == t]
                total = sum(r["quantity (t)"] for r in rows)
                china = sum(r["quantity (t)"] for r in rows if r["country"] == "China")
                assert china <= 0.65 * total + 1e-6
    summary_cells = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    total = next(v for k, v in summary_cells.items() if str(k).startswith("total cost"))
    assert total == pytest.approx(summary["total_cost"])
    run_facts = {r[0]: r[1] for r in wb["Run"].iter_rows(values_only=True)}
    assert run_facts["input sha256"] == load_workbook(SHIPPED).sha256
    assert run_facts["strategy"] == "crma-65" and run_facts["status"] == "optimal"
    assert str(run_facts["solver"]).startswith("HiGHS")


def test_constraints_sheet_speaks_planner(shipped_solve: tuple[dict, Path]) -> None:
    _, out = shipped_solve
    wb = openpyxl.load_workbook(out, read_only=True)
    texts = [r[-3] for r in wb["Constraints"].iter_rows(min_row=4, values_only=True)]
    assert any("cap on China" in str(t) and "percentage point saves" in str(t) for t in texts)


def test_cli_figures_equal_the_python_api(shipped_solve: tuple[dict, Path]) -> None:
    summary, _ = shipped_solve
    direct = solve_plan(load_workbook(SHIPPED).scenario("crma-65"))
    assert summary["objective"] == pytest.approx(direct.objective, rel=1e-12)


def test_template_solves(template_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    proc = run("solve", template_file, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def test_text_from_the_workbook_never_becomes_a_formula(book: Path, tmp_path: Path) -> None:
    def text(wb: openpyxl.Workbook) -> None:
        cell = wb["Supply"][f"{letter('Supply', 'source')}2"]
        cell.value = "=HYPERLINK(\"http://example.invalid\")"
        cell.data_type = "s"

    edit(book, text)
    out = tmp_path / "r.xlsx"
    assert run("solve", book, "-o", out, "-q").returncode == 0
    ws = openpyxl.load_workbook(out)["Supply"]
    cells = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def _conflicting(book: Path) -> Path:
    """A hard cap of 1 % on China beside a take-or-pay of 60,000 t of NdPr oxide a year from
    China: no amount of other purchases (7,300 t a year on offer) can dilute it. (A floor
    out of reach no longer conflicts: it is a reserve that may be drawn at a cost.)"""
    set_cell(book, "Policies", 2, "active", "yes")
    set_cell(book, "Policies", 2, "share", 0.01)
    set_cell(book, "Supply", 4, "min_offtake", 60000)
    return book


def test_infeasible_solve_exits_1_and_points_to_diagnose(book: Path, tmp_path: Path) -> None:
    _conflicting(book)
    out = tmp_path / "never.xlsx"
    proc = run("solve", book, "-o", out)
    assert proc.returncode == 1
    assert "coprocure diagnose" in proc.stderr
    assert not out.exists()


def test_diagnose_names_the_conflicting_rows(book: Path) -> None:
    _conflicting(book)
    before = digest(book)
    proc = run("diagnose", book)
    assert proc.returncode == 1
    assert "Policies!2" in proc.stderr and "Supply!4" in proc.stderr
    data = json.loads(run("diagnose", book, "--json").stdout)
    assert data["feasible"] is False
    rows = {r["workbook_row"] for r in data["conflict"]}
    assert {"Policies!2", "Supply!4"} <= rows
    assert any(b["amount"] and b["amount"] > 0 for b in data["bends"])
    assert digest(book) == before


def test_diagnose_on_a_feasible_scenario() -> None:
    proc = run("diagnose", SHIPPED)
    assert proc.returncode == 0, proc.stderr
    # the whole phrase: "infeasible" must not pass for "feasible"
    assert re.search(r"\bis feasible: every rule can be met\b", proc.stderr), proc.stderr
    assert "infeasible" not in proc.stderr.lower()
    data = json.loads(run("diagnose", SHIPPED, "--json").stdout)
    assert data["feasible"] is True and data["conflict"] == [] and data["bends"] == []


def test_unknown_strategy_is_a_located_input_error() -> None:
    proc = run("solve", SHIPPED, "--strategy", "crma65")
    assert proc.returncode == 1 and "did you mean 'crma-65'" in proc.stderr


def test_output_into_a_missing_folder_writes_nothing(tmp_path: Path) -> None:
    proc = run("solve", SHIPPED, "-o", tmp_path / "no" / "r.xlsx")
    assert proc.returncode == 1 and "does not exist" in proc.stderr


def test_time_limit_without_a_plan_exits_3(tmp_path: Path) -> None:
    """A scenario of 3,200 offers with a 10-microsecond time limit: HiGHS stops before it
    has a plan; the command says so and exits 3, writing nothing."""
    import random

    rng = random.Random(7)
    periods = [2030 + i for i in range(20)]
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Settings"
    wb["Settings"].append(["setting", "value"])
    wb["Settings"].append(["time_limit_s", 1e-5])
    sheets = {
        "Periods": [["period"], *[[p] for p in periods]],
        "Materials": [["material"], *[[f"m{i}"] for i in range(8)]],
        "Buyers": [["buyer"], ["A"], ["B"]],
        "Suppliers": [["supplier", "country"], *[[f"s{i}", f"c{i % 5}"] for i in range(20)]],
        "Supply": [["supplier", "material", "price", *periods],
                   *[[f"s{i}", f"m{j}", rng.uniform(5, 50),
                      *[rng.uniform(10, 100) for _ in periods]]
                     for i in range(20) for j in range(8)]],
        "Demand": [["buyer", "material", *periods],
                   *[[b, f"m{j}", *[rng.uniform(50, 300) for _ in periods]]
                     for b in "AB" for j in range(8)]],
    }
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    out = tmp_path / "r.xlsx"
    proc = run("solve", path, "-o", out)
    assert proc.returncode == 3, proc.stderr
    assert "time limit" in proc.stderr and not out.exists()
