"""The extensive form of robust planning against the number of disruption scenarios.

    python benchmarks/bench_stochastic.py [--scenarios 10 50 200] [--seed 7]

On the shipped Japan-EU scenario, N random disruption scenarios (seeded): each hits one
to three supplier countries or suppliers, for one or all materials, for one to three
consecutive years, with a capacity factor in [0, 0.8] and a price factor in [1, 3];
probabilities share 30 %, the rest is "no disruption". Reports, per N: LP rows,
columns and nonzeros (they should grow linearly), model build, standard-form compile and
HiGHS solve times. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from pathlib import Path

from pyomo.common.gc_manager import PauseGC

from models import data as md
from models.index import build_index
from models.stochastic import build_extensive_form
from models.world import outlooks
from optimizer.solving.highs import compile_lp, new_highs, pass_lp
from optimizer.workbook.load import load_workbook

SHIPPED = Path(__file__).resolve().parents[1] / "scenarios" / "japan-eu-2030.xlsx"


def with_random_disruptions(data: md.ScenarioData, n: int, seed: int) -> md.ScenarioData:
    rng = random.Random(seed)
    periods = list(data.period_labels)
    countries = sorted({s.country for s in data.suppliers} | {s.origin for s in data.suppliers})
    scenarios = []
    for i in range(n):
        hit = rng.sample(countries, rng.randint(1, 3))
        start = rng.randrange(len(periods))
        window = periods[start:start + rng.randint(1, 3)]
        materials = [rng.choice(data.materials)] if rng.random() < 0.6 else list(data.materials)
        cf, pf = rng.uniform(0.0, 0.8), rng.uniform(1.0, 3.0)
        shocks = tuple(md.Shock(s.name, m, t, cf, pf) for s in data.suppliers
                       if s.country in hit or s.origin in hit
                       for m in materials for t in window)
        scenarios.append(md.DisruptionScenario(f"random-{i}", 0.3 / n, shocks))
    return replace(data, disruptions=tuple(scenarios),
                   settings=replace(data.settings, robust="expected"))


def measure(data: md.ScenarioData) -> dict[str, float]:
    with PauseGC():
        t0 = time.perf_counter()
        ix = build_index(data)
        model = build_extensive_form(data, outlooks(data), ix=ix)
        t1 = time.perf_counter()
        lp = compile_lp(model)
        t2 = time.perf_counter()
        h = new_highs()
        pass_lp(h, lp)
        h.run()
        t3 = time.perf_counter()
    return {"rows": len(lp.rows), "columns": len(lp.columns), "nonzeros": int(lp.matrix.nnz),
            "build_s": t1 - t0, "compile_s": t2 - t1, "solve_s": t3 - t2,
            "status": h.modelStatusToString(h.getModelStatus()),
            "objective": h.getInfo().objective_function_value}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    base = load_workbook(SHIPPED).scenario("base")
    measure(with_random_disruptions(base, 2, args.seed))  # first compile pays lazy imports
    print(f"{'scenarios':>9} {'rows':>9} {'columns':>9} {'nonzeros':>10} {'build s':>8} "
          f"{'compile s':>9} {'solve s':>8}  status")
    for n in args.scenarios:
        r = measure(with_random_disruptions(base, n, args.seed))
        print(f"{n:>9} {r['rows']:>9,} {r['columns']:>9,} {r['nonzeros']:>10,} "
              f"{r['build_s']:>8.2f} {r['compile_s']:>9.2f} {r['solve_s']:>8.2f}  "
              f"{r['status']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
