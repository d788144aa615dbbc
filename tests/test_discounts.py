"""Volume discounts (SPEC 3.1 family 11): all-units and incremental, per period and over the
horizon, on the planning unit's own volume; known answers derived by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from models import data as md
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.stress import stress_plan
from optimizer.solving.checker import check_plan
from optimizer.solving.highs import Status
from optimizer.solving.plan import solve_plan
from optimizer.workbook.load import load_workbook
from tests.conftest import append_row, set_cell
from tests.factory import scenario
from tests.factory import settings as make_settings


def _breaks(kind: str = "all-units", demand: tuple[float, ...] = (100.0,),
            breaks: tuple[float, ...] = (50.0, 120.0), prices: tuple[float, ...] = (8.0, 7.0),
            coordination: str = "joint", basis: str = "period",
            periods: tuple[str, ...] = ("t1",), **kw: object) -> md.ScenarioData:
    """S sells up to 200 t a period at 10 below the first break; A sells any amount at 9.
    One partner per entry of ``demand``, each needing that much in every period."""
    buyers = tuple(f"B{i}" for i in range(len(demand)))
    data = scenario(periods=periods, buyers=buyers, suppliers=[("S", "X"), ("A", "Y")],
                    offers=[o for t in periods for o in (("S", "M", t, 200, 10),
                                                         ("A", "M", t, 10_000, 9))],
                    demand=[(b, "M", t, q) for b, q in zip(buyers, demand, strict=True)
                            for t in periods],
                    settings=make_settings(coordination=coordination), **kw)
    blocks = [periods] if basis == "horizon" else [(t,) for t in periods]
    return replace(data, discounts=tuple(
        md.DiscountSchedule("S", "M", basis, kind, block, breaks,
                            tuple(prices for _ in block)) for block in blocks))


def _checked(data: md.ScenarioData) -> float:
    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL, run.reasons
    assert run.violations == [], [str(v) for v in run.violations]
    return run.objective


def test_all_units_price_of_the_bracket_reached_on_every_unit() -> None:
    """100 t from S reach the 50 t break: 100 x 8 = 800 (A: 900)."""
    assert _checked(_breaks()) == pytest.approx(800)
    run = solve_plan(_breaks())
    bought = run.result.purchases.set_index("supplier")
    assert bought.loc["S", "price"] == pytest.approx(8)  # the price paid, discount included


def test_all_units_buys_up_to_the_break_when_it_pays() -> None:
    """45 t needed: 50 t from S at 8 (400, 5 t left over) beat 45 t from A (405)."""
    data = _breaks(demand=(45.0,))
    assert _checked(data) == pytest.approx(400)
    run = solve_plan(data)
    assert run.result.purchases["quantity"].sum() == pytest.approx(50)


def test_incremental_prices_each_bracket_on_its_own_units() -> None:
    """Incremental, 10 below 50 t and 6 above: all 100 t from S cost 50 x 10 + 50 x 6 = 800,
    less than any mix with A at 9 (50 from S and 50 from A: 950)."""
    data = _breaks(kind="incremental", breaks=(50.0,), prices=(6.0,))
    assert _checked(data) == pytest.approx(800)
    run = solve_plan(data)
    brackets = run.result.brackets.groupby("bracket")["quantity"].sum()
    assert brackets[0] == pytest.approx(50) and brackets[1] == pytest.approx(50)


def test_incremental_is_not_worth_it_below_the_break() -> None:
    """40 t needed, incremental: S's first 50 t cost 10, A's 9: all from A, 360."""
    data = _breaks(kind="incremental", demand=(40.0,), breaks=(50.0,), prices=(6.0,))
    assert _checked(data) == pytest.approx(360)


def test_pooled_volume_reaches_a_bracket_neither_partner_reaches_alone() -> None:
    """Two partners need 30 t each. Jointly 60 t from S reach the 50 t break: 480. Alone
    (pro-rata), each counts only its own 30 t: S's 10 loses to A's 9: 2 x 270 = 540."""
    assert _checked(_breaks(demand=(30.0, 30.0))) == pytest.approx(480)
    assert _checked(_breaks(demand=(30.0, 30.0), coordination="pro-rata")) == pytest.approx(540)
    assert _checked(_breaks(demand=(30.0, 30.0), coordination="sequential")) == \
        pytest.approx(540)


def test_horizon_basis_counts_the_total_over_the_periods() -> None:
    """40 t in each of two periods, break 60 t over the horizon at 8: 80 x 8 = 640."""
    data = _breaks(demand=(40.0,), breaks=(60.0,), prices=(8.0,), basis="horizon",
                   periods=("t1", "t2"))
    assert _checked(data) == pytest.approx(640)


def test_the_checker_refuses_units_outside_the_bracket_reached() -> None:
    run = solve_plan(_breaks())
    result = run.result
    bad = result.brackets.copy()
    bad["bracket"] = 0  # as if 100 t all-units had stayed in the lowest bracket
    rules = {v.rule for v in check_plan(result.scenario, result.purchases, result.transfers,
                                        result.stock, brackets=bad)}
    assert "all-units discount: units outside the bracket reached" in rules


def test_a_plan_stressed_with_no_disruption_keeps_its_discounts() -> None:
    """The plan's 800 under no disruption; S lost for half its capacity: the contract
    delivers 50 t at 8 (400) and 50 t are bought spot from A at 9 x 1.25 (562.5)."""
    shock = md.Shock("S", "M", "t1", 0.5, 1.0)
    data = _breaks(disruptions=(md.DisruptionScenario("half", 0.1, (shock,)),))
    run = solve_plan(data)
    out = {s.scenario: s for s in stress_plan(run.result).scenarios}
    assert out["no disruption"].cost == pytest.approx(800)
    assert out["half"].cost == pytest.approx(400 + 50 * 9 * 1.25)


def test_a_workbook_discount_schedule(book: Path) -> None:
    """The template's China NdPr offer (Supply!4) with an all-units break at 20,000 t a
    period reaches it with both partners' demand; the Discounts rows are read as one
    schedule per period."""
    append_row(book, "Discounts", {"supplier": "China refiners", "material": "NdPr oxide",
                                   "period": "*", "basis": "period", "type": "all-units",
                                   "from_quantity": 10_000, "price": 66_000})
    loaded = load_workbook(book)
    assert loaded.errors == []
    data = loaded.scenario("base")
    assert len(data.discounts) == len(data.periods)
    assert {s.breaks for s in data.discounts} == {(10_000,)}
    run = solve_plan(data)
    assert run.violations == []
    china = run.result.purchases[run.result.purchases["supplier"] == "China refiners"]
    assert set(china[china["material"] == "NdPr oxide"]["price"].round()) == {66_000}


@pytest.mark.parametrize(("row", "code"), [
    ({"supplier": "MP Materials", "material": "Dy oxide", "period": "*",
      "from_quantity": 10, "price": 1}, "discount-without-offer"),
    ({"supplier": "China refiners", "material": "NdPr oxide", "period": "*",
      "from_quantity": 10_000, "price": 70_000}, "discount-not-falling"),
])
def test_discount_mistakes_are_located(book: Path, row: dict, code: str) -> None:
    number = append_row(book, "Discounts", row)
    errors = load_workbook(book).errors
    assert [(i.code, i.sheet, i.row) for i in errors] == [(code, "Discounts", number)]


def test_mixed_types_are_refused(book: Path) -> None:
    for q, p, kind in ((10_000, 66_000, "all-units"), (20_000, 64_000, "incremental")):
        append_row(book, "Discounts", {"supplier": "China refiners", "material": "NdPr oxide",
                                       "period": "*", "type": kind, "from_quantity": q,
                                       "price": p})
    assert {i.code for i in load_workbook(book).errors} == {"discount-inconsistent"}
    set_cell(book, "Discounts", 3, "type", "all-units")
    assert load_workbook(book).errors == []


def test_compare_traces_the_value_of_coordination_to_the_brackets(book: Path,
                                                                   tmp_path: Path) -> None:
    """An all-units break on China's NdPr (69,000 USD/t) at 16,000 t over the two periods,
    price 66,000: Japan needs about 10,600 t and the EU 12,500, so neither alone reaches
    it (not even in C1, the joint plan with discounts on each partner's own volume: 16,000
    t at 66,000 cost more than its own need at 69,000), the coalition does. The value of
    coordination is then the brackets' (C1 - C2) and the rest's. (Per period, at 8,000 t,
    each partner would buy both years' need in the first to reach the break alone.)"""
    import json

    import openpyxl

    from tests.conftest import run

    append_row(book, "Discounts", {"supplier": "China refiners", "material": "NdPr oxide",
                                   "period": "*", "basis": "horizon", "from_quantity": 16_000,
                                   "price": 66_000})
    out = tmp_path / "c.xlsx"
    proc = run("compare", book, "-s", "independent", "-o", out, "--json", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    src = json.loads(proc.stdout)["coordination"]["sources"]
    assert src["from_discount_brackets_only_pooled_volume_reaches"] > 0
    assert src["from_deals_only_the_coalition_signs"] == pytest.approx(0, abs=1e-3)
    total = src["pro_rata_cost"] - src["joint_cost"]
    assert src["from_discount_brackets_only_pooled_volume_reaches"] + src["from_the_rest"] \
        == pytest.approx(total)
    texts = [str(c.value) for row in openpyxl.load_workbook(out)["Coordination"].iter_rows()
             for c in row if c.value is not None]
    assert any("discounts on the pooled volume (C2)" in t for t in texts)
