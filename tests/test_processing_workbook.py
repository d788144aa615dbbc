"""Processing stages on the workbook side (SPEC 3.2 families 14-17, SPEC 4.17): the
Stages and Processing sheets and the stage columns read into records, `*` periods
expanded, and every mistake located."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from models.data import Policy, Recipe, Shock
from optimizer.workbook.load import load_workbook
from optimizer.workbook.schema import SHEET_BY_NAME, SheetName
from tests.conftest import append_row, edit, letter, set_cell

MAGNET_DEMAND = {"buyer": "EU", "material": "NdFeB magnet", "period": "*", "demand": 500}


def enter_processing(path: Path) -> None:
    """The schema's illustration of oxide -> metal -> magnet entered in a template copy:
    the stages, each material's stage (the template's oxides get theirs), the metal and
    magnet plants, and the EU's demand for magnets."""
    def change(wb: openpyxl.Workbook) -> None:
        for sheet in (SheetName.STAGES, SheetName.MATERIALS, SheetName.PROCESSING,
                      SheetName.POLICIES):
            ws = wb[sheet]
            names = [c.value for c in ws[1]]
            at = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
            for values in SHEET_BY_NAME[sheet].illustration:
                key = values[names[0]]
                row = at[key] if sheet == SheetName.MATERIALS and key in at else ws.max_row + 1
                for name, value in values.items():
                    ws.cell(row, names.index(name) + 1, value)
        demand = wb[SheetName.DEMAND]
        row = demand.max_row + 1
        for name, value in MAGNET_DEMAND.items():
            demand[f"{letter(SheetName.DEMAND, name)}{row}"] = value

    edit(path, change)


METAL = Recipe("Less Common Metals", "United Kingdom", "NdPr metal", "2026",
               (("NdPr oxide", 1.17),), 1000.0, 8000.0, 0, None, "Processing!2")
MAGNET = Recipe("Neo Narva", "Estonia", "NdFeB magnet", "2026",
                (("NdPr metal", 0.31), ("Dy oxide", 0.02)), 2000.0, 25000.0, 0, None,
                "Processing!3")


def test_the_illustration_reads_into_stages_and_recipes(book: Path) -> None:
    enter_processing(book)
    loaded = load_workbook(book)
    assert loaded.issues == [], [i.one_line() for i in loaded.issues]
    data = loaded.scenario()
    assert data.stages == ("oxide", "metal", "magnet")
    assert data.material_stage == (("NdPr oxide", "oxide"), ("Dy oxide", "oxide"),
                                   ("NdPr metal", "metal"), ("NdFeB magnet", "magnet"))
    assert data.materials == ("NdPr oxide", "Dy oxide", "NdPr metal", "NdFeB magnet")
    # `*` rows expand to every period, facility by facility, in period order
    assert data.recipes == (METAL, replace(METAL, period="2027"),
                            MAGNET, replace(MAGNET, period="2027"))
    assert data.policies == ()  # the illustrated cap at the magnet stage is inactive


def test_a_named_period_replaces_the_star_rows_of_its_recipe(book: Path) -> None:
    """2027's one row for Neo Narva replaces both * rows in 2027: its recipe has one
    input, its own capacity, fee and lead time; 2026 keeps the * recipe."""
    enter_processing(book)
    row = append_row(book, "Processing", {
        "facility": "Neo Narva", "country": "Estonia", "output": "NdFeB magnet",
        "input": "NdPr metal", "input_per_output": 0.3, "capacity": 500, "fee": 20000,
        "lead_time": 1, "period": 2027})
    data = load_workbook(book).scenario()
    magnets = [r for r in data.recipes if r.facility == "Neo Narva"]
    assert magnets == [MAGNET, Recipe("Neo Narva", "Estonia", "NdFeB magnet", "2027",
                                      (("NdPr metal", 0.3),), 500.0, 20000.0, 1, None,
                                      f"Processing!{row}")]


def test_without_stages_the_order_is_that_of_the_materials_sheet(book: Path) -> None:
    enter_processing(book)
    edit(book, lambda wb: wb.remove(wb["Stages"]))
    set_cell(book, "Materials", 2, "stage", "metal")  # NdPr oxide, now first at 'metal'
    set_cell(book, "Materials", 4, "stage", "metal")
    data = load_workbook(book).scenario()
    assert data.stages == ("metal", "oxide", "magnet")


def test_a_workbook_without_the_new_sheets_and_columns_reads_as_before(
        book: Path, tmp_path: Path) -> None:
    before = load_workbook(book).scenario()
    assert (before.stages, before.material_stage, before.recipes) == ((), (), ())
    old = tmp_path / "old.xlsx"
    old.write_bytes(book.read_bytes())

    def strip(wb: openpyxl.Workbook) -> None:
        wb.remove(wb["Stages"])
        wb.remove(wb["Processing"])
        for sheet in ("Materials", "Policies"):
            wb[sheet].delete_cols(SHEET_BY_NAME[sheet].column_names.index("stage") + 1)

    edit(old, strip)
    loaded = load_workbook(old)
    assert loaded.issues == []
    assert loaded.scenario() == before


def test_a_cap_at_a_stage_covers_its_materials_and_the_facilities(book: Path) -> None:
    enter_processing(book)
    set_cell(book, "Policies", 3, "active", "yes")  # the illustrated magnet cap
    policies = load_workbook(book).scenario().policies
    assert {p.material for p in policies} == {"NdFeB magnet"}
    assert {p.target for p in policies} == {"Malaysia", "China", "United States",
                                            "United Kingdom", "Estonia"}
    assert all(p.stage == "magnet" and p.buyer is None for p in policies)
    # a named facility country is a valid target at a stage
    set_cell(book, "Policies", 3, "target", "Estonia")
    [policy] = load_workbook(book).scenario().policies
    assert policy == Policy("magnet-cap", "max_country_share", "Estonia", None, "NdFeB magnet",
                            0.65, "horizon", None, "Policies!3", "magnet")


def _disruption(book: Path, **values: object) -> tuple[Shock, ...]:
    row = {"scenario": "outage", "probability": 0.1, "start": 2027, "end": 2027,
           "capacity_factor": 0.5, "material": "*", **values}
    append_row(book, "Disruptions", row)
    [scenario] = [d for d in load_workbook(book).scenario().disruptions if d.name == "outage"]
    return scenario.shocks


def test_a_disruption_naming_a_facility_cuts_its_outputs(book: Path) -> None:
    enter_processing(book)
    shocks = _disruption(book, supplier="Neo Narva")
    assert shocks == (Shock("Neo Narva", "NdFeB magnet", "2027", 0.5, 1.0, "Disruptions!3"),)


def test_a_disruption_naming_a_country_cuts_its_facilities(book: Path) -> None:
    enter_processing(book)
    shocks = _disruption(book, country="United Kingdom", material="NdPr metal")
    assert shocks == (Shock("Less Common Metals", "NdPr metal", "2027", 0.5, 1.0,
                            "Disruptions!3"),)


def test_a_disruption_of_another_material_spares_the_facility(book: Path) -> None:
    enter_processing(book)
    assert _disruption(book, supplier="Neo Narva", material="NdPr metal") == ()


def test_a_deal_may_finance_a_plant(book: Path) -> None:
    """A co-financed magnet plant: the Deals supplier is the facility, its Processing rows
    name the deal, which then has offers."""
    enter_processing(book)
    append_row(book, "Deals", {"deal": "narva-stake", "supplier": "Neo Narva",
                               "upfront_cost": 50_000_000})
    for row in (3, 4):
        set_cell(book, "Processing", row, "deal", "narva-stake")
    loaded = load_workbook(book)
    assert loaded.errors == [], [i.one_line() for i in loaded.errors]
    data = loaded.scenario()
    assert {r.deal for r in data.recipes if r.facility == "Neo Narva"} == {"narva-stake"}
    assert data.deals[0].supplier == "Neo Narva"


def _processing(values: dict[str, object]) -> Callable[[Path], int]:
    return lambda book: append_row(book, "Processing", {
        "facility": "Neo Narva", "country": "Estonia", "output": "NdFeB magnet",
        "input_per_output": 0.5, "capacity": 2000, "fee": 25000, **values})


def _cycle(book: Path) -> int:
    """Metal made back into oxide: oxide -> metal -> oxide (no stages, so only the circle
    is wrong)."""
    def unstage(wb: openpyxl.Workbook) -> None:
        wb.remove(wb["Stages"])
        for row in range(2, 6):
            wb["Materials"][f"{letter('Materials', 'stage')}{row}"] = None
        wb["Policies"][f"{letter('Policies', 'stage')}3"] = None  # the illustrated cap

    edit(book, unstage)
    return append_row(book, "Processing", {
        "facility": "Reclaim", "country": "Japan", "output": "NdPr oxide",
        "input": "NdPr metal", "input_per_output": 1.0, "capacity": 10})


def _plant_deal_mismatch(book: Path) -> int:
    append_row(book, "Deals", {"deal": "narva-stake", "supplier": "Neo Narva"})
    return _processing({"input": "Tb oxide", "deal": "narva-stake", "facility": "Other",
                        "country": "Estonia", "output": "NdPr metal"})(book)


def _policy_stage(stage: str, material: str = "*") -> Callable[[Path], int]:
    return lambda book: append_row(book, "Policies", {
        "policy": "c", "kind": "max_country_share", "target": "China", "buyer": "*",
        "material": material, "share": 0.5, "stage": stage})


# (code, the change, the sheet and column the issue names)
MISTAKES: list[tuple[str, Callable[[Path], int], str, str]] = [
    ("ref-unknown", _processing({"input": "NdPr alloy"}), "Processing", "input"),
    ("ref-unknown", _processing({"input": "NdPr metal", "output": "Magnet"}), "Processing",
     "output"),
    ("ref-unknown", lambda b: set_cell(b, "Materials", 4, "stage", "alloy") or 4, "Materials",
     "stage"),
    ("ref-unknown", _policy_stage("alloy"), "Policies", "stage"),
    ("ref-unknown", lambda b: append_row(b, "Disruptions", {
        "scenario": "china-hree-controls", "probability": 0.1, "supplier": "Neo Narwa",
        "material": "*", "start": 2026, "end": 2026, "capacity_factor": 0}), "Disruptions",
     "supplier"),
    ("recipe-input-is-output", _processing({"input": "NdFeB magnet"}), "Processing", "input"),
    # Dy oxide from NdPr metal: backwards, though no circle
    ("recipe-stage-order", lambda b: append_row(b, "Processing", {
        "facility": "Less Common Metals", "country": "United Kingdom", "output": "Dy oxide",
        "input": "NdPr metal", "input_per_output": 0.1, "capacity": 1000}),
     "Processing", "input"),
    ("recipe-cycle", _cycle, "Processing", "input"),
    ("processing-inconsistent", _processing({"input": "NdPr oxide", "capacity": 1500}),
     "Processing", "capacity"),
    ("processing-inconsistent", _processing({"input": "NdPr oxide", "fee": 1}), "Processing",
     "fee"),
    ("processing-inconsistent", _processing({"input": "NdPr oxide", "lead_time": 1}),
     "Processing", "lead_time"),
    ("processing-inconsistent", _processing({"input": "NdPr oxide", "country": "Latvia",
                                             "output": "NdPr metal"}), "Processing",
     "country"),
    ("facility-is-supplier", _processing({"input": "NdPr metal", "facility": "MP Materials",
                                          "country": "United States"}), "Processing",
     "facility"),
    ("facility-no-capacity", _processing({"input": "NdPr oxide", "output": "NdPr metal",
                                          "facility": "Idle", "capacity": 0}),
     "Processing", "capacity"),
    ("policy-stage-mismatch", _policy_stage("oxide", "NdFeB magnet"), "Policies", "stage"),
    ("deal-supplier-mismatch", _plant_deal_mismatch, "Processing", "deal"),
    ("deal-without-offers", lambda b: append_row(b, "Deals", {
        "deal": "narva-stake", "supplier": "Neo Narva"}), "Deals", "deal"),
    ("share-target-unknown", lambda b: append_row(b, "Policies", {
        "policy": "c", "kind": "max_country_share", "target": "Estonia", "buyer": "*",
        "material": "NdFeB magnet", "share": 0.5}), "Policies", "target"),
]


@pytest.mark.parametrize(("code", "change", "sheet", "column"), MISTAKES,
                         ids=[f"{m[0]}-{m[3]}" for m in MISTAKES])
def test_processing_mistakes_are_located(book: Path, code: str, change: Callable[[Path], int],
                                         sheet: str, column: str) -> None:
    enter_processing(book)
    append_row(book, "Materials", {"material": "Tb oxide", "stage": "oxide"})
    row = change(book)
    issues = load_workbook(book).issues
    found = [i for i in issues if i.code == code]
    assert found, [i.one_line() for i in issues]
    assert (found[0].sheet, found[0].row, found[0].column) == (sheet, row,
                                                               letter(sheet, column))
    assert found[0].message and found[0].value is not None
    others = {i.code for i in issues if i.is_error} - {code}
    assert not others, [i.one_line() for i in issues]


def test_a_facility_without_capacity_is_a_warning_only(book: Path) -> None:
    enter_processing(book)
    for row in (3, 4):
        set_cell(book, "Processing", row, "capacity", 0)
    loaded = load_workbook(book)
    [issue] = [i for i in loaded.issues if i.code == "facility-no-capacity"]
    assert (issue.sheet, issue.row, issue.is_error) == ("Processing", 3, False)
    assert "Neo Narva has no capacity to make NdFeB magnet" in issue.message
    loaded.scenario()  # valid: the plant makes nothing


def test_a_named_period_with_capacity_keeps_a_facility_useful(book: Path) -> None:
    enter_processing(book)
    for row in (3, 4):
        set_cell(book, "Processing", row, "capacity", 0)
    for into, per in (("NdPr metal", 0.31), ("Dy oxide", 0.02)):
        _processing({"input": into, "input_per_output": per, "period": 2027})(book)
    issues = load_workbook(book).issues
    assert not [i for i in issues if i.is_error or i.code == "facility-no-capacity"]


def test_a_cycle_is_told_step_by_step(book: Path) -> None:
    enter_processing(book)
    row = _cycle(book)
    [issue] = [i for i in load_workbook(book).errors]
    assert issue.code == "recipe-cycle" and issue.row == row
    assert "NdPr metal from NdPr oxide (row 2)" in issue.message
    assert f"NdPr oxide from NdPr metal (row {row})" in issue.message


def test_a_strategy_may_plan_without_a_plant(book: Path) -> None:
    """Capacity 0 by strategy is a what-if, not a mistake: no issue, and the strategy's
    recipes have no capacity while the base keeps its own."""
    enter_processing(book)
    append_row(book, "Strategies", {"strategy": "no-narva", "sheet": "Processing",
                                    "where": "facility=Neo Narva", "column": "capacity",
                                    "value": 0})
    loaded = load_workbook(book)
    assert loaded.issues == [], [i.one_line() for i in loaded.issues]
    without = loaded.scenario("no-narva").recipes
    assert {r.capacity for r in without if r.facility == "Neo Narva"} == {0.0}
    assert {r.capacity for r in loaded.scenario().recipes if r.facility == "Neo Narva"} == {
        2000.0}


def test_compare_shows_the_largest_country_at_every_stage(book: Path, tmp_path: Path) -> None:
    """The worked example planned by compare: the Comparison sheet's block by stage names
    Estonia at the magnet stage (the EU's 500 t of magnets are all made at Narva, from
    Chinese oxide turned into metal in the UK) and says what a stage share cannot see;
    the Stage mix sheet holds the quantities the chart of shares by stage draws; the
    terminal names base's largest country at each stage."""
    from optimizer.planning.stages import UNTRACKED
    from tests.conftest import run

    enter_processing(book)
    out = tmp_path / "compare.xlsx"
    proc = run("compare", book, "-o", out, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())  # the terminal's line, unwrapped
    assert "Largest country at each stage (base, bought or processed there): oxide " in said
    assert "metal United Kingdom 100.0%, magnet Estonia 100.0%." in said
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Comparison"].iter_rows(values_only=True))
    title = next(i for i, r in enumerate(rows) if r[0] == "Supply security by stage")
    header, base = rows[title + 1], rows[title + 2]
    assert base[0] == "base"
    assert base[header.index("largest country at magnet")] == "Estonia"
    assert base[header.index("largest country share at magnet")] == pytest.approx(1.0)
    assert base[header.index("largest country at metal")] == "United Kingdom"
    assert any(r[0] == UNTRACKED for r in rows[title + 3:])
    mix = list(wb["Stage mix"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(mix) if r[:2] == ("stage", "strategy"))
    body = [r[:2] for r in mix[head + 1:] if r[0]]
    n = len(body) // 3  # every strategy once per stage, the rows of a stage together
    assert [st for st, _ in body] == [st for st in ("oxide", "metal", "magnet")
                                      for _ in range(n)]
    assert ("magnet", "base") in body
