"""How the time of one plan grows with the size of a scenario, one dimension at a time.

    python benchmarks/bench_scaling.py [--repeat 2] [--seed 2026]

The synthetic scenarios of `bench_lp.py` (seeded), from a base of 2 partners, 30
suppliers, 17 materials and 20 quarterly periods, each dimension varied alone: partners
1-5, suppliers 10-60, materials 4-17, periods 10-40. For each, the LP's rows, columns
and nonzeros and the stages of `optimizer.solving.plan.solve_plan` (index and Pyomo
model, standard-form compile, HiGHS, result tables, checker), best of K per stage.
Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_lp  # noqa: E402

from optimizer.solving.plan import solve_plan  # noqa: E402

BASE = (2, 30, 17, 20)  # partners, suppliers, materials, periods
RANGES = {"partners": (1, 2, 3, 5), "suppliers": (10, 20, 30, 60),
          "materials": (4, 8, 12, 17), "periods": (10, 20, 30, 40)}
STAGES = ("build_s", "compile_s", "solve_s", "extract_s", "check_s")


def measure(dims: tuple[int, int, int, int], repeat: int, seed: int) -> dict[str, float]:
    data = bench_lp.make_scenario_of(*dims, seed=seed)
    best: dict[str, float] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        run = solve_plan(data)
        total = time.perf_counter() - t0
        assert run.result is not None and not run.violations
        for k in STAGES:
            best[k] = min(best.get(k, float("inf")), run.timings.get(k, 0.0))
        best["total_s"] = min(best.get("total_s", float("inf")), total)
    assert run.outcome is not None
    lp = run.outcome.lp
    best.update(rows=len(lp.rows), columns=len(lp.columns), nonzeros=int(lp.matrix.nnz))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    solve_plan(bench_lp.make_scenario("small", args.seed))  # first compile pays lazy imports
    print(f"{'varied':<10} {'value':>5} {'rows':>7} {'columns':>8} {'nonzeros':>9} "
          + " ".join(f"{k[:-2]:>8}" for k in (*STAGES, "total_s")) + "  (s)")
    for name, values in RANGES.items():
        at = list(RANGES).index(name)
        for v in values:
            dims = tuple(v if i == at else BASE[i] for i in range(4))
            r = measure(dims, args.repeat, args.seed)  # type: ignore[arg-type]
            print(f"{name:<10} {v:>5} {r['rows']:>7,.0f} {r['columns']:>8,.0f} "
                  f"{r['nonzeros']:>9,.0f} "
                  + " ".join(f"{r[k]:>8.3f}" for k in (*STAGES, "total_s")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
