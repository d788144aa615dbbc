"""Reading is tolerant of what planners do and resolves every `*` and default as documented."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from models.data import Demand, Offer, Policy
from tests.conftest import append_row, edit, load, set_cell


def _scenario(path: Path, strategy: str = "base"):
    loaded = load(path)
    assert not loaded.errors, [i.one_line() for i in loaded.errors]
    return loaded.scenario(strategy)


def test_template_reads_as_the_schema_examples_say(book: Path) -> None:
    s = _scenario(book)
    assert s.period_labels == ("2026", "2027")
    assert s.buyers == ("Japan", "EU")
    assert s.materials == ("NdPr oxide", "Dy oxide")
    lynas = next(x for x in s.suppliers if x.name == "Lynas Malaysia")
    assert (lynas.country, lynas.origin, lynas.active) == ("Malaysia", "Australia", True)
    china = next(x for x in s.suppliers if x.name == "China refiners")
    assert china.origin == "China"  # blank origin means the country itself
    # `*` expands over every period
    assert Demand("Japan", "NdPr oxide", "2027", 5000.0, "Demand!2") in s.demand
    assert len(s.demand) == 4 * 2
    assert Offer("MP Materials", "NdPr oxide", "2026", 1, 1300.0, 110000.0, 0.0,
                 "Supply!6") in s.offers
    # the shortage penalty defaults to 10 x the highest offered price
    assert s.settings.shortage_penalty == pytest.approx(10 * 300000.0)
    assert s.settings.coordination == "joint" and s.settings.unit == "t"
    # the one policy is inactive in the base: no rules
    assert s.policies == ()


def test_headers_and_sheet_names_ignore_case_spaces_and_underscores(book: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Stockpile"]
        ws.title = " stockpile "
        ws["E1"] = "Min Days"
        ws["H1"] = " HOLDING_cost "

    edit(book, change)
    s = _scenario(book)
    rule = next(r for r in s.stock_rules if r.buyer == "Japan")
    assert rule.min_days == 60 and rule.holding_cost == 3000


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(book: Path) -> None:
    edit(book, lambda wb: wb["Demand"].insert_rows(3, amount=2))
    s = _scenario(book)
    assert len(s.demand) == 8
    set_cell(book, "Demand", 5, "buyer", "Japn")  # the row after the blank rows
    issue = next(i for i in load(book).errors if i.code == "ref-unknown")
    assert (issue.sheet, issue.row) == ("Demand", 5)


def test_numeric_and_text_labels_are_the_same_label(book: Path) -> None:
    set_cell(book, "Periods", 2, "period", "2026")  # text
    set_cell(book, "Periods", 3, "period", 2027.0)  # float
    append_row(book, "Demand", {"buyer": "EU", "material": "NdPr oxide", "period": "2027",
                                "demand": 7000})
    s = _scenario(book)
    assert s.period_labels == ("2026", "2027")
    eu = {d.period: d.quantity for d in s.demand if (d.buyer, d.material) == ("EU", "NdPr oxide")}
    assert eu == {"2026": 6000.0, "2027": 7000.0}  # the 2027 row replaces the `*` row


@pytest.mark.parametrize(("cell", "expected"), [
    ("no", False), ("No", False), ("FALSE", False), (0, False), (False, False), ("n", False),
    ("yes", True), ("TRUE", True), (1, True), (True, True), ("Y", True),
])
def test_yes_no_variants(book: Path, cell: object, expected: bool) -> None:
    set_cell(book, "Suppliers", 4, "active", cell)
    mp = next(x for x in _scenario(book).suppliers if x.name == "MP Materials")
    assert mp.active is expected


def test_numbers_written_as_text_and_percentages(book: Path) -> None:
    set_cell(book, "Supply", 2, "capacity", " 6500 ")
    set_cell(book, "Policies", 2, "share", "65%")
    set_cell(book, "Policies", 2, "active", "yes")
    s = _scenario(book)
    assert next(o for o in s.offers if o.src == "Supply!2").capacity == 6500
    assert {p.share for p in s.policies} == {0.65}


def test_policies_expand_per_buyer_material_and_target(book: Path) -> None:
    set_cell(book, "Policies", 2, "active", "yes")
    set_cell(book, "Policies", 2, "target", "*")
    append_row(book, "Policies", {"policy": "pool", "kind": "max_supplier_share",
                                  "target": "Lynas Malaysia", "buyer": "coalition",
                                  "material": "Dy oxide", "share": 0.5, "penalty": 1000})
    s = _scenario(book)
    caps = [p for p in s.policies if p.name == "country-cap"]
    # 2 buyers x 2 materials x 3 countries
    assert len(caps) == 12
    assert {p.target for p in caps} == {"Malaysia", "China", "United States"}
    assert Policy("pool", "max_supplier_share", "Lynas Malaysia", None, "Dy oxide", 0.5,
                  "period", 1000.0, "Policies!3") in s.policies


def test_stockpile_period_rows_override_the_star_row_column_by_column(book: Path) -> None:
    append_row(book, "Stockpile", {"buyer": "Japan", "material": "Dy oxide", "period": 2027,
                                   "min_days": 90})
    s = _scenario(book)
    rules = {r.period: r for r in s.stock_rules if (r.buyer, r.material) == ("Japan", "Dy oxide")}
    assert rules["2026"].min_days == 60 and rules["2027"].min_days == 90
    assert rules["2027"].holding_cost == 3000  # blank in the 2027 row: kept from `*`
    assert {i.buyer: i.quantity for i in s.initial_stock} == {"Japan": 40.0}


def test_wide_layout_equals_long_layout(book: Path, tmp_path: Path) -> None:
    long = _scenario(book)

    def to_wide(wb: openpyxl.Workbook) -> None:
        for name, value_col in (("Demand", 4), ("Supply", 4)):
            ws = wb[name]
            rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
            heads = [c.value for c in ws[1]]
            period_idx = heads.index("period")
            ws.delete_rows(1, ws.max_row)
            new_heads = [h for i, h in enumerate(heads) if i not in (period_idx, value_col - 1)]
            ws.append([*new_heads, 2026, "2027"])
            for r in rows:
                rest = [v for i, v in enumerate(r) if i not in (period_idx, value_col - 1)]
                ws.append([*rest, r[value_col - 1], r[value_col - 1]])

    edit(book, to_wide)
    wide = _scenario(book)
    strip = lambda items: sorted((*x.__dict__.values(),)[:-1] for x in items)  # noqa: E731
    assert strip(wide.demand) == strip(long.demand)
    assert strip(wide.offers) == strip(long.offers)


def test_extra_columns_warn_but_source_and_note_do_not(book: Path) -> None:
    edit(book, lambda wb: wb["Buyers"].cell(1, 5, "owner"))
    def text_cell(wb: openpyxl.Workbook) -> None:
        cell = wb["Buyers"]["C2"]
        cell.value = "=not a formula, a planner's text"
        cell.data_type = "s"  # typed as text, as Excel stores a cell entered with a quote

    edit(book, text_cell)
    loaded = load(book)
    codes = [(i.code, i.sheet) for i in loaded.issues]
    assert ("column-unknown", "Buyers") in codes
    assert not loaded.errors
    row = loaded.tables["Buyers"][0]
    assert row.values["source"] == "=not a formula, a planner's text"


def test_disruption_by_country_hits_suppliers_mining_there(book: Path) -> None:
    set_cell(book, "Disruptions", 2, "country", "Australia")
    set_cell(book, "Disruptions", 2, "material", "*")
    s = _scenario(book)
    (scenario,) = s.disruptions
    assert {x.supplier for x in scenario.shocks} == {"Lynas Malaysia"}
    assert {(x.material, x.period) for x in scenario.shocks} == {
        ("NdPr oxide", "2027"), ("Dy oxide", "2027")}


def test_strategy_overrides_change_exactly_the_listed_cells(book: Path) -> None:
    loaded = load(book)
    _, changes = loaded.tables_for("no-china")
    assert [(c.sheet, c.row, c.column, c.old, c.new) for c in changes] == [
        ("Suppliers", 3, "active", True, False)]
    assert not next(x for x in loaded.scenario("no-china").suppliers
                    if x.name == "China refiners").active
    assert next(x for x in loaded.scenario("base").suppliers
                if x.name == "China refiners").active
    _, changes = loaded.tables_for("independent")
    assert [(c.column, c.old, c.new) for c in changes] == [("coordination", "joint", "pro-rata")]
    assert loaded.scenario("independent").settings.coordination == "pro-rata"
