"""A 20-point sweep of one right-hand side, three ways, in one run.

    python benchmarks/bench_sweep.py [--size medium] [--points 20]

The medium synthetic scenario of `bench_lp.py`; the swept value is the capacity of the
offer tranche whose capacity is worth most (the largest capacity dual of the base
solve), from 0.5x to 1.5x of its own value:

1. coprocure's sweep path (`optimizer.solving.parametric.parametric_sweep`): the Pyomo model
   built once, compiled once (a right-hand side: the swept value a column whose bounds
   each point fixes), each point re-solved warm in one HiGHS instance; results extracted
   and checked per point;
2. raw highspy: the same LP as arrays (compiled from the Pyomo model before the clock
   starts), passed once, the one row bound changed per point, re-solved warm and its
   solution read per point (no tables);
3. rebuilding per point: `optimizer.solving.plan.solve_plan` for every point.

Objectives must agree to 1e-6 relative. Reports seconds and ratios to raw; asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_lp  # noqa: E402

from models.build import build_model  # noqa: E402
from optimizer.solving.highs import compile_lp, new_highs, pass_lp  # noqa: E402
from optimizer.solving.parametric import parametric_sweep  # noqa: E402
from optimizer.solving.plan import solve_plan  # noqa: E402


def raw_sweep(data, offer: int, values: np.ndarray) -> tuple[float, list[float]]:
    """The same LP as arrays (compiled from the Pyomo model before the clock starts),
    passed once, the offer's capacity row bound changed per point and re-solved warm,
    the solution read per point: the floor for this sweep from Python."""
    o = data.offers[offer]
    m = build_model(data)
    lp = compile_lp(m)
    row = lp.row_of[id(m.capacity[o.supplier, o.material, o.period, o.tier])]
    start = time.perf_counter()
    h = new_highs()
    objectives = []
    for i, value in enumerate(values):
        if i == 0:
            lp.row_upper[row] = value
            pass_lp(h, lp)
        else:
            h.changeRowBounds(row, -np.inf, float(value))
        h.run()
        h.getSolution()
        objectives.append(h.getInfo().objective_function_value)
    return time.perf_counter() - start, objectives


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--no-rebuild", action="store_true", help="skip the slow third path")
    args = ap.parse_args()
    bench_lp.warm_up(2026)
    data = bench_lp.make_scenario(args.size, 2026)
    base = solve_plan(data)
    assert base.outcome is not None
    m = base.outcome.lp.columns[0].model()
    keys = list(m.capacity)
    duals = -base.outcome.duals(m.capacity)
    k = keys[int(np.argmax(duals))]
    offer = next(i for i, o in enumerate(data.offers)
                 if (o.supplier, o.material, o.period, o.tier) == k)
    capacity = data.offers[offer].capacity
    values = np.linspace(0.5 * capacity, 1.5 * capacity, args.points)
    datas = [replace(data, offers=tuple(replace(o, capacity=float(v)) if i == offer else o
                                        for i, o in enumerate(data.offers)))
             for v in values]

    raw_s, raw_obj = raw_sweep(data, offer, values)
    start = time.perf_counter()
    runs = parametric_sweep(datas, list(values))
    ours_s = time.perf_counter() - start
    if runs is None:
        raise SystemExit("the sweep did not qualify for the compile-once path")
    for r, o in zip(runs, raw_obj, strict=True):
        if abs(r.objective - o) > 1e-6 * max(1.0, abs(o)):
            raise SystemExit(f"objectives differ: {r.objective} vs {o}")
    print(f"{args.size}: {args.points} points, capacity of offer {offer} "
          f"({data.offers[offer].supplier}, {data.offers[offer].material}) "
          f"{values[0]:,.1f} .. {values[-1]:,.1f}")
    print(f"  raw highspy, warm             {raw_s:8.2f} s   1.00x")
    print(f"  coprocure, compiled once      {ours_s:8.2f} s   {ours_s / raw_s:.2f}x")
    if not args.no_rebuild:
        start = time.perf_counter()
        for d in datas:
            solve_plan(d)
        rebuild_s = time.perf_counter() - start
        print(f"  coprocure, rebuilt per point  {rebuild_s:8.2f} s   {rebuild_s / raw_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
