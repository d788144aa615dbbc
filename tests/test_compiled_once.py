"""A batch of worlds compiled once gives what building a model per world gives (issue 16).

The reference is the path the project used before: for each scenario, the two-stage
model of that one world built by ``build_extensive_form`` and solved cold by
``solve_model``. The compiled-once path builds one model whose numbers are data, sets it
to each world and re-solves warm from the no-disruption world's basis. Costs must agree
to 1e-7 (relative); so must every shortfall, spot purchase and reserve gap, which are
unique here because each unit of them costs something different from any other way.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models import data as md
from models.index import build_index
from models.stochastic import build_extensive_form
from models.world import outlooks
from optimizer.planning import worlds
from optimizer.planning.robust import hindsight_cost
from optimizer.planning.stress import contracts_of, rebates_of, stress_jobs, stress_one, stress_plan
from optimizer.runs.executor import run_chunk
from optimizer.solving.highs import solve_model
from optimizer.solving.plan import solve_plan
from optimizer.workbook.load import load_workbook
from tests.factory import random_pooling, random_processing, random_scenarios

ROOT = Path(__file__).resolve().parents[1]
REL = 1e-7


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(a), abs(b))


@st.composite
def disrupted(draw) -> md.ScenarioData:
    """A random scenario of any kind (plain, deals and discounts, processing) with two to
    four disruptions: shocks on offers and on facilities, some aimed at one partner."""
    kind = draw(st.sampled_from([random_scenarios(), random_pooling(), random_processing()]))
    data = draw(kind)
    keys = sorted({(o.supplier, o.material, o.period) for o in data.offers}
                  | {(r.facility, r.output, r.period) for r in data.recipes})
    assume(keys)
    scenarios = []
    for i in range(draw(st.integers(2, 4))):
        hit = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True))
        shocks = tuple(md.Shock(s, m, t, draw(st.floats(0.0, 1.0)), draw(st.floats(1.0, 3.0)),
                                buyer=draw(st.sampled_from([None, *data.buyers])))
                       for s, m, t in hit)
        scenarios.append(md.DisruptionScenario(f"d{i}", draw(st.floats(0.0, 0.2)), shocks))
    return replace(data, disruptions=tuple(scenarios))


def rebuilt(data: md.ScenarioData, plan) -> list[dict]:
    """Each world of ``data`` the old way: its own model, built and solved cold."""
    ix = build_index(data)
    contracts = contracts_of(ix, plan.purchases)
    rebates = rebates_of(ix, plan.purchases) if data.discounts else None
    out = []
    for o in outlooks(data):
        m = build_extensive_form(data, [replace(o, probability=1.0)], contracts=contracts,
                                 ix=ix, signed=plan.signed, rebates=rebates)
        outcome = solve_model(m)
        blk = m.scenario[0]
        out.append({"cost": outcome.objective, "short": float(outcome.values(blk.short).sum()),
                    "spot": float(outcome.values(blk.spot).sum())})
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(disrupted())
def test_stress_compiled_once_equals_a_model_per_world(data: md.ScenarioData) -> None:
    run = solve_plan(data)
    assume(run.result is not None)
    assert run.result is not None
    worlds._last.clear()
    ours = stress_plan(run.result).scenarios
    for mine, ref in zip(ours, rebuilt(data, run.result), strict=True):
        # a world can have no plan on both paths: a facility cut under a hard cap at its
        # stage (the plan's contracts then exceed the cap's share alone); the same answer
        assert (mine.cost is None) == (ref["cost"] is None), (mine.scenario, mine.cost, ref)
        if mine.cost is None:
            continue
        assert close(mine.cost, ref["cost"]), (mine.scenario, mine.cost, ref["cost"])
        assert close(mine.shortfall, ref["short"]), (mine.scenario, mine.shortfall, ref)
        assert close(mine.spot_bought, ref["spot"]), (mine.scenario, mine.spot_bought, ref)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(disrupted())
def test_hindsight_compiled_once_equals_a_model_per_world(data: md.ScenarioData) -> None:
    """EVPI's hindsight plans (contracts decided knowing the world; a MIP where deals
    exist, solved to a zero gap here) compiled once, against one model per world."""
    data = replace(data, settings=replace(data.settings, mip_gap=0.0))
    worlds._last.clear()
    for o in outlooks(data):
        ref = solve_model(build_extensive_form(data, [replace(o, probability=1.0)]),
                          mip_gap=0.0)
        mine = hindsight_cost(data, o)
        if ref.objective is None:
            assert mine is None
        else:
            assert mine is not None and abs(mine - ref.objective) <= 1e-6 * max(
                1.0, abs(ref.objective)), (o.name, mine, ref.objective)


def test_results_do_not_depend_on_how_a_batch_is_chunked() -> None:
    """Every world starts from the same basis: the shipped scenario's stress jobs give
    the same numbers run as one chunk, one per chunk or in reverse order."""
    data = load_workbook(ROOT / "scenarios" / "japan-eu-2030.xlsx").scenario("base")
    plan = solve_plan(data).result
    assert plan is not None
    jobs = stress_jobs(plan)

    def numbers(results: list) -> list[tuple]:
        return sorted((r.scenario, r.cost, r.shortfall, r.spot_bought, r.short_rows,
                       r.spot_rows, r.lapsed_rows, r.cap_rows) for r in results)

    worlds._last.clear()
    together = run_chunk(jobs)
    worlds._last.clear()
    apart = []
    for job in jobs:
        worlds._last.clear()  # a fresh model each time, as on a worker of its own
        apart += run_chunk([job])
    worlds._last.clear()
    backwards = run_chunk(jobs[::-1])
    assert numbers(together) == numbers(apart) == numbers(backwards)


def test_a_job_aimed_outside_its_batch_gets_a_model_with_its_rows() -> None:
    """A world aiming a shock at a partner on arcs the kept model has no rows for is
    solved in a model built with them (not in the kept one, which would ignore them)."""
    data = load_workbook(ROOT / "scenarios" / "japan-eu-2030.xlsx").scenario("base")
    plan = solve_plan(data).result
    assert plan is not None
    jobs = stress_jobs(plan)
    aimed = [j for j in jobs if j.args[5]]
    assert aimed, "the shipped scenario aims a shock at Japan"
    worlds._last.clear()
    first = jobs[0]
    stress_one(*first.args[:5], frozenset(), first.args[6])  # a model without aimed rows
    job = aimed[0]
    alone = stress_one(*job.args[:5], frozenset(), job.args[6])
    worlds._last.clear()
    with_batch = stress_one(*job.args)
    assert alone.cost == pytest.approx(with_batch.cost, rel=REL)
    assert alone.shortfall == pytest.approx(with_batch.shortfall, rel=REL, abs=1e-9)


def test_negligible_numbers_are_flushed_as_when_compiling() -> None:
    """A holding cost of 2.2e-309 (Hypothesis found one) reads as 0 in a model compiled
    once, as in any compiled model: HiGHS mis-solves models holding such numbers
    (optimizer/solving/highs.py, NEGLIGIBLE)."""
    import pyomo.environ as pyo

    from optimizer.solving.resolve import Resolver

    m = pyo.ConcreteModel()
    m.p = pyo.Var(initialize=1.0)
    m.p.fix()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(0, 10))
    m.row = pyo.Constraint(expr=m.x + m.y >= 2.0 * m.p)
    m.cost = pyo.Objective(expr=2.2e-309 * m.x + 1e-300 * m.p * m.y)
    lp = Resolver(m, [m.p]).current()
    assert list(lp.cost) == [0.0, 0.0]
    assert 2.0 in (lp.row_lower[0], -lp.row_upper[0])  # x + y >= 2, either way round
