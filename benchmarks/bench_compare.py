"""Reuse between strategies: a comparison planned with and without it, in one run.

    python benchmarks/bench_compare.py [--size small|medium|large] [--repeat K]

The synthetic scenario of `bench_lp.py` plus strategies of the kinds planners write:
one equal to the base (as `joint` on a joint base), and several that change numbers but
not the model's structure (deeper reserves, less capacity, dearer offers, more demand,
a tighter cap). Without reuse each is built and solved from scratch; with reuse
(`optimizer.planning.batch.Planner`) an equal scenario shares the base plan and the others
warm-start HiGHS from the base's basis. Also times `run_comparison` on the shipped
Japan-EU workbook both ways. Reports best-of-K times and the ratio; asserts nothing
about time, but stops if reuse changes any objective.
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

from models.data import ScenarioData  # noqa: E402
from optimizer.planning.batch import BatchPlanner  # noqa: E402
from optimizer.planning.compare import run_comparison  # noqa: E402
from optimizer.workbook.load import load_workbook  # noqa: E402


def strategies(base: ScenarioData) -> dict[str, ScenarioData]:
    def scaled_offers(capacity: float = 1.0, price: float = 1.0) -> ScenarioData:
        return replace(base, offers=tuple(replace(o, capacity=o.capacity * capacity,
                                                  price=o.price * price) for o in base.offers))

    return {
        "base": base,
        "joint (equal to base)": replace(base),
        "reserves x1.5": replace(base, stock_rules=tuple(
            replace(r, min_days=r.min_days * 1.5) for r in base.stock_rules)),
        "capacity -10%": scaled_offers(capacity=0.9),
        "prices +10%": scaled_offers(price=1.1),
        "demand +5%": replace(base, demand=tuple(replace(d, quantity=d.quantity * 1.05)
                                                 for d in base.demand)),
        "caps tighter by 5 points": replace(base, policies=tuple(
            replace(p, share=max(0.0, p.share - 0.05)) for p in base.policies)),
    }


def run(variants: dict[str, ScenarioData], reuse: bool) -> tuple[float, dict[str, float]]:
    planner = BatchPlanner(reuse=reuse)  # in this process: reuse alone is measured here
    start = time.perf_counter()
    planned = planner.plan(list(variants.values()), list(variants))
    objectives = {name: run.objective for name, (run, _) in zip(variants, planned, strict=True)}
    return time.perf_counter() - start, objectives


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    bench_lp.warm_up(2026)
    variants = strategies(bench_lp.make_scenario(args.size, 2026))
    best = {False: float("inf"), True: float("inf")}
    answers = {}
    for _ in range(args.repeat):
        for reuse in (False, True):
            seconds, objectives = run(variants, reuse)
            best[reuse] = min(best[reuse], seconds)
            answers[reuse] = objectives
    for name in variants:
        a, b = answers[False][name], answers[True][name]
        if abs(a - b) > 1e-6 * max(1.0, abs(a)):
            raise SystemExit(f"reuse changed the objective of {name}: {a} vs {b}")
    print(f"{args.size}: {len(variants)} strategies, best of {args.repeat}")
    print(f"  without reuse {best[False]:8.2f} s")
    print(f"  with reuse    {best[True]:8.2f} s   ({best[False] / best[True]:.2f}x faster)")
    shipped = HERE.parent / "scenarios" / "japan-eu-2030.xlsx"
    loaded = load_workbook(shipped)
    times = {}
    for reuse in (False, True, False, True):
        start = time.perf_counter()
        run_comparison(loaded, reuse=reuse)
        times[reuse] = min(times.get(reuse, float("inf")), time.perf_counter() - start)
    print(f"shipped scenario, run_comparison (all strategies and the Shapley game): "
          f"without reuse {times[False]:.2f} s, with reuse {times[True]:.2f} s "
          f"({times[False] / times[True]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
