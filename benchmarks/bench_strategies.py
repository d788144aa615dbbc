"""Strategies that change only numbers, planned with and without a shared model.

    python benchmarks/bench_strategies.py [--size medium] [--strategies 8] [--workers 1]

The synthetic scenario of `bench_lp.py` and ``--strategies`` variants of it that change
numbers only, the kind of strategies a planner writes: one country's prices up or down,
every stock floor raised, a supplier's capacity cut, the shortage penalty changed. The
base and every variant are planned by compare's batch planner
(`optimizer.planning.batch.BatchPlanner`), which plans the base alone (the reference
basis) and then the rest, twice in one run:

1. ``share=True`` (what coprocure does): the variants of one structure share one Pyomo
   model, built once and compiled once by the parameterized compiler, in as many jobs as
   there are workers while each keeps at least three plans;
2. ``share=False`` (the path before): every variant builds and compiles its own model.

Both solve each LP the same way, in a new HiGHS instance from the base's basis, so the
difference is building and compiling. Objectives must agree to 1e-7 relative. Also
reported: one plain index, build and compile of the base against the shared model's
parameterized compile (the break-even number of plans). Reports seconds and ratios;
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_lp  # noqa: E402
from pyomo.common.gc_manager import PauseGC  # noqa: E402

from models import data as md  # noqa: E402
from models.build import build_model  # noqa: E402
from models.index import build_index  # noqa: E402
from optimizer.planning.batch import BatchPlanner  # noqa: E402
from optimizer.runs.executor import Executor  # noqa: E402
from optimizer.solving.highs import compile_lp  # noqa: E402
from optimizer.solving.shared import SharedModel, groups  # noqa: E402


def variants(data: md.ScenarioData, n: int) -> list[md.ScenarioData]:
    """``n`` strategies of ``data`` that change numbers only, named ``v0``..."""
    countries = sorted({s.country for s in data.suppliers})
    country = {s.name: s.country for s in data.suppliers}
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:  # one country's prices, up or down
            c, k = countries[(i // 4) % len(countries)], 1.25 if i % 8 == 0 else 0.8
            changed = replace(data, offers=tuple(
                replace(o, price=o.price * k) if country[o.supplier] == c else o
                for o in data.offers))
        elif kind == 1:  # every floor raised
            k = 1.5 + i / 10
            changed = replace(data, stock_rules=tuple(
                replace(r, min_days=r.min_days * k, min_level=r.min_level * k)
                for r in data.stock_rules))
        elif kind == 2:  # one supplier's capacity cut
            s = data.suppliers[i % len(data.suppliers)].name
            changed = replace(data, offers=tuple(
                replace(o, capacity=o.capacity * 0.5, min_offtake=o.min_offtake * 0.5)
                if o.supplier == s else o for o in data.offers))
        else:  # the shortage penalty
            changed = replace(data, settings=replace(
                data.settings, shortage_penalty=data.settings.shortage_penalty * (1.5 + i)))
        out.append(replace(changed, settings=replace(changed.settings, name=f"v{i}")))
    return out


def executor_of(workers: int) -> Executor:
    if workers == 1:
        return Executor()
    from optimizer.runs.local_pool import LocalExecutor

    return LocalExecutor(workers)


def planned(datas: list[md.ScenarioData], share: bool, workers: int
            ) -> tuple[float, list[float | None]]:
    with executor_of(workers) as executor:
        t0 = time.perf_counter()
        runs = BatchPlanner(executor, share=share).plan(datas, [d.settings.name for d in datas])
        return time.perf_counter() - t0, [run.objective for run, _ in runs]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="medium", choices=list(bench_lp.SIZES))
    ap.add_argument("--strategies", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    data = bench_lp.make_scenario(args.size)
    datas = [data, *variants(data, args.strategies)]
    found = groups([build_index(d) for d in datas[1:]])
    print(f"{args.size}: base + {args.strategies} strategies, "
          f"{sum(len(m) for _, m in found)} of them in {len(found)} group(s) of one "
          f"structure; {args.workers} worker(s)")

    compile_lp(build_model(data))  # imports and Pyomo's first-compile work, off the clock
    with PauseGC():  # as every plan is built
        t0 = time.perf_counter()
        ix = build_index(data)
        compile_lp(build_model(data, ix))
        plain = time.perf_counter() - t0
    if found:
        first = datas[1 + found[0][1][0]]
        with PauseGC():
            t0 = time.perf_counter()
            SharedModel(first, build_index(first), found[0][0])
            param = time.perf_counter() - t0
        print(f"  one plain index + build + compile {plain:6.2f} s; the shared model's "
              f"build + parameterized compile {param:6.2f} s ({param / plain:.2f}x)")

    shared_s, shared = planned(datas, True, args.workers)
    own_s, own = planned(datas, False, args.workers)
    for a, b in zip(shared, own, strict=True):
        assert (a is None) == (b is None) and (
            a is None or abs(a - b) <= 1e-7 * max(1.0, abs(b))), (a, b)
    print(f"  batch, every strategy its own model  {own_s:6.2f} s  1.00x")
    print(f"  batch, shared models (coprocure)     {shared_s:6.2f} s  {shared_s / own_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
