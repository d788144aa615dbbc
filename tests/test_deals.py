"""Deals (SPEC 3.1 family 10): all-or-nothing commitments, known answers derived by hand in
every coordination mode, under disruption and in robust planning."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.shapley import coalition_scenario
from optimizer.planning.stress import stress_plan
from optimizer.solving.checker import check_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from optimizer.workbook.load import load_workbook
from optimizer.workbook.schema import SHEET_BY_NAME
from tests.conftest import append_row, run, set_cell
from tests.factory import scenario
from tests.factory import settings as make_settings


def _anchor(signable_by: tuple[str, ...] | None = None, coordination: str = "joint",
            **kw: object) -> md.ScenarioData:
    """Japan and the EU need 60 t of M each. C sells any amount at 100. A new mine N
    offers 100 t at 60 only under the deal 'anchor': a bankable minimum of 100 t and 1,000
    upfront. Together: sign, 100 x 60 + 1,000 + 20 x 100 = 9,000 against 12,000. Alone
    a partner would take 100 t for its 60: 7,000 against 6,000 from C, so nobody signs."""
    data = scenario(buyers=("Japan", "EU"), suppliers=[("C", "X"), ("N", "Y")],
                    offers=[("C", "M", "t1", 1000, 100), ("N", "M", "t1", 100, 60, 1, 100)],
                    demand=[("Japan", "M", "t1", 60), ("EU", "M", "t1", 60)],
                    settings=make_settings(coordination=coordination), **kw)
    offers = tuple(replace(o, deal="anchor") if o.supplier == "N" else o for o in data.offers)
    return replace(data, offers=offers, deals=(md.Deal("anchor", "N", 1000.0, 0.0,
                                                       signable_by, "Deals!2"),))


def test_the_coalition_signs_a_deal_neither_partner_fills_alone() -> None:
    run = plan_coordinated(_anchor())
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.objective == pytest.approx(9000)
    assert run.result.signers == {"anchor": "coalition"}
    assert run.result.cost_breakdown["deal"] == pytest.approx(1000)
    assert run.result.mip_gap is not None and run.result.mip_gap <= 1e-4
    # the deal's cost is split by demand: 500 each, on top of each partner's purchases
    buyers = run.result.buyers.set_index("buyer")
    assert buyers.loc["coalition", "cost_pv"] == pytest.approx(9000)
    assert buyers.loc["Japan", "cost_pv"] + buyers.loc["EU", "cost_pv"] == pytest.approx(9000)
    deals = run.result.deals.set_index("deal")
    assert deals.loc["anchor", "volume"] == pytest.approx(100)
    assert deals.loc["anchor", "cost_pv"] == pytest.approx(1000)


@pytest.mark.parametrize("mode", ["pro-rata", "sequential"])
def test_alone_nobody_signs_it(mode: str) -> None:
    run = plan_coordinated(_anchor(coordination=mode))
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.objective == pytest.approx(12_000)
    assert run.result.signed == ()
    assert list(run.result.deals["deal"]) == ["anchor"]


def test_alone_the_first_partner_in_buyers_order_takes_a_deal_it_can_fill() -> None:
    """Japan needs 150 t: alone, signing costs 1,000 + 100 x 60 + 50 x 100 = 12,000
    against 15,000. It signs first, so the EU plans without the deal: 6,000. 18,000."""
    data = _anchor(coordination="pro-rata")
    data = replace(data, demand=tuple(replace(d, quantity=150.0) if d.buyer == "Japan" else d
                                      for d in data.demand))
    run = plan_coordinated(data)
    assert run.violations == []
    assert run.objective == pytest.approx(18_000)
    assert run.result.signers == {"anchor": "Japan"}
    buyers = run.result.buyers.set_index("buyer")
    assert buyers.loc["Japan", "cost_pv"] == pytest.approx(12_000)  # it pays all of the deal
    assert buyers.loc["EU", "cost_pv"] == pytest.approx(6_000)
    # In the other order the EU, 60 t, does not sign and Japan still does: the same plan.
    reordered = replace(data, buyers=("EU", "Japan"))
    assert plan_coordinated(reordered).objective == pytest.approx(18_000)


def test_signable_by_limits_who_signs_alone_but_not_the_coalition() -> None:
    """Only the EU may sign: with Japan needing 150 t, Japan alone may not (15,000) and
    the EU has no use for it (6,000): 21,000. Jointly the coalition may sign any deal:
    100 x 60 + 1,000 + 110 x 100 = 18,000."""
    data = _anchor(signable_by=("EU",), coordination="pro-rata")
    data = replace(data, demand=tuple(replace(d, quantity=150.0) if d.buyer == "Japan" else d
                                      for d in data.demand))
    assert plan_coordinated(data).objective == pytest.approx(21_000)
    joint = replace(data, settings=replace(data.settings, coordination="joint"))
    assert plan_coordinated(joint).objective == pytest.approx(18_000)
    only_together = replace(data, deals=(replace(data.deals[0], signable_by=("coalition",)),))
    assert plan_coordinated(only_together).objective == pytest.approx(21_000)
    assert coalition_scenario(only_together, ["Japan"]).deals == ()
    assert coalition_scenario(only_together, ["Japan", "EU"]).deals == only_together.deals


def test_the_shapley_game_gives_each_unit_every_deal_whole() -> None:
    """c({Japan}) = c({EU}) = 6,000 (the deal whole, not worth signing), c(both) = 9,000."""
    from optimizer.planning.shapley import coordination_value

    data = _anchor()
    value = coordination_value(data, lambda batch: [plan_coordinated(d).objective
                                                    for d in batch])
    assert value.total_savings == pytest.approx(3000)
    assert value.shapley == pytest.approx({"Japan": 1500, "EU": 1500})
    assert value.stable


def test_a_deal_scales_its_minimum_and_capacity_with_signing() -> None:
    """Upfront 5,000: 100 x 60 + 5,000 + 20 x 100 = 13,000 > 12,000, so not signed, and its
    bankable minimum of 100 t is then no obligation."""
    data = _anchor()
    data = replace(data, deals=(replace(data.deals[0], upfront_cost=5000.0),))
    run = solve_plan(data)
    assert run.objective == pytest.approx(12_000) and run.violations == []
    assert run.result.signed == ()
    assert not (run.result.purchases["supplier"] == "N").any()


def test_a_signing_decided_by_a_what_if_is_reported_and_checked() -> None:
    """The deal too dear to choose (13,000 against 12,000), signed by a what-if: the plan
    says it is signed and by whom, pays its upfront cost, and passes the checker."""
    data = _anchor()
    data = replace(data, deals=(replace(data.deals[0], upfront_cost=5000.0),))
    run = solve_plan(data, signing={"anchor": True})
    assert run.objective == pytest.approx(13_000) and run.violations == []
    assert run.result.signers == {"anchor": "coalition"}
    assert run.result.cost_breakdown["deal"] == pytest.approx(5000)


def test_the_checker_refuses_buying_from_a_deal_not_signed() -> None:
    run = solve_plan(_anchor())
    result = run.result
    rules = {v.rule for v in check_plan(result.scenario, result.purchases, result.transfers,
                                        result.stock, signed={})}
    assert "purchase from deal 'anchor', not signed" in rules


def test_fixed_costs_are_paid_in_every_period_of_the_term() -> None:
    """Two periods, the deal's offers in both: upfront 1,000 in t1 and 300 in each;
    discount rate 10 %: 1,000 + 300 + 300 / 1.1. Purchases: 100 x 60 + 20 x 100 a period."""
    data = scenario(periods=("t1", "t2"), buyers=("Japan", "EU"),
                    suppliers=[("C", "X"), ("N", "Y")],
                    offers=[("C", "M", t, 1000, 100) for t in ("t1", "t2")]
                    + [("N", "M", t, 100, 60, 1, 100) for t in ("t1", "t2")],
                    demand=[(b, "M", t, 60) for b in ("Japan", "EU") for t in ("t1", "t2")],
                    settings=make_settings(discount_rate=0.1))
    data = replace(data, offers=tuple(replace(o, deal="anchor") if o.supplier == "N" else o
                                      for o in data.offers),
                   deals=(md.Deal("anchor", "N", 1000.0, 300.0),))
    run = solve_plan(data)
    assert run.violations == []
    per_period = 100 * 60 + 20 * 100
    assert run.objective == pytest.approx(1000 + 300 + 300 / 1.1 + per_period * (1 + 1 / 1.1))
    assert run.result.deals.loc[0, "term"] == "t1-t2"


def test_an_outage_of_the_deal_supplier_is_paid_for_and_bought_spot() -> None:
    """The plan signs; N is lost in 'outage': its contract is neither delivered nor paid,
    the upfront cost is; 100 t are bought spot from C at 125: 1,000 + 2,000 + 12,500."""
    shock = md.Shock("N", "M", "t1", 0.0, 1.0)
    data = _anchor(disruptions=(md.DisruptionScenario("outage", 0.5, (shock,)),))
    run = solve_plan(data)
    result = stress_plan(run.result)
    out = {s.scenario: s for s in result.scenarios}
    assert out["no disruption"].cost == pytest.approx(9000)
    assert out["outage"].cost == pytest.approx(15_500)


def test_robust_planning_does_not_sign_a_deal_likely_lost() -> None:
    """With the outage at probability 0.5: signing costs 0.5 x 9,000 + 0.5 x 15,500 =
    12,250 in expectation, not signing 12,000 in every world."""
    shock = md.Shock("N", "M", "t1", 0.0, 1.0)
    data = _anchor(disruptions=(md.DisruptionScenario("outage", 0.5, (shock,)),))
    data = replace(data, settings=replace(data.settings, robust="expected"))
    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL and run.violations == []
    assert run.result.signed == ()
    assert run.result.extra["robust"].expected_cost == pytest.approx(12_000)


def test_a_workbook_without_deals_is_still_an_lp() -> None:
    data = _anchor()
    plain = replace(data, deals=(), offers=tuple(replace(o, deal=None) for o in data.offers))
    run = solve_plan(plain)
    assert run.result.mip_gap is None
    assert run.objective == pytest.approx(100 * 60 + 20 * 100)  # N is an ordinary offer


def _workbook_deal(book: Path) -> Path:
    """The template (Dy demand 300 t Japan + 250 t EU a year, China at 239,000 USD/t) with
    an Australian mine that sells 400 t of Dy oxide a year at 200,000 only under a deal:
    a bankable minimum of 400 t a year, 10 m USD upfront. Together they use all 400 t;
    Japan alone could use 300. Stock left at the end is worth nothing here
    (closing_stock_value 0): credited at the deal's own price, Japan alone would sign and
    keep the rest."""
    settings = openpyxl.load_workbook(book)["Settings"]
    row = next(c.row for c in settings["A"] if c.value == "closing_stock_value")
    set_cell(book, "Settings", row, "value", 0)
    append_row(book, "Suppliers", {"supplier": "Eneabba", "country": "Australia"})
    append_row(book, "Deals", {"deal": "eneabba-anchor", "supplier": "Eneabba",
                               "upfront_cost": 10_000_000, "signable_by": ""})
    append_row(book, "Supply", {"supplier": "Eneabba", "material": "Dy oxide", "period": "*",
                                "capacity": 400, "price": 200_000, "min_offtake": 400,
                                "deal": "eneabba-anchor"})
    return book


def test_a_deal_in_a_workbook_is_signed_together_and_reported(book: Path,
                                                              tmp_path: Path) -> None:
    _workbook_deal(book)
    out = tmp_path / "results.xlsx"
    proc = run("solve", book, "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["deals"][0]["deal"] == "eneabba-anchor" and summary["deals"][0]["signed"]
    assert summary["deals"][0]["volume"] == pytest.approx(800)  # 400 t in each of 2 periods
    assert summary["cost_breakdown"]["deal"] == pytest.approx(10_000_000)
    assert summary["mip_gap"] is not None
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in next(r for r in wb["Deals"].iter_rows() if r[0].value == "deal")]
    assert "signed by" in header and any("if signed" in str(h) for h in header)
    # the template's pro-rata strategy: Japan, first, would take 400 t for its 300
    alone = run("solve", book, "-s", "independent", "-o", tmp_path / "alone.xlsx", "--json")
    assert alone.returncode == 0, alone.stderr
    assert not json.loads(alone.stdout)["deals"][0]["signed"]


def test_an_unsigned_deal_says_what_signing_would_cost(book: Path, tmp_path: Path) -> None:
    """Upfront 500 m USD: never worth it; the Deals sheet says by how much."""
    _workbook_deal(book)
    set_cell(book, "Deals", 2, "upfront_cost", 500_000_000)
    proc = run("solve", book, "-o", tmp_path / "r.xlsx", "--json")
    deal = json.loads(proc.stdout)["deals"][0]
    assert not deal["signed"]
    # 500 m upfront less what 800 t at 200,000 instead of China's landed price saves
    assert 400_000_000 < deal["cost_to_sign"] < 500_000_000


@pytest.mark.parametrize(("change", "code"), [
    (lambda b: set_cell(b, "Supply", 7, "supplier", "MP Materials"), "deal-supplier-mismatch"),
    (lambda b: append_row(b, "Supply", {"supplier": "Eneabba", "material": "Dy oxide",
                                        "period": 2027, "capacity": 50, "price": 250_000,
                                        "tier": 2}), "deal-mixed-offers"),
    # the offer becomes ordinary, and the deal is left without one
    (lambda b: set_cell(b, "Supply", 7, "deal", None), "deal-without-offers"),
    (lambda b: append_row(b, "Deals", {"deal": "ghost", "supplier": "Eneabba"}),
     "deal-without-offers"),
    (lambda b: set_cell(b, "Deals", 2, "signable_by", "Japan, Korea"), "ref-unknown"),
])
def test_deal_mistakes_are_located(book: Path, change: Callable[[Path], object],
                                   code: str) -> None:
    _workbook_deal(book)
    change(book)
    errors = load_workbook(book).errors
    assert {i.code for i in errors} == {code}, [i.one_line() for i in errors]
    assert all(i.sheet in ("Supply", "Deals") and i.row for i in errors)


def test_diagnose_says_when_only_a_whole_deal_breaks_the_rules() -> None:
    """B needs 50 t. China must sell it 50 t (take-or-pay) and may have at most half of
    B's purchases, so B needs 50 t elsewhere; the only other source is the deal D, whose
    bankable minimum is 100 t; B can store 60 t. Half of D would do (50 + 50 bought, 50
    stored), but a deal is all or nothing: 50 + 100 leaves 100 t to store. The LP
    relaxation is feasible; the plan is not."""
    from optimizer.solving.diagnose import diagnose

    data = scenario(suppliers=[("C", "China"), ("N", "Australia")],
                    offers=[("C", "M", "t1", 1000, 10, 1, 50), ("N", "M", "t1", 100, 10, 1, 100)],
                    demand=[("B", "M", "t1", 50)],
                    stock_rules=(md.StockRule("B", "M", "t1", 0.0, 0.0, 60.0, 0.0),),
                    policies=(md.Policy("cap", "max_country_share", "China", "B", "M", 0.5,
                                        "period", None),))
    data = replace(data, offers=tuple(replace(o, deal="D") if o.supplier == "N" else o
                                      for o in data.offers), deals=(md.Deal("D", "N", 0.0, 0.0),))
    assert solve_plan(data).status is Status.INFEASIBLE
    found = diagnose(data)
    assert not found.feasible and "all or nothing" in found.impossible[0][0]
    # with a 50 t minimum the whole deal fits, and the scenario plans
    fits = replace(data, offers=tuple(replace(o, min_offtake=50.0) if o.deal else o
                                      for o in data.offers))
    assert solve_plan(fits).status is Status.OPTIMAL and diagnose(fits).feasible


def test_diagnose_names_the_rows_in_conflict_with_a_deal_in_the_workbook(book: Path) -> None:
    """Japan's budget (Budgets!2) of 100 m USD a year cannot pay for a take-or-pay of
    1,300 t of MP Materials' NdPr (Supply!6), which only Japan may buy (its route to the
    EU closed): diagnosed on the LP with the deal's signing relaxed, in the workbook's
    words."""
    from optimizer.solving.diagnose import diagnose

    _workbook_deal(book)
    set_cell(book, "Budgets", 2, "budget", 100_000_000)
    set_cell(book, "Supply", 6, "min_offtake", 1300)
    append_row(book, "Routes", {"supplier": "MP Materials", "buyer": "EU", "freight": 0,
                                "tariff": 0, "lead_time": 0, "open": "no"})
    found = diagnose(load_workbook(book).scenario("base"))
    assert not found.feasible
    actions = {b.action for b in found.bends}
    assert {"lower the minimum offtake of Supply!6", "raise the budget of Budgets!2"} <= actions


def test_compare_traces_the_value_of_coordination_to_the_deal(book: Path,
                                                              tmp_path: Path) -> None:
    """Neither partner alone signs the Eneabba deal (Japan, first, would take 400 t a year
    for its 300); the coalition does. C_pr - C_joint splits into the deal's part (C2 -
    C_joint, C2 the joint plan without it) and the rest (C_pr - C2), and the Coordination
    sheet says so with the deal's name."""
    _workbook_deal(book)
    out = tmp_path / "compare.xlsx"
    proc = run("compare", book, "-s", "independent", "-o", out, "--json", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    src = json.loads(proc.stdout)["coordination"]["sources"]
    assert src["deals_only_the_coalition_signs"] == ["eneabba-anchor"]
    assert src["from_deals_only_the_coalition_signs"] > 0
    assert src["from_discount_brackets_only_pooled_volume_reaches"] == pytest.approx(0)
    total = src["pro_rata_cost"] - src["joint_cost"]
    assert src["from_deals_only_the_coalition_signs"] + src["from_the_rest"] == \
        pytest.approx(total)
    sheet = openpyxl.load_workbook(out)["Coordination"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("deals only the coalition signs" in t and "eneabba-anchor" in t for t in texts)
    # the Deals sheet: which projects each strategy finances, and who signs
    deals = openpyxl.load_workbook(out)["Deals"]
    head = next(r for r in deals.iter_rows(values_only=True) if r and r[0] == "strategy")
    rows = [dict(zip(head, r, strict=True)) for r in deals.iter_rows(values_only=True)
            if r and r[0] in ("base", "independent")]
    assert [(r["strategy"], r["deal"], r["signed"], r["signed by"]) for r in rows] == [
        ("base", "eneabba-anchor", "yes", "coalition"),
        ("independent", "eneabba-anchor", "no", None)]
    assert rows[1]["cost (USD, present value)"] == 0  # not signed: nothing paid
    terminal = run("compare", book, "-s", "independent", "-o", tmp_path / "c2.xlsx",
                   "--workers", "1").stdout
    assert "deals only the coalition signs" in " ".join(terminal.split())
    assert "(eneabba-anchor)" in terminal


def test_the_format_reference_examples_of_deals_and_discounts_solve(book: Path) -> None:
    """The README sheet's example rows (Deals, Supply, Discounts), entered in the template
    with their supplier: a valid workbook whose plan is a checked MIP. The deal (250 t of Dy
    a year at 215,000 against China's 239,000, minimum 225 t, 120 m upfront) saves at most
    2 x 250 x 24,000 = 12 m on purchases, so it is not signed. The pooled NdPr need is
    11,000 t a year; buying 12,000 t reaches the second break (65,500 on every tonne instead
    of 67,000: 16.5 m a year) and the 2,000 t left at the end are credited at that price."""

    append_row(book, "Suppliers", {"supplier": "Caremag", "country": "France"})
    for sheet in ("Deals", "Supply", "Discounts"):
        for row in SHEET_BY_NAME[sheet].illustration:
            append_row(book, sheet, {k: v for k, v in row.items() if v not in (None, "")})
    loaded = load_workbook(book)
    assert loaded.errors == [], [i.one_line() for i in loaded.errors]
    planned = solve_plan(loaded.scenario("base"))
    assert planned.status is Status.OPTIMAL and planned.violations == []
    assert planned.result.mip_gap is not None
    assert planned.result.signers == {}
    assert planned.result.cost_breakdown["deal"] == pytest.approx(0)
    bought = planned.result.purchases
    china = bought[(bought["supplier"] == "China refiners") & (bought["material"] == "NdPr oxide")]
    assert set(china["price"].round()) == {65_500}
    assert china.groupby("period")["quantity"].sum().round().tolist() == [12_000, 12_000]


def test_a_deal_named_without_a_deals_sheet_is_located(book: Path) -> None:
    """A Supply row naming a deal in a workbook without a Deals sheet: an error at that
    cell (it used to pass validate and stop the solve with an internal error)."""
    _workbook_deal(book)
    wb = openpyxl.load_workbook(book)
    del wb["Deals"]
    wb.save(book)
    [issue] = load_workbook(book).errors
    assert (issue.code, issue.sheet, issue.row, issue.value) == (
        "ref-unknown", "Supply", 7, "eneabba-anchor")
    assert "no such sheet" in issue.message
    assert run("solve", book, "-o", book.with_name("r.xlsx")).returncode == 1


def test_an_unreadable_deals_sheet_is_reported_once(book: Path) -> None:
    """A Deals sheet without its required supplier column: that is the one error, not
    also every Supply row naming one of its deals."""
    _workbook_deal(book)
    wb = openpyxl.load_workbook(book)
    wb["Deals"].delete_cols(2)  # supplier
    wb.save(book)
    assert [i.code for i in load_workbook(book).errors] == ["column-missing"]
