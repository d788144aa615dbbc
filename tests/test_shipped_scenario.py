"""The shipped Japan–EU scenario: valid, complete as the brief asks, and sourced."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from optimizer.workbook.load import LoadedWorkbook, load_workbook
from optimizer.workbook.schema import SHEETS
from tests.conftest import BEFORE_POOLING, ROOT, SHIPPED


@pytest.fixture(scope="module")
def shipped() -> LoadedWorkbook:
    return load_workbook(SHIPPED)


def test_valid_without_warnings(shipped: LoadedWorkbook) -> None:
    assert shipped.issues == []


def test_shape(shipped: LoadedWorkbook) -> None:
    s = shipped.scenario()
    assert s.period_labels == tuple(str(y) for y in range(2026, 2036))
    assert s.buyers == ("Japan", "EU")
    assert {"NdPr oxide", "Dy oxide", "Tb oxide"} <= set(s.materials)
    places = {x.country for x in s.suppliers} | {x.origin for x in s.suppliers}
    assert {"China", "Australia", "Malaysia", "United States", "Vietnam", "Myanmar", "Brazil",
            "Estonia", "France"} <= places
    assert any("recycl" in x.name.lower() for x in s.suppliers)
    assert s.stock_rules and s.sharing and s.routes
    assert any(p.kind == "max_country_share" for p in shipped.scenario("crma-65").policies)


def test_required_strategies_and_disruptions(shipped: LoadedWorkbook) -> None:
    assert {"joint", "pro-rata", "sequential", "crma-65", "stock-90d", "no-new-china"} <= set(
        shipped.strategy_names)
    coordination = {n: shipped.scenario(n).settings.coordination
                    for n in ("joint", "pro-rata", "sequential")}
    assert coordination == {"joint": "joint", "pro-rata": "pro-rata", "sequential": "sequential"}
    assert {r.min_days for r in shipped.scenario("stock-90d").stock_rules
            if r.material.endswith("oxide")} == {90}
    assert not any(x.active for x in shipped.scenario("no-new-china").suppliers
                   if x.country == "China")
    names = {d.name for d in shipped.scenario().disruptions}
    assert {"china-hree-export-controls", "myanmar-outage", "lynas-outage"} <= names
    assert sum(d.probability for d in shipped.scenario().disruptions) <= 1


def test_every_number_has_a_source_or_a_note(shipped: LoadedWorkbook) -> None:
    for spec in SHEETS:
        numeric = [c.name for c in spec.columns if c.kind in ("number", "integer")]
        for row in shipped.tables[spec.name]:
            if any(c in row.given for c in numeric) or spec.name == "Settings":
                assert row.values.get("source") or row.values.get("note"), row.src


def test_builder_reproduces_the_shipped_workbook(shipped: LoadedWorkbook, tmp_path: Path) -> None:
    module = runpy.run_path(str(ROOT / "scenarios" / "build_japan_eu_2030.py"))
    rebuilt = load_workbook(module["build"](tmp_path / "rebuilt.xlsx"))
    for name in shipped.strategy_names:
        assert rebuilt.scenario(name) == shipped.scenario(name)


def test_the_shipped_scenario_solves_to_the_objective_it_had_before_pooling() -> None:
    """SPEC 3.1: a workbook without deals or discounts, with closing_stock_value 0, stays
    the LP it was. The shipped workbook as it was before pooling (kept frozen in
    tests/data) and its base plan's objective as measured then (stop 17's Comparison
    sheet): 11,336,380,871 USD, present value, penalties included."""
    from dataclasses import replace

    from optimizer.solving.plan import solve_plan

    data = load_workbook(BEFORE_POOLING).scenario("base")
    run = solve_plan(replace(data, settings=replace(data.settings, closing_stock_value=0.0)))
    assert run.result.mip_gap is None
    assert run.objective == pytest.approx(11_336_380_871, abs=1.0)


def test_the_caremag_plant_is_financed_once_diversifying(shipped: LoadedWorkbook) -> None:
    """SPEC 3.1 on the shipped scenario. With the EU's demand at the stage it uses it (18,000
    t of magnets bought finished, oxide only for the 2,000 t made in the EU), the Caremag
    deal's bankable minimum (450 t Dy a year) is more than the coalition needs while
    Chinese Dy is cheaper: nobody signs it in the base plan, jointly or alone. Under the
    CRMA cap the coalition signs it, and planning alone Japan signs it by itself; the value
    of planning together under the cap is then positive."""
    from optimizer.planning.coordination import plan_coordinated

    assert plan_coordinated(shipped.scenario("base")).result.signers == {}
    assert plan_coordinated(shipped.scenario("pro-rata")).result.signers == {}
    capped = plan_coordinated(shipped.scenario("crma-65"))
    assert capped.result.signers == {"caremag-lacq": "coalition"}
    alone = plan_coordinated(shipped.scenario("crma-65-alone"))
    assert alone.result.signers == {"caremag-lacq": "Japan"}
    assert alone.objective - capped.objective > 50e6


def test_the_shipped_scenario_has_the_stages_from_oxide_to_magnet(
        shipped: LoadedWorkbook) -> None:
    """SPEC 3.2 on the shipped scenario: oxide, metal and magnet stages; the EU's demand
    partly as magnets; the real plants outside China as facilities (Neo's Narva magnet
    plant, its phase 2 inside a co-financed deal, LCM's metal cells); the CRMA cap at every
    stage as a strategy. Planned under it, no stage buys more than 65 % from China; the
    2026 shortfall is what the cap leaves: non-Chinese magnets available in 2026 (Narva
    500, Japanese makers 1,500, Shin-Etsu Vietnam 1,000, Star Group 2,000, Korea 500 =
    5,500 t) allow at most 5,500 x 65 / 35 = 10,214 t of Chinese magnets, so with the
    740 t held at the start 18,000 - 15,714 - 740 = 1,546 t go short."""
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.planning.stages import stage_leaders

    base = shipped.scenario("base")
    assert base.stages == ("oxide", "metal", "magnet")
    assert {d.material for d in base.demand if d.buyer == "EU"} >= {"NdFeB magnet",
                                                                      "NdPr oxide"}
    facilities = {r.facility: (r.country, r.deal) for r in base.recipes}
    assert facilities == {"Neo Narva": ("Estonia", None),
                          "Neo Narva phase 2": ("Estonia", "narva-phase-2"),
                          "Less Common Metals": ("United Kingdom", None)}
    run = plan_coordinated(shipped.scenario("crma-65-stages"))
    leaders = stage_leaders(run.result)
    assert set(leaders) == {"oxide", "metal", "magnet"}
    assert all(share <= 0.65 + 1e-6 for _, share in leaders.values())
    short = run.result.shortfalls
    assert set(zip(short["material"], short["period"], strict=True)) == {
        ("NdFeB magnet", "2026")}
    assert short["shortfall"].sum() == pytest.approx(18_000 - 5_500 * 100 / 35 - 740,
                                                     abs=1e-6)


def test_the_shipped_scenario_holds_every_pooling_family(shipped: LoadedWorkbook) -> None:
    """SPEC 3.1 item by item: a Japan-only entitlement (Lynas tier 1), an embargo aimed at
    Japan alone, a volume-discount schedule, and the CRMA cap planned alone as a
    strategy."""
    base = shipped.scenario("base")
    lynas = {(o.material, o.tier): o.buyers for o in base.offers
             if o.supplier == "Lynas Malaysia"}
    assert {k: v for k, v in lynas.items() if k[1] == 1} == {
        (m, 1): ("Japan",) for m in ("NdPr oxide", "Dy oxide", "Tb oxide")}
    assert all(v is None for k, v in lynas.items() if k[1] == 2)
    aimed = {d.name: {s.buyer for s in d.shocks} for d in base.disruptions}
    assert aimed["china-embargo-on-japan"] == {"Japan"} and aimed["china-embargo"] == {None}
    assert {(d.supplier, d.kind) for d in base.discounts} == {("Neo Silmet", "all-units")}
    alone = shipped.scenario("crma-65-alone")
    assert alone.settings.coordination == "pro-rata"
    assert any(p.name == "country-cap" for p in alone.policies)


def test_days_of_cover_count_the_materials_held_in_reserve(shipped: LoadedWorkbook) -> None:
    """The oxides have reserve floors, magnets and metal none: a partner's days of cover at
    the end count its oxides, so each partner shows the floor it keeps (Japan 60 days, the
    EU 45; 90 under stock-90d), not a figure diluted by 27,924 t a year of magnets that
    nobody stockpiles."""
    from optimizer.planning.coordination import plan_coordinated

    for name, japan, eu in (("base", 60.0, 45.0), ("stock-90d", 90.0, 90.0)):
        cover = plan_coordinated(shipped.scenario(name)).result.buyers.set_index(
            "buyer")["end_days_of_cover"]
        assert cover["Japan"] == pytest.approx(japan) and cover["EU"] == pytest.approx(eu)
