"""A stress test of one plan in N scenarios, against raw highspy solving the same LPs.

    python benchmarks/bench_stress.py [--scenarios 200] [--seed 7] [--repeat 3] [--rebuild]

On the shipped Japan-EU scenario, the base plan is stressed in N random disruption
scenarios (the generator of `bench_stochastic.py`, seeded) plus "no disruption", three
ways, in one run:

1. coprocure, in this process: `optimizer.planning.stress.stress_plan`, whose jobs share
   one Pyomo model built and compiled once (`models/world.py`,
   `optimizer/solving/resolve.py`), each scenario set, re-solved warm from the plan's
   basis and read into its report row;
2. raw highspy: the very same N+1 LPs as arrays (taken from the compiled model, not
   timed), passed once, each then changed in place (row and column bounds, costs,
   coefficients, objective constant), re-solved from the same reference basis (solver
   data cleared first, as coprocure does so that a result does not depend on the
   previous solve) and its solution read (`getSolution`): the floor for solving these
   LPs from Python;
3. with `--rebuild`: the path before compile-once, a Pyomo model built, compiled and
   solved cold per scenario (`build_extensive_form`, `solve_model`).

Costs must agree to 1e-7 relative. Reports the best of K runs of each path (taking
turns), seconds, milliseconds per LP and ratios to raw; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from pyomo.common.gc_manager import PauseGC

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_stochastic import SHIPPED, with_random_disruptions  # noqa: E402

from models.index import build_index  # noqa: E402
from models.stochastic import build_any_world, build_extensive_form  # noqa: E402
from models.world import outlooks  # noqa: E402
from optimizer.planning import stress, worlds  # noqa: E402
from optimizer.solving.highs import new_highs, pass_lp, solve_model  # noqa: E402
from optimizer.solving.plan import solve_plan  # noqa: E402
from optimizer.solving.resolve import Resolver  # noqa: E402
from optimizer.workbook.load import load_workbook  # noqa: E402


def the_lps(jobs: list) -> list:
    """Every job's LP as arrays, from one compiled model (not timed)."""
    data, contracts, _, signed, rebates, aimed, _ = jobs[0].args
    ix = build_index(data)
    m = build_any_world(data, ix, contracts, aimed, signed, rebates)
    resolver = Resolver(m, m.world.variables, *m.world.switched())
    lps = []
    for outlook in [worlds.CALM] + [j.args[2] for j in jobs]:
        resolver.read(m.world.set(outlook))
        lps.append(resolver.current())
    return lps


def raw(lps: list) -> tuple[float, list[float]]:
    """Pass the first LP, then change each next one in place and re-solve it from the
    first one's basis; the solution read every time."""
    changes = []
    for prev, lp in itertools.pairwise(lps):
        rows = np.flatnonzero((lp.row_lower != prev.row_lower) | (lp.row_upper != prev.row_upper))
        cols = np.flatnonzero((lp.col_lower != prev.col_lower) | (lp.col_upper != prev.col_upper))
        costs = np.flatnonzero(lp.cost != prev.cost)
        entries = np.flatnonzero(lp.matrix.data != prev.matrix.data)
        col_of = np.searchsorted(lp.matrix.indptr, entries, side="right") - 1
        changes.append((rows.astype(np.int32), lp.row_lower[rows], lp.row_upper[rows],
                        cols.astype(np.int32), lp.col_lower[cols], lp.col_upper[cols],
                        costs.astype(np.int32), lp.cost[costs], lp.offset,
                        [(int(lp.matrix.indices[e]), int(c), float(lp.matrix.data[e]))
                         for e, c in zip(entries, col_of, strict=True)]))
    t0 = time.perf_counter()
    h = new_highs()
    pass_lp(h, lps[0])
    h.run()
    reference = h.getBasis()
    objectives = []
    for rows, rl, ru, cols, cl, cu, costs, c, offset, coefs in changes:
        if len(rows):
            h.changeRowsBounds(len(rows), rows, rl, ru)
        if len(cols):
            h.changeColsBounds(len(cols), cols, cl, cu)
        if len(costs):
            h.changeColsCost(len(costs), costs, c)
        h.changeObjectiveOffset(offset)
        for r, col, v in coefs:
            h.changeCoeff(r, col, v)
        h.clearSolver()  # as coprocure does: nothing of the previous solve carries over
        h.setBasis(reference)
        h.run()
        h.getSolution()
        objectives.append(h.getInfo().objective_function_value)
    return time.perf_counter() - t0, objectives


def rebuilt(jobs: list) -> tuple[float, list[float]]:
    data, contracts, _, signed, rebates, *_ = jobs[0].args
    t0 = time.perf_counter()
    ix = build_index(data)
    costs = []
    with PauseGC():
        for job in jobs:
            o = job.args[2]
            m = build_extensive_form(data, [replace(o, probability=1.0)], contracts=contracts,
                                     ix=ix, signed=signed, rebates=rebates)
            outcome = solve_model(m)
            costs.append(float(outcome.objective))  # type: ignore[arg-type]
    return time.perf_counter() - t0, costs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true", help="also time the rebuild path")
    ap.add_argument("--repeat", type=int, default=3, help="best of K (default 3)")
    args = ap.parse_args()
    base = load_workbook(SHIPPED).scenario("base")
    plan = solve_plan(base).result
    assert plan is not None
    data = with_random_disruptions(base, args.scenarios, args.seed)
    stress.stress_plan(plan, outlooks(data)[:2], data)  # warm-up: lazy imports
    worlds._last.clear()
    jobs = stress.stress_jobs(plan, outlooks(data), data)
    n = len(jobs)
    lps = the_lps(jobs)
    raw_s, ours_s, setup, per_world = (float("inf"),) * 4
    for _ in range(args.repeat):  # the paths take turns; best of K each
        seconds, raw_costs = raw(lps)
        raw_s = min(raw_s, seconds)
        worlds._last.clear()
        t0 = time.perf_counter()
        result = stress.stress_plan(plan, outlooks(data), data)
        seconds = time.perf_counter() - t0
        if seconds < ours_s:
            ours_s, setup = seconds, worlds._last[0].setup_s
            per_world = ours_s - setup
    cost_of = {s.scenario: s.cost for s in result.scenarios}
    ours = [cost_of[job.args[2].name] for job in jobs]  # in the jobs' order, as raw's
    worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, raw_costs, strict=True))
    print(f"{n} LPs ({args.scenarios} scenarios + no disruption), {len(lps[0].columns):,} "
          f"columns, {len(lps[0].rows):,} rows; costs agree to {worst:.1e} relative")
    rows = [("raw highspy, changed in place, warm", raw_s),
            ("coprocure stress_plan, compiled once", ours_s)]
    if args.rebuild:
        rebuild_s, costs = rebuilt(jobs)
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, costs, strict=True))
        rows.append((f"rebuilt per scenario (agree to {worst:.1e})", rebuild_s))
    rows.insert(2, ("  of which built, compiled, first solve", setup))
    rows.insert(3, ("  of which the rest (jobs, worlds, results)", per_world))
    print(f"{'path':<48} {'seconds':>8} {'ms per LP':>10} {'x raw':>7}")
    for name, s in rows:
        print(f"{name:<48} {s:>8.2f} {1000 * s / n:>10.2f} {s / raw_s:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
