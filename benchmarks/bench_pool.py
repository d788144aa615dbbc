"""When does a local pool pay? Batches of plans of the shipped scenario, in this process
against a freshly started local pool, in one run.

    python benchmarks/bench_pool.py [--sizes 10,20,50,100,200] [--repeat K] [--json PATH]
                                    [--quick]

A batch is N plans (``optimizer.planning.batch.plan_job``, what `compare` sends for its
strategies: plan, check, extract, and the tables sent back) of the shipped workbook's
strategies without robust planning, in turn (base, crma-65, crma-65-soft, stock-90d,
no-new-china): 0.06-0.13 s each on one core here. Every N of ``--sizes`` runs three ways,
each the whole life of the executor of one command (create, map, close):

  1 worker   ``Executor()``: every plan in this process, the baseline;
  pool       ``LocalExecutor(cores())``: a pool started for the batch (what the default
             did before, and what an explicit ``--workers N`` does);
  default    ``LocalExecutor(cores(), pays_from=PAYS_FROM_S)``: the default now, which
             runs the batch here until the solving left is estimated above PAYS_FROM_S.

and a fourth, a pool already warm (``warm pool``: started and used by an earlier batch,
as in the later batches of one command), timed on the map alone.

Apart from the batches, the cost of a pool is measured K times: a fresh pool of one
spawned worker (this process only dispatches) until it has answered a trivial job (spawn
and import of the solve stack), then its first plan (its first Pyomo compile and lazy
imports), then a second (warm).

The ways take turns in rotated order within a repeat (``--repeat``, default 3), so that a
noisy spell hits all of them; each way's time is compared with the 1-worker time of the
same repeat, and the median of those ratios is reported (below 1.00x is faster). The
machine is shared and noisy: read the ratios, not the seconds. Every way must give the
same plans (costs, exactly), else the run stops. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from models import data as md  # noqa: E402
from optimizer.planning.batch import plan_job  # noqa: E402
from optimizer.planning.coordination import plan_coordinated  # noqa: E402
from optimizer.runs.executor import Executor, Job  # noqa: E402
from optimizer.runs.local_pool import PAYS_FROM_S, LocalExecutor, cores  # noqa: E402
from optimizer.workbook.load import load_workbook  # noqa: E402

SHIPPED = HERE.parent / "scenarios" / "japan-eu-2030.xlsx"
STRATEGIES = ("base", "crma-65", "crma-65-soft", "stock-90d", "no-new-china")
SIZES, QUICK_SIZES = (10, 20, 50, 100, 200), (10, 50)
WAYS = ("1 worker", "pool", "default", "warm pool")


def ready() -> int:
    """A trivial job: the solve stack is imported by the worker's initializer."""
    return os.getpid()


def batch(scenarios: list[md.ScenarioData], n: int) -> list[Job]:
    return [Job(f"plan {i}", plan_job, (scenarios[i % len(scenarios)], None, False, False))
            for i in range(n)]


def costs(results: list[Any]) -> list[float | None]:
    return [run.objective for run, _ in results]


def timed(make: Callable[[], Executor], jobs: list[Job]) -> tuple[float, list[Any], str]:
    """One command's executor: created, used for the batch, closed."""
    start = time.perf_counter()
    with make() as ex:
        out = ex.map(jobs)
        where = ex.description
    return time.perf_counter() - start, out, where


def pool_cost(scenario: md.ScenarioData) -> dict[str, float]:
    """A fresh pool of one spawned worker: until it answers, its first plan, a second."""
    out = {}
    start = time.perf_counter()
    with LocalExecutor(1, parent_solves=False) as ex:
        ex.map([Job("ready", ready)])
        out["start (spawn, import)"] = time.perf_counter() - start
        for name in ("first plan", "second plan"):
            start = time.perf_counter()
            ex.map(batch([scenario], 1))
            out[name] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=None, help="batch sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="sizes 10,50, 2 repeats")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(
        QUICK_SIZES if args.quick else SIZES)
    repeat = 2 if args.quick and args.repeat == 3 else args.repeat
    workers = cores()

    loaded = load_workbook(SHIPPED)
    scenarios = [loaded.scenario(name) for name in STRATEGIES]
    plan_coordinated(scenarios[0])  # this process's first compile, as in a command
    start = time.perf_counter()
    single = [plan_job(d, None, False, False)[0].objective for d in scenarios]
    per_plan = (time.perf_counter() - start) / len(scenarios)
    print(f"{workers} cores; load {os.getloadavg()[0]:.1f}; one plan here "
          f"{per_plan * 1000:.0f} ms; default pays from {PAYS_FROM_S:g} s")

    pool = [pool_cost(scenarios[0]) for _ in range(repeat)]
    for name in pool[0]:
        print(f"fresh pool, {name}: " + " / ".join(f"{p[name]:.2f}" for p in pool) + " s")

    warm = LocalExecutor(workers)
    warm.map(batch(scenarios, 4 * workers))  # started, every worker has planned
    ways: dict[str, Callable[[list[Job]], tuple[float, list[Any], str]]] = {
        "1 worker": lambda jobs: timed(Executor, jobs),
        "pool": lambda jobs: timed(lambda: LocalExecutor(workers), jobs),
        "default": lambda jobs: timed(lambda: LocalExecutor(workers, pays_from=PAYS_FROM_S),
                                      jobs),
        "warm pool": lambda jobs: _warm(warm, jobs),
    }
    rows = []
    try:
        for n in sizes:
            jobs = batch(scenarios, n)
            expected = [single[i % len(single)] for i in range(n)]
            load = os.getloadavg()[0]
            times: dict[str, list[float]] = {w: [] for w in WAYS}
            ran_on: dict[str, set[str]] = {w: set() for w in WAYS}
            for r in range(repeat):
                for way in WAYS[r % len(WAYS):] + WAYS[:r % len(WAYS)]:
                    seconds, out, where = ways[way](jobs)
                    if costs(out) != expected:
                        raise SystemExit(f"{way}, {n} plans: different plans")
                    times[way].append(seconds)
                    ran_on[way].add(where)
            ratios = {w: statistics.median(t / b for t, b in zip(
                times[w], times["1 worker"], strict=True)) for w in WAYS}
            load = (load + os.getloadavg()[0]) / 2
            rows.append({"plans": n, "times_s": times, "median_ratio": ratios,
                         "ran_on": {w: sorted(v) for w, v in ran_on.items()}, "load": load})
            print(f"{n:4d} plans, load {load:.1f}: " + "; ".join(
                f"{w} " + "/".join(f"{t:.2f}" for t in times[w]) + f" s ({ratios[w]:.2f}x)"
                for w in WAYS) + f"   [default ran on {', '.join(sorted(ran_on['default']))}]")
    finally:
        warm.close()

    if args.json:
        args.json.write_text(json.dumps({
            "date": dt.datetime.now().isoformat(timespec="minutes"),
            "python": platform.python_version(), "cores": workers,
            "highspy": importlib.metadata.version("highspy"),
            "pyomo": importlib.metadata.version("pyomo"), "plan_here_s": per_plan,
            "pays_from_s": PAYS_FROM_S, "fresh_pool_s": pool, "batches": rows}, indent=2))


def _warm(ex: LocalExecutor, jobs: list[Job]) -> tuple[float, list[Any], str]:
    start = time.perf_counter()
    out = ex.map(jobs)
    return time.perf_counter() - start, out, ex.description


if __name__ == "__main__":
    main()
