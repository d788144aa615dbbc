"""The template: self-explaining, with dropdowns, valid as written, and a faithful round trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.data import Demand, Offer
from optimizer.workbook.fields import Kind
from optimizer.workbook.schema import ANNOTATIONS, SETTINGS, SHEETS
from tests.conftest import edit, letter, load


def test_template_validates_without_any_issue(template_file: Path) -> None:
    loaded = load(template_file)
    assert loaded.issues == []
    assert loaded.strategy_names == ["base", "independent", "crma-65", "stock-90d", "no-china"]
    for name in loaded.strategy_names:
        loaded.scenario(name)  # every strategy builds


def test_readme_sheet_explains_every_sheet_column_and_setting(template_file: Path) -> None:
    wb = openpyxl.load_workbook(template_file)
    assert wb.sheetnames[0] == "README"
    text = {str(c.value) for row in wb["README"].iter_rows() for c in row if c.value is not None}
    for spec in SHEETS:
        assert any(t.startswith(spec.name) for t in text), spec.name
        for col in spec.columns:
            assert col.name in text and col.description in text
    for setting in SETTINGS:
        assert setting.name in text and setting.column.description in text


def test_every_sheet_has_its_headers_in_schema_order(template_file: Path) -> None:
    wb = openpyxl.load_workbook(template_file)
    for spec in SHEETS:
        heads = [c.value for c in wb[spec.name][1]]
        assert heads == [c.name for c in spec.columns + ANNOTATIONS]


def test_dropdowns_for_yes_no_choices_and_names(template_file: Path) -> None:
    wb = openpyxl.load_workbook(template_file)
    for spec in SHEETS:
        validations = {}
        for dv in wb[spec.name].data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                validations[rng.min_col] = dv.formula1
        for i, col in enumerate(spec.columns, start=1):
            if col.kind is Kind.BOOL:
                assert validations.get(i) == '"yes,no"', (spec.name, col.name)
            elif col.kind is Kind.CHOICE:
                assert validations.get(i) == '"' + ",".join(col.choices) + '"'
            elif col.ref is not None:
                assert validations.get(i, "").startswith(col.ref.sheet + "!$"), (spec.name,
                                                                                 col.name)


def _clear_examples(wb: openpyxl.Workbook, sheets: tuple[str, ...]) -> None:
    for name in sheets:
        ws = wb[name]
        if ws.max_row > 1:
            ws.delete_rows(2, ws.max_row)


def test_filled_template_reads_back_what_was_entered(template_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    shutil.copyfile(template_file, path)

    def fill(wb: openpyxl.Workbook) -> None:
        _clear_examples(wb, ("Periods", "Supply", "Demand", "Stockpile", "Routes", "Sharing",
                             "Budgets", "Disruptions", "Policies", "Strategies"))
        for label, days in (("Q1", 90), ("Q2", 91), ("Q3", 92)):
            wb["Periods"].append([label, days])
        wb["Supply"].append(["China refiners", "Dy oxide", "Q2", 12.5, 250000, 1, 2])
        wb["Supply"].append(["China refiners", "Dy oxide", "*", 10, 240000, 1, None])
        wb["Demand"].append(["EU", "Dy oxide", "Q3", 4.25])

    edit(path, fill)
    s = load(path).scenario()
    assert s.period_labels == ("Q1", "Q2", "Q3")
    assert [p.days for p in s.periods] == [90, 91, 92]
    assert s.offers == (
        Offer("China refiners", "Dy oxide", "Q1", 1, 10.0, 240000.0, 0.0, "Supply!3"),
        Offer("China refiners", "Dy oxide", "Q2", 1, 12.5, 250000.0, 2.0, "Supply!2"),
        Offer("China refiners", "Dy oxide", "Q3", 1, 10.0, 240000.0, 0.0, "Supply!3"),
    )
    assert s.demand == (Demand("EU", "Dy oxide", "Q3", 4.25, "Demand!2"),)


numbers = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=numbers, price=numbers, demand=numbers)
def test_numbers_round_trip(book: Path, capacity: float, price: float, demand: float) -> None:
    """Numbers come back as written, to the 15 significant digits a spreadsheet keeps."""

    def change(wb: openpyxl.Workbook) -> None:
        wb["Supply"][f"{letter('Supply', 'capacity')}2"] = capacity
        wb["Supply"][f"{letter('Supply', 'price')}2"] = price
        wb["Demand"][f"{letter('Demand', 'demand')}2"] = demand

    edit(book, change)
    s = load(book).scenario()
    offer = next(o for o in s.offers if o.src == "Supply!2")
    assert offer.capacity == pytest.approx(capacity, rel=1e-15, abs=0)
    assert offer.price == pytest.approx(price, rel=1e-15, abs=0)
    got = next(d for d in s.demand if d.src == "Demand!2").quantity
    assert got == pytest.approx(demand, rel=1e-15, abs=0)
