"""Plans that differ only in numbers, planned on one shared model, are the plans a model
of their own gives (issue 16, "strategies that change only numbers").

The reference is ``solve_plan``: each scenario's own model, built, compiled and solved.
The shared path builds one model for the group, with the numbers that differ held as
data, compiles it once and solves each scenario's LP as ``solve_plan`` would. Statuses
must agree, and objectives and every cost component to 1e-7 (relative).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models import data as md
from models.build import build_model
from models.index import build_index
from optimizer.planning.batch import BatchPlanner
from optimizer.runs.executor import Executor
from optimizer.runs.local_pool import LocalExecutor
from optimizer.solving.highs import compile_lp, lp_shape
from optimizer.solving.plan import PlanRun, solve_plan
from optimizer.solving.shared import SHARED_MIN, groups, plan_shared, release
from optimizer.workbook.load import load_workbook
from tests.factory import random_pooling, random_processing, random_scenarios

ROOT = Path(__file__).resolve().parents[1]
REL = 1e-7


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(a), abs(b))


def factor(draw) -> float:
    return draw(st.floats(0.5, 2.0))


def renumbered(draw, data: md.ScenarioData) -> md.ScenarioData:
    """``data`` with other prices (where no discount schedule prices the offer), other
    capacities and minimum offtakes, stock floors, holding costs, budgets and shortage
    penalty: numbers only, each positive one still positive."""
    discounted = {(d.supplier, d.material) for d in data.discounts}
    offers = []
    for o in data.offers:
        k = factor(draw)
        price = o.price if (o.supplier, o.material) in discounted else o.price * factor(draw)
        offers.append(replace(o, price=price, capacity=o.capacity * k,
                              min_offtake=o.min_offtake * k))
    rules = tuple(replace(r, min_days=r.min_days * factor(draw),
                          holding_cost=r.holding_cost * factor(draw)) for r in data.stock_rules)
    budgets = tuple(replace(b, amount=b.amount * factor(draw)) for b in data.budgets)
    return replace(data, offers=tuple(offers), stock_rules=rules, budgets=budgets,
                   settings=replace(data.settings, shortage_penalty=data.settings.shortage_penalty
                                    * factor(draw)))


@st.composite
def number_variants(draw) -> list[md.ScenarioData]:
    kind = draw(st.sampled_from([random_scenarios(), random_pooling(), random_processing()]))
    data = draw(kind)
    return [data, *(renumbered(draw, data) for _ in range(SHARED_MIN))]


def same_plan(shared: PlanRun, own: PlanRun) -> None:
    assert shared.status == own.status
    if own.result is None:
        assert shared.result is None
        return
    assert shared.result is not None
    assert shared.options.get("shared_model") is True
    assert not shared.violations
    a, b = shared.result, own.result
    assert close(a.objective, b.objective), (a.objective, b.objective)
    assert close(a.total_cost, b.total_cost)
    for name, value in b.cost_breakdown.items():
        assert close(a.cost_breakdown[name], value), name
    assert close(float(a.purchases["cost"].sum()), float(b.purchases["cost"].sum()))
    if shared.outcome is not None:  # in this process (a batch job's is left where it ran)
        # the LP handed to HiGHS: the same rows and columns, each row the same way round
        # (a ">=" row over data held in a fixed variable must not come out negated), and
        # the same numbers
        model = build_model(own.result.scenario)  # kept alive: its rows name themselves
        lp, own_lp = shared.outcome.lp, compile_lp(model)
        assert lp_shape(lp) == lp_shape(own_lp)
        for x, y in ((lp.cost, own_lp.cost), (lp.row_lower, own_lp.row_lower),
                     (lp.row_upper, own_lp.row_upper),
                     (lp.matrix.toarray(), own_lp.matrix.toarray())):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0)
    # so the same shadow prices, rule by rule
    prices = [(["|".join(map(str, r)) for r in t[["rule", "buyer", "material", "period"]]
                .itertuples(index=False)], t["shadow_price"].to_numpy(float))
              for t in (a.constraints, b.constraints)]
    assert prices[0][0] == prices[1][0]
    np.testing.assert_allclose(prices[0][1], prices[1][1], rtol=1e-6, atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(number_variants())
def test_a_shared_model_plans_as_a_model_of_its_own(datas: list[md.ScenarioData]) -> None:
    found = groups([build_index(d) for d in datas])
    assume(found)  # a changed price can re-rank discount brackets: another structure
    try:
        for group, members in found:
            for i in members:
                same_plan(plan_shared(datas[i], group, None), solve_plan(datas[i]))
    finally:
        release()


def priced(data: md.ScenarioData, k: float) -> md.ScenarioData:
    """``data`` with every Chinese offer's price times ``k``: another number, one
    structure."""
    china = {s.name for s in data.suppliers if s.country == "China"}
    out = replace(data, offers=tuple(replace(o, price=o.price * k) if o.supplier in china
                                     else o for o in data.offers),
                  settings=replace(data.settings, name=f"china x{k}"), credit=None)
    return replace(out, credit=tuple(md.credit_prices(out).items()))  # as the reader does


def test_strategies_that_change_only_numbers_share_one_model_in_a_batch() -> None:
    """Strategies of the shipped scenario that change prices and stock floors form one
    group with the base; planned by a batch in this process and on two local workers
    (grouped there from SHARED_MIN plans a process), each plan is the one its own model
    gives, and the strategies of other structures are planned as before."""
    loaded = load_workbook(ROOT / "scenarios" / "japan-eu-2030.xlsx")
    base = loaded.scenario("base")
    # crma-65 goes first (the batch's reference basis): the base then belongs to the
    # batch's later plans, with six other strategies of its structure
    datas = [loaded.scenario("crma-65"), base, loaded.scenario("stock-90d"),
             loaded.scenario("ndpr-69"), loaded.scenario("no-new-china"),
             *(priced(base, k) for k in (0.8, 0.9, 1.1, 1.2))]
    grouped = {1, 2, 3, 5, 6, 7, 8}
    own = [solve_plan(d) for d in datas]
    for executor in (Executor(), LocalExecutor(2)):
        assert len(grouped) >= SHARED_MIN * executor.parallelism
        with executor:
            planned = BatchPlanner(executor).plan(datas, [d.settings.name for d in datas])
        for i, ((run, _), reference) in enumerate(zip(planned, own, strict=True)):
            assert run.options.get("shared_model", False) is (i in grouped), i
            if i in grouped:
                same_plan(run, reference)
            assert close(run.objective, reference.objective), i
