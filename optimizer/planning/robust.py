"""Robust planning (SPEC 5): contracts chosen for every disruption scenario at once.

The two-stage extensive form of :mod:`models.stochastic` is solved for its contracts;
the plan is then reported as it stands when nothing goes wrong (its contracts, stock and
costs in the no-disruption scenario, checked like any plan) together with what it costs
in each scenario. The standard measures come with it:

- EVPI = robust expected cost - expected cost of planning each scenario with hindsight
  (the wait-and-see cost): what perfect foresight would be worth;
- VSS = expected cost, under stress, of the plan made for the mean capacities and
  prices - robust expected cost: what planning for the spread, not the average, saves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pyomo.common.gc_manager import PauseGC

from models.build import build_model
from models.data import Offer, ScenarioData
from models.index import build_index
from models.stochastic import build_extensive_form
from models.world import Outlook, aimed_arcs, outlooks
from optimizer.planning.shares import offer_shares
from optimizer.planning.stress import StressResult, stress_jobs, stress_plan, stress_result
from optimizer.planning.worlds import world_model
from optimizer.runs.executor import Executor, Failed, Job, Work
from optimizer.solving.checker import check_plan
from optimizer.solving.extract import extract
from optimizer.solving.highs import Status, solve_model
from optimizer.solving.plan import PlanRun, solve_plan


@dataclass
class RobustInfo:
    risk: str  # expected | cvar
    objective: float  # the extensive form's: expected cost (+ risk_weight x CVaR)
    expected_cost: float | None  # None when a scenario of the stress test has no plan
    stress: StressResult  # the robust plan in every scenario
    wait_and_see: float | None = None
    mean_value_expected: float | None = None  # EEV: the mean-value plan under stress

    # Both measures compare with the robust plan's expected cost under stress: when a
    # scenario of that stress test has no plan (a failed job, a time limit), it is unknown
    # and so are they.
    @property
    def evpi(self) -> float | None:
        if self.wait_and_see is None or self.expected_cost is None:
            return None
        return self.expected_cost - self.wait_and_see

    @property
    def vss(self) -> float | None:
        if self.mean_value_expected is None or self.expected_cost is None:
            return None
        return self.mean_value_expected - self.expected_cost


def plan_robust(data: ScenarioData, measures: bool = True,
                executor: Executor | None = None) -> PlanRun:
    """The robust plan of ``data`` (robust = expected or cvar), complete with its stress
    test and, with ``measures``, EVPI and VSS; their solves run through ``executor``."""
    t0 = time.perf_counter()
    run = robust_contracts(data)
    if run.result is not None:
        work = robust_work(data, run, measures)
        work.finish((executor or Executor()).map(work.jobs))
        run.timings["total_s"] = time.perf_counter() - t0
    return run


def robust_contracts(data: ScenarioData) -> PlanRun:
    """The extensive form solved for its contracts, reported as planned; the stress test
    and the measures are left to :func:`robust_work`."""
    t0 = time.perf_counter()
    with PauseGC():
        ix = build_index(data)
        if ix.impossible:
            return PlanRun(Status.INFEASIBLE, None, reasons=list(ix.impossible))
        ef = build_extensive_form(data, outlooks(data), risk=data.settings.robust, ix=ix)
        outcome = solve_model(ef, data.settings.time_limit_s, mip_gap=data.settings.mip_gap)
        if not outcome.status.has_plan:
            return PlanRun(outcome.status, None, timings={"total_s": time.perf_counter() - t0},
                           options=outcome.options, solver_status=outcome.solver_status)
        signed = {d for d, w in zip(ef.DEALS, outcome.values(ef.sign), strict=True) if w > 0.5}
        run = _as_planned(data, list(outcome.values(ef.buy)), signed)
        if run.result is not None:
            run.result.mip_gap = outcome.mip_gap
    if run.result is not None:
        assert outcome.objective is not None  # the outcome has a plan
        run.result.extra["robust_objective"] = float(outcome.objective)
    run.timings["total_s"] = time.perf_counter() - t0
    return run


def robust_work(data: ScenarioData, run: PlanRun, measures: bool, label: str = "") -> Work:
    """The solves that complete a robust plan: its stress test, and with ``measures`` a
    hindsight plan per scenario (EVPI) and the mean-value plan under stress (VSS)."""
    scenarios = outlooks(data)
    prefix = f"{label} / " if label else ""
    assert run.result is not None  # only a plan with contracts is completed
    jobs = stress_jobs(run.result, scenarios, data, label)
    n = len(jobs)
    if measures:
        aimed = aimed_arcs(build_index(data), scenarios)
        jobs += [Job(f"{prefix}hindsight {o.name}", hindsight_cost, (data, o, aimed))
                 for o in scenarios]
        jobs.append(Job(f"{prefix}mean-value plan", mean_value_expected, (data, scenarios)))

    def finish(results: list) -> None:
        assert run.result is not None  # as when the work was made
        stress = stress_result(jobs[:n], results[:n])
        info = RobustInfo(data.settings.robust, run.result.extra.pop("robust_objective"),
                          stress.expected_cost, stress)
        if measures:
            hindsight = results[n:-1]
            if not any(isinstance(c, Failed) or c is None for c in hindsight):
                info.wait_and_see = sum(o.probability * c
                                        for o, c in zip(scenarios, hindsight, strict=True))
            eev = results[-1]
            info.mean_value_expected = None if isinstance(eev, Failed) else eev
            stress.notes += [str(r) for r in results[n:] if isinstance(r, Failed)]
        run.result.extra["robust"] = info

    return Work(jobs, finish)


def _as_planned(data: ScenarioData, contracts: list[float], signed: set[str]) -> PlanRun:
    """The plan when nothing goes wrong: the ordinary model with each purchase held at its
    contract by its bounds (kept as LP columns, so every table reads as usual), and each
    deal signed or not as the robust plan decided."""
    ix = build_index(data)
    m = build_model(data, ix)
    for var, q in zip(m.purchases, contracts, strict=True):
        var.setlb(max(float(q), 0.0))
        var.setub(max(float(q), 0.0))
    for name, w in m.sign.items():
        w.fix(1 if name in signed else 0)
    outcome = solve_model(m, data.settings.time_limit_s)
    if not outcome.status.has_plan:
        return PlanRun(outcome.status, None, outcome=outcome, options=outcome.options)
    result = extract(data, m, outcome)
    violations = check_plan(data, result.purchases, result.transfers, result.stock,
                            objective=result.objective, signed=result.signers,
                            brackets=result.brackets, processing=result.processing)
    return PlanRun(Status.OPTIMAL, result, violations=violations, options=outcome.options,
                   outcome=outcome)


def hindsight_cost(data: ScenarioData, outlook: Outlook,
                   aimed: frozenset[int] = frozenset()) -> float | None:
    """The cost of planning one scenario knowing it will happen (a batch job; the jobs
    of one batch share one model, see :mod:`optimizer.planning.worlds`; ``aimed``: the
    arcs the batch's scenarios aim a shock at)."""
    with PauseGC():
        outcome = world_model(data, outlook, aimed=aimed).solve(outlook)
    if not outcome.status.has_plan:
        return None
    assert outcome.objective is not None  # the outcome has a plan
    return float(outcome.objective)


def mean_value_scenario(data: ScenarioData, scenarios: list[Outlook]) -> ScenarioData:
    """The deterministic scenario with every offer at its expected capacity and price.

    A deterministic plan has no deliveries per partner, so a row aimed at one partner
    (SPEC 4.14) enters it weighted by that partner's pro-rata share of the offer: an
    embargo on Japan with Japan's share 0.4 counts as 0.4 of the same row on everybody.
    """
    shares = offer_shares(data)

    def mean(off: Offer, own: Callable[[Outlook], dict], aimed: Callable[[Outlook], dict]
             ) -> float:
        k3, k4 = (off.supplier, off.material, off.period), (off.supplier, off.material,
                                                           off.period, off.tier)
        change = 0.0
        for o in scenarios:
            spared = 1.0 - sum(shares[(b, k4)] * (1.0 - aimed(o).get((b, *k3), 1.0))
                               for b in data.buyers)
            change += o.probability * (own(o).get(k3, 1.0) * spared - 1.0)
        return 1.0 + change

    offers = tuple(replace(
        off, capacity=off.capacity * mean(off, lambda o: o.capacity_factor,
                                          lambda o: o.buyer_capacity_factor),
        price=off.price * mean(off, lambda o: o.price_factor, lambda o: o.buyer_price_factor))
        for off in data.offers)
    # a facility's expected capacity (SPEC 3.2: shocks name it like a supplier)
    recipes = tuple(replace(r, capacity=r.capacity * (1.0 + sum(
        o.probability * (o.capacity_factor.get((r.facility, r.output, r.period), 1.0) - 1.0)
        for o in scenarios))) for r in data.recipes)
    return replace(data, offers=offers, recipes=recipes,
                   settings=replace(data.settings, robust="no"))


def mean_value_expected(data: ScenarioData, scenarios: list[Outlook]) -> float | None:
    """EEV: the mean-value plan's contracts, stressed in every scenario of ``data`` (one
    batch job: the plan, then its stress test in this process)."""
    ev = solve_plan(mean_value_scenario(data, scenarios), check=False)
    if ev.result is None:
        return None
    # the EV plan's contracts, stressed in the real scenario (offers at their own prices)
    return stress_plan(ev.result, scenarios, data=data).expected_cost
