"""One test per validation issue code: a realistic mistake in a copy of the template, and
the located issue it must produce (sheet, Excel row, column letter)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from optimizer.errors import CODES, InputError, Issue
from optimizer.workbook import read as workbook_module
from tests import crafted
from tests.conftest import append_row, digest, edit, has_lo, letter, load, set_cell
from tests.test_processing_workbook import enter_processing

Where = tuple[str | None, int | None, str | None]  # sheet, row, column letter


def _issues(path: Path) -> list[Issue]:
    try:
        return load(path).issues
    except InputError as exc:
        return exc.issues


def _delete_sheet(name: str) -> Callable[[Path], Where]:
    def mutate(p: Path) -> Where:
        edit(p, lambda wb: wb.remove(wb[name]))
        return (name, None, None)

    return mutate


def _cell(sheet: str, row: int, column: str, value: object) -> Callable[[Path], Where]:
    def mutate(p: Path) -> Where:
        set_cell(p, sheet, row, column, value)
        return (sheet, row, letter(sheet, column))

    return mutate


def _row(sheet: str, values: dict, column: str) -> Callable[[Path], Where]:
    def mutate(p: Path) -> Where:
        return (sheet, append_row(p, sheet, values), letter(sheet, column))

    return mutate


def _deal(p: Path, supplier: str = "Lynas Malaysia") -> int:
    """A deal 'anchor' of ``supplier`` on the Deals sheet; its Excel row."""
    return append_row(p, "Deals", {"deal": "anchor", "supplier": supplier,
                                   "upfront_cost": 1_000_000})


def _deal_without_offers(p: Path) -> Where:
    return ("Deals", _deal(p), letter("Deals", "deal"))


def _deal_supplier_mismatch(p: Path) -> Where:
    _deal(p, supplier="MP Materials")
    set_cell(p, "Supply", 2, "deal", "anchor")  # a Lynas row
    return ("Supply", 2, letter("Supply", "deal"))


def _deal_mixed_offers(p: Path) -> Where:
    _deal(p)
    row = append_row(p, "Supply", {"supplier": "Lynas Malaysia", "material": "NdPr oxide",
                                   "period": "*", "capacity": 100, "price": 90_000, "tier": 2,
                                   "deal": "anchor"})
    return ("Supply", row, letter("Supply", "deal"))


def _discount(p: Path, column: str, **values: object) -> Where:
    row = {"supplier": "China refiners", "material": "NdPr oxide", "period": "*",
           "from_quantity": 10_000, "price": 66_000, **values}
    return ("Discounts", append_row(p, "Discounts", row), letter("Discounts", column))


def _discount_on_tiers(p: Path) -> Where:
    append_row(p, "Supply", {"supplier": "China refiners", "material": "Dy oxide",
                             "period": "*", "capacity": 100, "price": 300_000, "tier": 2})
    return _discount(p, "supplier", material="Dy oxide", price=200_000)


def _discount_inconsistent(p: Path) -> Where:
    _discount(p, "type", type="all-units")
    return _discount(p, "type", type="incremental", from_quantity=20_000, price=64_000)


def _sheet_unknown(p: Path) -> Where:
    edit(p, lambda wb: wb.create_sheet("Notes").append(["anything"]))
    return ("Notes", None, None)


def _sheet_duplicate(p: Path) -> Where:
    edit(p, lambda wb: wb.create_sheet("supply ").append(["supplier"]))
    return ("supply ", None, None)


def _sheet_hidden(p: Path) -> Where:
    edit(p, lambda wb: setattr(wb["Routes"], "sheet_state", "hidden"))
    return ("Routes", None, None)


def _sheet_empty(p: Path) -> Where:
    def change(wb: openpyxl.Workbook) -> None:
        wb.remove(wb["Periods"])
        wb.create_sheet("Periods", 2)

    edit(p, change)
    return ("Periods", 1, None)


def _column_missing(p: Path) -> Where:
    edit(p, lambda wb: wb["Demand"].delete_cols(4))
    return ("Demand", 1, None)


def _column_unknown(p: Path) -> Where:
    set_cell(p, "Supply", 1, "note", "note")  # keep
    edit(p, lambda wb: wb["Supply"].cell(1, 12, "colour"))
    return ("Supply", 1, "L")


def _column_duplicate(p: Path) -> Where:
    edit(p, lambda wb: wb["Supply"].cell(1, 12, "Price"))
    return ("Supply", 1, "L")


def _column_no_header(p: Path) -> Where:
    edit(p, lambda wb: wb["Demand"].cell(3, 9, 42))
    return ("Demand", 3, "I")


def _merged(p: Path) -> Where:
    edit(p, lambda wb: wb["Demand"].merge_cells("A2:A3"))
    return ("Demand", 2, "A")


def _formula_no_value(p: Path, monkeypatch: pytest.MonkeyPatch) -> Where:
    monkeypatch.setattr(workbook_module, "soffice", lambda: None)
    set_cell(p, "Demand", 3, "demand", "=D2*2")
    return ("Demand", 3, "D")


def _formula_recalculated(p: Path) -> Where:
    if not has_lo():
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    set_cell(p, "Demand", 3, "demand", "=D2*2")
    return (None, None, None)


def _formula_error(p: Path) -> Where:
    if not has_lo():
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    set_cell(p, "Demand", 3, "demand", "=1/0")
    return ("Demand", 3, "D")


def _wide_unknown(p: Path) -> Where:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Demand"]
        ws["C1"], ws["D1"], ws["E1"] = 2026, 2027, 2028
        for r in range(2, 6):
            ws[f"E{r}"] = 10

    edit(p, change)
    return ("Demand", 1, "E")


def _no_demand(p: Path) -> Where:
    for r in range(2, 6):
        set_cell(p, "Demand", r, "demand", 0)
    return ("Demand", None, None)


def _probability_inconsistent(p: Path) -> Where:
    return _row("Disruptions", {"scenario": "china-hree-controls", "probability": 0.2,
                                "country": "China", "material": "NdPr oxide", "start": 2027,
                                "end": 2027, "capacity_factor": 0.5}, "probability")(p)


def _probability_sum(p: Path) -> Where:
    return _row("Disruptions", {"scenario": "war", "probability": 0.95, "country": "China",
                                "material": "*", "start": 2026, "end": 2027,
                                "capacity_factor": 0}, "probability")(p)


def _strategy_invalid(p: Path) -> Where:
    return _row("Strategies", {"strategy": "huge-offtake", "sheet": "Supply",
                               "where": "supplier=MP Materials", "column": "min_offtake",
                               "value": 99999}, "value")(p)


def _strategy_conflict(p: Path) -> Where:
    return _row("Strategies", {"strategy": "stock-90d", "sheet": "Stockpile",
                               "column": "min_days", "value": 60}, "value")(p)


def _strategy(values: dict, column: str) -> Callable[[Path], Where]:
    return _row("Strategies", {"strategy": "s", "sheet": "Suppliers", "where": "country=China",
                               "column": "active", "value": "no", **values}, column)


def _recipe(values: dict, column: str) -> Callable[[Path], Where]:
    """A Processing row added to the illustrated oxide -> metal -> magnet chain."""
    def mutate(p: Path) -> Where:
        enter_processing(p)
        return _add_recipe(p, values, column)

    return mutate


def _add_recipe(p: Path, values: dict, column: str) -> Where:
    row = {"facility": "Neo Narva", "country": "Estonia", "output": "NdFeB magnet",
           "input_per_output": 0.5, "capacity": 2000, "fee": 25000, **values}
    return ("Processing", append_row(p, "Processing", row), letter("Processing", column))


def _recipe_cycle(p: Path) -> Where:
    """Metal made back into oxide, in a workbook without stages: only the circle is wrong."""
    enter_processing(p)

    def unstage(wb: openpyxl.Workbook) -> None:
        wb.remove(wb["Stages"])
        wb.remove(wb["Policies"])
        for r in range(2, 6):
            wb["Materials"][f"{letter('Materials', 'stage')}{r}"] = None

    edit(p, unstage)
    return _add_recipe(p, {"facility": "Reclaim", "country": "Japan", "output": "NdPr oxide",
                           "input": "NdPr metal"}, "input")


def _policy_stage_mismatch(p: Path) -> Where:
    enter_processing(p)
    return _row("Policies", {"policy": "c", "kind": "max_country_share", "target": "China",
                             "buyer": "*", "material": "NdFeB magnet", "share": 0.5,
                             "stage": "oxide"}, "stage")(p)


FILE_CASES: dict[str, Callable[[Path], Path]] = {
    "file-not-found": lambda d: d / "missing.xlsx",
    # unreadable whoever runs the tests (root reads a file of mode 000): a name too long
    "file-unreadable": lambda d: d / ("x" * 300 + ".xlsx"),
    "file-empty": crafted.make_empty,
    "file-legacy-xls": crafted.make_legacy_xls,
    "file-ods": crafted.make_ods,
    "file-csv": crafted.make_csv,
    "file-not-spreadsheet": crafted.make_not_spreadsheet,
    "file-truncated": crafted.make_truncated,
    "file-encrypted": crafted.make_encrypted_xlsx,
    "file-too-large": crafted.make_zip_bomb,
    "file-unsafe-xml": crafted.make_billion_laughs,
    "file-macros": crafted.make_xlsm_with_macro,
}

CASES: dict[str, Callable[..., Where]] = {
    "sheet-missing": _delete_sheet("Demand"),
    "sheet-unknown": _sheet_unknown,
    "sheet-duplicate": _sheet_duplicate,
    "sheet-hidden": _sheet_hidden,
    "sheet-empty": _sheet_empty,
    "column-missing": _column_missing,
    "column-unknown": _column_unknown,
    "column-duplicate": _column_duplicate,
    "column-no-header": _column_no_header,
    "cells-merged": _merged,
    "formula-no-value": _formula_no_value,
    "formula-recalculated": _formula_recalculated,
    "formula-error": _formula_error,
    "value-required": _cell("Demand", 3, "demand", None),
    "value-not-number": _cell("Supply", 2, "capacity", "lots"),
    "value-not-integer": _cell("Supply", 2, "tier", 1.5),
    "value-out-of-range": _cell("Policies", 2, "share", 1.5),
    "value-not-yes-no": _cell("Suppliers", 2, "active", "maybe"),
    "value-not-choice": _cell("Policies", 2, "kind", "max_share"),
    "value-not-label": _cell("Buyers", 3, "buyer", True),
    "key-duplicate": _row("Demand", {"buyer": "Japan", "material": "Dy oxide", "period": "*",
                                     "demand": 1}, "buyer"),
    "ref-unknown": _cell("Demand", 2, "buyer", "Japn"),
    "setting-unknown": _cell("Settings", 6, "setting", "shortage_penality"),
    "wide-period-unknown": _wide_unknown,
    "offtake-above-capacity": _cell("Supply", 2, "min_offtake", 99999),
    "deal-without-offers": _deal_without_offers,
    "deal-supplier-mismatch": _deal_supplier_mismatch,
    "deal-mixed-offers": _deal_mixed_offers,
    "discount-without-offer": lambda p: _discount(p, "period", supplier="MP Materials",
                                                  material="Dy oxide"),
    "discount-on-tiers": _discount_on_tiers,
    "discount-not-falling": lambda p: _discount(p, "price", price=70_000),
    "discount-inconsistent": _discount_inconsistent,
    "tier-price-decreasing": _row("Supply", {"supplier": "China refiners", "material":
                                             "Dy oxide", "period": "*", "capacity": 10,
                                             "price": 1000, "tier": 2}, "price"),
    "facility-is-supplier": _recipe({"facility": "MP Materials", "country": "United States",
                                     "input": "NdPr metal"}, "facility"),
    "processing-inconsistent": _recipe({"input": "NdPr oxide", "capacity": 1500}, "capacity"),
    "recipe-input-is-output": _recipe({"input": "NdFeB magnet"}, "input"),
    "recipe-cycle": _recipe_cycle,
    "recipe-stage-order": _recipe({"output": "Dy oxide", "input": "NdPr metal"}, "input"),
    "facility-no-capacity": _recipe({"facility": "Idle", "output": "NdPr metal",
                                     "input": "NdPr oxide", "capacity": 0}, "capacity"),
    # a lead time of 2 years in a 2-year horizon: nothing started finishes in time
    "processing-never-finishes": _recipe({"facility": "Slow", "output": "NdPr metal",
                                          "input": "NdPr oxide", "lead_time": 2}, "lead_time"),
    "policy-stage-mismatch": _policy_stage_mismatch,
    "level-min-above-max": _row("Stockpile", {"buyer": "EU", "material": "NdPr oxide",
                                              "min_level": 100, "max_level": 50}, "min_level"),
    "share-target-unknown": _cell("Policies", 2, "target", "Chna"),
    "sharing-self": _cell("Sharing", 2, "to", "Japan"),
    "disruption-target": _cell("Disruptions", 2, "supplier", "China refiners"),
    "disruption-period-order": _cell("Disruptions", 2, "end", 2026),
    "probability-inconsistent": _probability_inconsistent,
    "probability-sum": _probability_sum,
    "no-demand": _no_demand,
    "demand-beyond-supply": _cell("Demand", 2, "demand", 10_000_000),
    "budget-buys-nothing": _cell("Budgets", 2, "budget", 1000),
    "strategy-reserved": _strategy({"strategy": "Base"}, "strategy"),
    "strategy-sheet-unknown": _strategy({"sheet": "Suply"}, "sheet"),
    "strategy-column-unknown": _strategy({"column": "activ"}, "column"),
    "strategy-where-invalid": _strategy({"where": "country China"}, "where"),
    "strategy-where-key-unknown": _strategy({"where": "nation=China"}, "where"),
    "strategy-where-no-match": _strategy({"where": "country=Chna"}, "where"),
    "strategy-value-invalid": _strategy({"value": "perhaps"}, "value"),
    "strategy-conflict": _strategy_conflict,
    "strategy-invalid": _strategy_invalid,
}


def test_every_code_has_a_case() -> None:
    assert set(CODES) == set(CASES) | set(FILE_CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_reported_where_it_happens(code: str, book: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    mutate = CASES[code]
    needs_patch = "monkeypatch" in mutate.__code__.co_varnames
    sheet, row, column = mutate(book, monkeypatch) if needs_patch else mutate(book)
    before = digest(book)
    found = [i for i in _issues(book) if i.code == code]
    assert found, f"no {code} issue; got {[i.one_line() for i in _issues(book)]}"
    issue = found[0]
    if sheet is not None:
        assert issue.sheet == sheet
    if row is not None:
        assert issue.row == row
    if column is not None:
        assert issue.column == column
    assert issue.message and issue.code in CODES
    assert digest(book) == before, "reading must never modify the input workbook"


@pytest.mark.parametrize("code", sorted(FILE_CASES))
def test_file_code(code: str, tmp_path: Path) -> None:
    path = FILE_CASES[code](tmp_path)
    before = digest(path) if os.path.exists(path) else None  # False for a name too long
    found = [i for i in _issues(path) if i.code == code]
    assert found, f"no {code}; got {[i.one_line() for i in _issues(path)]}"
    assert path.name in found[0].message or code == "file-not-found"
    if before is not None:
        assert digest(path) == before


def test_did_you_mean(book: Path) -> None:
    set_cell(book, "Demand", 2, "buyer", "Japn")
    issue = next(i for i in _issues(book) if i.code == "ref-unknown")
    assert "did you mean 'Japan'" in issue.message
    assert issue.value == "Japn" and issue.expected == "a buyer from Buyers"
