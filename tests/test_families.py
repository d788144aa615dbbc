"""One declaration per constraint family drives the build, the diagnosis and the report.

A scenario where every family has rows and binds: each family's component is built,
each of its rows can be described for a diagnosis, and each binding row is explained in
the shadow-price report (or the family says why it has no shadow price).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models import data as md
from models.build import build_model
from models.families import BY_COMPONENT, FAMILIES
from optimizer.solving.diagnose import diagnose
from optimizer.solving.plan import solve_plan
from optimizer.workbook.schema import SheetName
from tests.factory import scenario, settings

EVERY_FAMILY = scenario(
    periods=("t1", "t2"), buyers=("Japan", "EU"),
    suppliers=[("CN", "China"), ("AU", "Australia"), ("US", "United States")],
    # China is cheap but short in t2 (capacity binds) and Japan's share of it is capped at
    # 40 % (the cap binds); Australia is dearer in t2 (Japan would pre-buy: its ceiling
    # binds); a dear US take-or-pay (the minimum offtake binds); the EU's budgets bind;
    # Japan's floor binds
    # Japan makes its 5 t of P a period from M at plant F (capacity 3 t: it binds) rather
    # than buy it finished at 50
    materials=("M", "P"),
    offers=[("CN", "M", "t1", 60, 10), ("CN", "M", "t2", 20, 10), ("AU", "M", "t1", 200, 12),
            ("AU", "M", "t2", 200, 20), ("US", "M", "t1", 100, 30, 1, 5),
            ("AU", "P", "t1", 100, 50), ("AU", "P", "t2", 100, 50)],
    demand=[(b, "M", t, 40) for b in ("Japan", "EU") for t in ("t1", "t2")]
    + [("Japan", "P", t, 5) for t in ("t1", "t2")],
    recipes=tuple(md.Recipe("F", "Germany", "P", t, (("M", 1.0),), 3.0, 1.0)
                  for t in ("t1", "t2")),
    stock_rules=tuple(md.StockRule("Japan", "M", t, 10.0, 0.0, 12.0, 1.0) for t in ("t1", "t2")),
    policies=(md.Policy("cap", "max_country_share", "China", "Japan", "M", 0.4, "period", None),),
    budgets=(md.Budget("EU", "t1", 300.0), md.Budget("EU", "t2", 300.0)),
    sharing=(md.Sharing("Japan", "EU", "M", 0.5, 5.0),),
    settings=settings(shortage_penalty=100.0))

def test_registry_is_consistent() -> None:
    assert len({f.component for f in FAMILIES}) == len(FAMILIES)
    assert {f.component: f for f in FAMILIES} == BY_COMPONENT
    for family in FAMILIES:
        assert family.sheet is None or family.sheet in set(SheetName), family.name
        assert family.explain is not None or family.unreported, (
            f"{family.name}: explain its shadow price or say why it has none")


def test_every_family_is_built_described_and_reported() -> None:
    m = build_model(EVERY_FAMILY)
    for family in FAMILIES:
        component = family.rows(m)
        expected = pyo.Var if family.bound else pyo.Constraint
        assert component.ctype is expected, family.name
        assert len(component) > 0, f"{family.name} has no rows in the test scenario"
        for index in component:  # the diagnosis can say what every row says
            row = family.row(m.ix, family.key(index))
            assert row.says and row.rule and row.bend, family.name
    run = solve_plan(EVERY_FAMILY)
    reported = set(run.result.constraints["rule"])
    for family in FAMILIES:
        if family.explain is not None:  # every reporting family binds in this scenario
            rules = {family.row(m.ix, family.key(i)).rule for i in family.rows(m)}
            assert rules & reported, f"no binding {family.name} row in the report"


def _one_buyer(**kw) -> md.ScenarioData:
    base = dict(suppliers=[("CN", "China"), ("AU", "Australia")],
                offers=[("CN", "M", "t1", 100, 10), ("AU", "M", "t1", 100, 12)],
                demand=[("B", "M", "t1", 40)], settings=settings(shortage_penalty=100.0))
    return scenario(**{**base, **kw})


INFEASIBLE = {
    # a take-or-pay above what the supplier offers: the offtake or the capacity must bend
    "offtake vs capacity": _one_buyer(offers=[("CN", "M", "t1", 100, 10, 1, 150)]),
    # a take-or-pay the budget cannot pay
    "offtake vs budget": _one_buyer(offers=[("CN", "M", "t1", 100, 10, 1, 50)],
                                    budgets=(md.Budget("B", "t1", 100.0),)),
    # a take-or-pay from China under a 40 % cap, with no room to store what balances it
    "offtake vs cap": _one_buyer(
        offers=[("CN", "M", "t1", 100, 10, 1, 50), ("AU", "M", "t1", 100, 12)],
        policies=(md.Policy("cap", "max_country_share", "China", "B", "M", 0.4, "period",
                            None),),
        stock_rules=(md.StockRule("B", "M", "t1", 0.0, 0.0, 10.0, 0.0),)),
    # a take-or-pay of M that only processing into P could absorb, with no room to store M
    "offtake vs processing": _one_buyer(
        materials=("M", "P"), offers=[("CN", "M", "t1", 100, 10, 1, 80)],
        recipes=(md.Recipe("F", "Germany", "P", "t1", (("M", 1.0),), 20.0, 1.0),),
        stock_rules=(md.StockRule("B", "M", "t1", 0.0, 0.0, 10.0, 0.0),)),
}


def test_diagnosis_covers_every_relaxable_family() -> None:
    """Across three infeasible scenarios, every family whose rows may bend is named in a
    conflict and given how far it must bend alone; but the stockpile floor, a reserve that
    may be drawn at a cost (SPEC 5), never conflicts."""
    bent: set[str] = set()
    for name, data in INFEASIBLE.items():
        result = diagnose(data)
        assert not result.feasible and result.conflict, name
        assert any(b.amount is not None for b in result.bends), name
        bent |= {b.rule.family for b in result.bends}
    relaxable = {f.name for f in FAMILIES if f.relaxable and not f.bound}
    caps = {b for b in bent if b.startswith("max_country_share")}
    assert caps, bent
    assert relaxable - {"diversification cap", "stockpile floor"} <= bent, relaxable - bent
    reserve_out_of_reach = _one_buyer(stock_rules=(md.StockRule("B", "M", "t1", 0.0, 500.0,
                                                                None, 0.0),))
    assert diagnose(reserve_out_of_reach).feasible
