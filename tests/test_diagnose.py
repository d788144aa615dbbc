"""`coprocure diagnose` finds the change a planner would make: a workbook row bends as one
cell (every period, buyer, material or target it covers moves together), amounts are in
the cell's unit, and when no row is enough alone the fewest rows that are enough together
are named with their amounts. Every answer here is derived by hand in its docstring."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from models import data as md
from optimizer.solving import diagnose as diagnosis
from optimizer.solving.diagnose import SHARE, Bend, diagnose
from optimizer.workbook.load import load_workbook
from tests.conftest import BEFORE_POOLING, append_row, edit, run, set_cell
from tests.factory import scenario

PERIODS = ("t1", "t2", "t3")


def _by_row(bends: list[Bend]) -> dict[str, Bend]:
    return {b.rule.workbook_row: b for b in bends}


def _offtake_vs_ceiling(offtake: float = 100.0, ceiling: float = 50.0) -> md.ScenarioData:
    """One buyer, three periods, a `*` Supply row with a take-or-pay of ``offtake`` a
    period and a `*` Stockpile row with a ceiling of ``ceiling``; demand 30 a period."""
    offers = tuple(md.Offer("A", "M", t, 1, 1000.0, 10.0, offtake, "Supply!2") for t in PERIODS)
    rules = tuple(md.StockRule("B", "M", t, 0.0, 0.0, ceiling, 0.0, "Stockpile!2")
                  for t in PERIODS)
    return replace(scenario(periods=PERIODS, suppliers=[("A", "X")],
                            demand=[("B", "M", t, 30) for t in PERIODS]),
                   offers=offers, stock_rules=rules)


def test_a_star_row_bends_in_every_period_together() -> None:
    """The stock grows by 100 - 30 = 70 a period: 70, 140, 210 against a ceiling of 50.
    Raising the `*` ceiling alone: to 210, by 160. Lowering the `*` take-or-pay q alone:
    3 (q - 30) <= 50, q <= 46.67, by 53.33, rounded up to 53.34 (to 46.66). Bending one
    period's copy of either row is never enough (the conflict already starts in t1 and
    grows after it), which is what the diagnosis used to try."""
    result = diagnose(_offtake_vs_ceiling())
    assert not result.feasible and result.together == []
    bends = _by_row(result.bends)
    assert set(bends) == {"Supply!2", "Stockpile!2"}
    ceiling, offtake = bends["Stockpile!2"], bends["Supply!2"]
    assert ceiling.action == "raise the ceiling of Stockpile!2"
    assert (ceiling.amount, ceiling.start, ceiling.end) == (160, 50, 210)
    assert offtake.action == "lower the minimum offtake of Supply!2"
    assert (offtake.amount, offtake.start, offtake.end) == (53.34, 100, 46.66)
    assert ceiling.unit == offtake.unit == "t" and ceiling.rules == offtake.rules == 3
    # the amounts, applied to every period as a planner would change the cell, are enough
    assert diagnose(_offtake_vs_ceiling(ceiling=210.0)).feasible
    assert diagnose(_offtake_vs_ceiling(offtake=46.66)).feasible
    assert not diagnose(_offtake_vs_ceiling(offtake=46.7)).feasible


def _two_conflicts(sharing: tuple[md.Sharing, ...] = ()) -> md.ScenarioData:
    """Japan starts with 100 t under a `*` ceiling of 50, the EU with 80 under 40; each uses
    30 a period and nothing else can take stock away."""
    rules = (*(md.StockRule("Japan", "M", t, 0.0, 0.0, 50.0, 0.0, "Stockpile!2")
               for t in PERIODS[:2]),
             *(md.StockRule("EU", "M", t, 0.0, 0.0, 40.0, 0.0, "Stockpile!3")
               for t in PERIODS[:2]))
    return replace(scenario(periods=PERIODS[:2], buyers=("Japan", "EU"), suppliers=[("A", "X")],
                            offers=[("A", "M", t, 100, 10) for t in PERIODS[:2]],
                            demand=[(b, "M", t, 30) for b in ("Japan", "EU")
                                    for t in PERIODS[:2]]),
                   stock_rules=rules, sharing=sharing,
                   initial_stock=(md.InitialStock("Japan", "M", 100.0),
                                  md.InitialStock("EU", "M", 80.0)))


def test_two_rows_that_must_bend_together() -> None:
    """Two separate conflicts: Japan ends t1 with at least 100 - 30 = 70 t under a ceiling
    of 50, the EU with 80 - 30 = 50 under 40. Neither ceiling alone is enough, so there is
    no single fix; together: Japan's by 20 (to 70) and the EU's by 10 (to 50). The first
    IIS holds one of the two conflicts only: the other is found by the elastic re-solve."""
    result = diagnose(_two_conflicts())
    assert not result.feasible and result.bends == [] and result.resolvable
    together = _by_row(result.together)
    assert set(together) == {"Stockpile!2", "Stockpile!3"}
    assert (together["Stockpile!2"].amount, together["Stockpile!2"].start,
            together["Stockpile!2"].end) == (20, 50, 70)
    assert (together["Stockpile!3"].amount, together["Stockpile!3"].start,
            together["Stockpile!3"].end) == (10, 40, 50)
    assert {"Stockpile!2", "Stockpile!3"} <= {r.workbook_row for r in result.conflict}


def test_the_deletion_filter_also_finds_the_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no re-solves allowed for the exact search, the deletion filter settles the
    same pair: no row of it can be dropped."""
    monkeypatch.setattr(diagnosis, "MAX_SUBSETS", 0)
    together = _by_row(diagnose(_two_conflicts()).together)
    assert {k: b.amount for k, b in together.items()} == {"Stockpile!2": 20, "Stockpile!3": 10}


def test_a_sharing_limit_bends_as_one_row() -> None:
    """As the two conflicts, but Japan may pass up to 5 t a period to the EU and the EU's
    ceiling is out of the way (1,000): Japan's excess of 20 t in t1 keeps 15 after
    sharing. Raise Japan's ceiling by 15 (to 65) or the `*` sharing limit by 15 (to 20, in
    both periods: a bound of the model, not a row)."""
    data = _two_conflicts((md.Sharing("Japan", "EU", "M", 1.0, 5.0, "Sharing!2"),))
    data = replace(data, stock_rules=tuple(
        replace(r, max_level=1000.0) if r.buyer == "EU" else r for r in data.stock_rules))
    bends = _by_row(diagnose(data).bends)
    assert {k: (b.amount, b.start, b.end) for k, b in bends.items()} == {
        "Stockpile!2": (15, 50, 65), "Sharing!2": (15, 5, 20)}
    assert bends["Sharing!2"].action == "raise the sharing limit of Sharing!2"


def _capped(share: float = 0.4) -> md.ScenarioData:
    """One buyer using 40 a period over two periods; China (price 10) must be bought 50 a
    period (`*` take-or-pay), Australia (12) is free to buy; China is capped at ``share``
    of each period's purchases by one Policies row; a `*` ceiling of 35."""
    offers = (*(md.Offer("CN", "M", t, 1, 100.0, 10.0, 50.0, "Supply!2") for t in PERIODS[:2]),
              *(md.Offer("AU", "M", t, 1, 100.0, 12.0, 0.0, "Supply!3") for t in PERIODS[:2]))
    return replace(
        scenario(periods=PERIODS[:2], suppliers=[("CN", "China"), ("AU", "Australia")],
                 demand=[("B", "M", t, 40) for t in PERIODS[:2]]),
        offers=offers,
        stock_rules=tuple(md.StockRule("B", "M", t, 0.0, 0.0, 35.0, 0.0, "Stockpile!2")
                          for t in PERIODS[:2]),
        policies=(md.Policy("crma", "max_country_share", "China", "B", "M", share, "period",
                            None, "Policies!2"),))


def test_a_cap_bends_by_its_share_in_every_period() -> None:
    """With total purchases T1, T2: stock T1 - 40 <= 35 and (T1 - 40) + (T2 - 40) <= 35,
    and China's 50 <= s T in each period. The share every period's cap must reach is
    least when 50 / T1 = 50 / (115 - T1): T1 = 57.5, s = 50 / 57.5 = 86.96 %, rounded
    up to 87.0 % (by 47 points). Alone instead: the take-or-pay q with T = 2.5 q gives
    5 q - 80 <= 35, q <= 23 (by 27); the ceiling must hold 2 x (125 - 40) = 170 (by 135)."""
    bends = _by_row(diagnose(_capped()).bends)
    cap = bends["Policies!2"]
    assert cap.action == "raise the share of Policies!2" and cap.unit == SHARE
    assert (cap.amount, cap.start, cap.end, cap.rules) == (0.47, 0.4, 0.87, 2)
    assert (bends["Supply!2"].amount, bends["Supply!2"].end) == (27, 23)
    assert (bends["Stockpile!2"].amount, bends["Stockpile!2"].end) == (135, 170)
    assert diagnose(_capped(0.87)).feasible and not diagnose(_capped(0.869)).feasible


def test_the_shipped_scenario_with_two_budgets_out_of_reach() -> None:
    """Budgets of 100 M USD (Japan) and 50 M USD (EU) a year beside Lynas's take-or-pay of
    3,000 t of NdPr oxide a year (Supply!8, landed at 76,000 USD/t in Japan and 76,500 in
    the EU). Together they can pay for 1e8 / 76,000 + 5e7 / 76,500 = 1,969.4 t: lower the
    take-or-pay by 1,030.6, rounded up to 1,031 (to 1,969 t); or raise Japan's budget to
    (3,000 - 653.6) x 76,000 = 178.33 M (by 78,330,000) or the EU's to (3,000 - 1,315.8)
    x 76,500 = 128.84 M (by 78,850,000 rounded up). Each row is one `*` row of ten
    periods. On the shipped workbook as it was before pooling (an LP; since then the
    Lynas tranche is Japan's alone and the Caremag deal shares the budgets)."""
    data = load_workbook(BEFORE_POOLING).scenario("base")
    budgets = tuple(md.Budget(b, t, amount, src) for b, amount, src in (
        ("Japan", 1e8, "Budgets!2"), ("EU", 5e7, "Budgets!3")) for t in data.period_labels)
    result = diagnose(replace(data, budgets=budgets))
    bends = {b.action: (b.amount, b.start, b.end, b.unit, b.rules) for b in result.bends}
    assert bends == {
        "lower the minimum offtake of Supply!8": (1031, 3000, 1969, "t", 10),
        "raise the budget of Budgets!2": (78_330_000, 1e8, 178_330_000, "USD", 10),
        "raise the budget of Budgets!3": (78_850_000, 5e7, 128_850_000, "USD", 10)}


def _budget_conflict(book: Path) -> Path:
    """The template's `*` budget of Japan (Budgets!2) lowered to 100,000,000 USD; MP
    Materials' `*` NdPr row (Supply!6) gets a take-or-pay of 1,300 t, its route to the EU
    is closed: only Japan can take it, at 110,000 + 2,500 freight = 112,500 USD/t."""
    set_cell(book, "Budgets", 2, "budget", 1e8)
    set_cell(book, "Supply", 6, "min_offtake", 1300)
    append_row(book, "Routes", {"supplier": "MP Materials", "buyer": "EU", "freight": 0,
                                "tariff": 0, "lead_time": 0, "open": "no"})
    return book


def test_budget_message_in_the_currency_and_the_fix_as_printed_solves(book: Path) -> None:
    """1,300 t x 112,500 = 146,250,000 USD a year against 100,000,000: raise the budget by
    46,250,000 USD; or lower the take-or-pay to 1e8 / 112,500 = 888.9 t, by 411.1 rounded
    up to 411.2 (to 888.8 t). Each change, made in the workbook as printed, solves."""
    _budget_conflict(book)
    proc = run("diagnose", book)
    assert proc.returncode == 1
    assert ("raise the budget of Budgets!2 by 46,250,000 USD (from 100,000,000 USD to "
            "146,250,000 USD)") in proc.stderr, proc.stderr
    assert ("lower the minimum offtake of Supply!6 by 411.2 t (from 1,300 t to 888.8 t)"
            in proc.stderr), proc.stderr
    assert "e+0" not in proc.stderr
    data = json.loads(run("diagnose", book, "--json").stdout)
    budget = next(b for b in data["bends"] if b["workbook_row"] == "Budgets!2")
    assert {k: budget[k] for k in ("amount", "from", "to", "unit", "rules")} == {
        "amount": 46_250_000, "from": 1e8, "to": 146_250_000, "unit": "USD", "rules": 2}
    assert data["together"] == []
    set_cell(book, "Budgets", 2, "budget", 146_250_000)
    assert run("solve", book, "-o", book.with_name("budget.xlsx"), "-q").returncode == 0
    set_cell(book, "Budgets", 2, "budget", 1e8)
    set_cell(book, "Supply", 6, "min_offtake", 888.8)
    assert run("solve", book, "-o", book.with_name("offtake.xlsx"), "-q").returncode == 0


def test_rows_that_bend_together_are_printed_with_their_amounts(book: Path) -> None:
    """Two separate conflicts, no sharing between the partners: the budget one above, and
    the EU starting with 300 t of Dy oxide (Stockpile!3) under a `*` ceiling of 20 while
    it uses 250 a year: it ends 2026 with at least 50 t. No row is enough alone. The
    fewest rows together are two: the ceiling by 30 t (to 50), the only rule of its
    conflict, and, of the budget (46,250,000 / 100,000,000 = 46 % more) and the
    take-or-pay (411.2 / 1,300 = 32 % less), the smaller relative change. Made in the
    workbook as printed, the two changes solve."""
    _budget_conflict(book)
    edit(book, lambda wb: wb["Sharing"].delete_rows(2, 2))
    set_cell(book, "Stockpile", 3, "initial", 300)
    set_cell(book, "Stockpile", 3, "max_level", 20)
    proc = run("diagnose", book)
    assert proc.returncode == 1
    assert "No single workbook row can bend enough on its own" in proc.stderr, proc.stderr
    assert "  - lower the minimum offtake of Supply!6 by 411.2 t (from 1,300 t to 888.8 t)\n" \
        in proc.stderr
    assert "  - raise the ceiling of Stockpile!3 by 30 t (from 20 t to 50 t)\n" in proc.stderr
    data = json.loads(run("diagnose", book, "--json").stdout)
    assert data["bends"] == []
    assert {(b["workbook_row"], b["amount"], b["from"], b["to"], b["unit"])
            for b in data["together"]} == {("Supply!6", 411.2, 1300, 888.8, "t"),
                                           ("Stockpile!3", 30, 20, 50, "t")}
    set_cell(book, "Supply", 6, "min_offtake", 888.8)
    set_cell(book, "Stockpile", 3, "max_level", 50)
    assert run("solve", book, "-o", book.with_name("fixed.xlsx"), "-q").returncode == 0
