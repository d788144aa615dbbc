"""Benchmark: deals (all-or-nothing commitments, one binary each) against the plain LP.

    python benchmarks/bench_deals.py [--deals 0,20,100] [--repeat K] [--json PATH]
                                     [--partners-shape S,M,P] [--no-shapley] [--seed S]
    python benchmarks/bench_deals.py --quick        # 0 and 20 deals, 1 repeat, 8-quarter game

The medium synthetic scenario of ``bench_lp.py`` (2 buyers x 30 suppliers x 17 materials
x 40 quarters, seeded) is planned as it is (0 deals: an LP, the baseline) and with N of
its supplier offers turned into deals (``with_deals``, seeded): a deal is one supplier's
offer of one material over a term of 4-12 consecutive quarters, every tier of every
(supplier, material, period) of the term (so a (supplier, material, period) is all one
deal's or all ordinary, as the workbook rules require, and no two deals share one). The
deals are spread over the active suppliers (round robin, a random material each, no
(supplier, material) twice, every material keeping two suppliers without a deal), and
each gets

- a price below every ordinary tier-1 offer of its material in each period of its term
  (0.80-0.93 x the cheapest; its tier 2, if any, 1.05 x that), so that buying from a
  signed deal is cheaper per unit before tariff and freight;
- a bankable minimum (``min_offtake``) of 30-60 % of its capacity in every period;
- an upfront cost of 0.4-1.6 x an estimate of what it saves and a fixed cost per period
  of 5 % of that estimate spread over the term, so that some deals pay and some do not
  and the solver has to choose. The estimate is 0.7 x (the upper quartile of the
  ordinary prices, all tiers, of its material and period - its price) x its capacity,
  summed over its rows: on the 20-deal scenario the value of each deal (the objective
  without it less with it, every other deal signed, no signing costs) was 0.43-0.93 x
  that sum before the 0.7.

Variants "20+d" and "100+d" (``--no-discounts`` skips them) add volume discounts to
about a third of the offers (``with_discounts``): whole one-tier (supplier, material)
pairs without a deal, all-units and incremental in turn, per period, breaking at 30 %
and 60 % of each offer's capacity at 0.96 and 0.92 x its price (binaries per bracket,
``models/constraints/discounts.py``).

Each scenario is planned with ``optimizer.solving.plan.solve_plan(data)`` (checker
included), which solves a scenario with deals as a MIP to the setting's relative gap
(``mip_gap``, 1e-4) and then re-solves the LP with the signing fixed for prices and the
objective. Reported per number of deals: median over K repeats of the total plan time
(``total_s``), its parts (``build_s``: index + Pyomo model; ``compile_s``: standard form;
``solve_s``: HiGHS, the MIP with deals; ``fixed_lp_s``: the LP re-solve with the signing
fixed; ``extract_s``; ``check_s``), the MIP gap reached and the deals signed; and the
median over the repeats of each time divided by the 0-deal LP's time *of the same
repeat* (the sizes take turns, in rotated order, within a repeat).

The Shapley split (``optimizer.planning.shapley.coordination_value``) is timed on a
4-buyer synthetic scenario from the same generator (``--partners-shape``: suppliers,
materials, periods; default 30,17,20: the medium scenario's suppliers and materials over
20 quarters, so that three repeats of both games fit in a few minutes; --quick 30,17,8)
without deals and with 20 deals: 15 coalition plans each (``plan_coordinated``, one
after another in this process; every coalition may sign every deal, whole). Reported:
the whole game (building the coalition scenarios, the 15 plans, freeing each plan's
model, the Shapley arithmetic), the sum of the 15 plans' wall times and the median
coalition plan, each the median over the repeats, the ratio with/without deals and the
slowest coalitions.

Every plan must be optimal, pass the independent checker (``run.violations == []``) and
reach a MIP gap <= the setting; the script prints the verdicts and stops on a plan
without one. Nothing is asserted about time: the machine is shared and noisy, compare
the ratios of one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
for _p in (str(HERE), str(HERE.parent)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_lp  # noqa: E402

from models import data as md  # noqa: E402

DEALS = (0, 20, 100)
QUICK_DEALS = (0, 20)
# variants also planned with volume discounts on a third of the offers ("20+d")
DISCOUNTED = (20, 100)
QUICK_DISCOUNTED = (20,)
DISCOUNTED_SHARE = 1 / 3  # of the offers, in whole (supplier, material) pairs
BREAKS = ((0.3, 0.96), (0.6, 0.92))  # (share of the pair's capacity, x its price)
GAME_DEALS = 20
PARTNERS = 4
PARTNERS_SHAPE = (30, 17, 20)  # suppliers, materials, periods: medium, 5 years not 10
# (the 40-quarter game took 69 s without deals and 151 s with them, once, here)
QUICK_PARTNERS_SHAPE = (30, 17, 8)  # 2 years
TERM = (4, 12)  # quarters, inclusive
PRICE_FACTOR = (0.80, 0.93)  # x the cheapest ordinary tier-1 price of the material
TIER2_MARKUP = 1.05
OFFTAKE_SHARE = (0.30, 0.60)  # of the deal's capacity in each period
UPFRONT_FACTOR = (0.4, 1.6)  # x the estimated saving
FIXED_SHARE = 0.05  # of the estimated saving, spread over the term
SAVING_SHARE = 0.7  # of the price gap to the ordinary upper quartile x capacity
ORDINARY_SELLERS = 2
GAP_SLACK = 1e-9  # rounding in HiGHS's reported gap


# --------------------------------------------------------------------------- scenarios

def with_deals(data: md.ScenarioData, n: int, seed: int) -> md.ScenarioData:
    """``data`` with ``n`` of its supplier offers turned into deals (module docstring)."""
    if n == 0:
        return data
    rng = np.random.default_rng([seed, n])
    periods = list(data.period_labels)
    active = [s.name for s in data.suppliers if s.active]
    offered: dict[str, set[str]] = defaultdict(set)
    for o in data.offers:
        offered[o.supplier].add(o.material)
    pool = {s: sorted(offered[s]) for s in active if offered[s]}
    # every material keeps at least ORDINARY_SELLERS suppliers without a deal
    sellers = {m: sum(m in offered[s] for s in active) for m in data.materials}

    # round robin over the suppliers (in a seeded order), a random unused material each
    order = [active[i] for i in rng.permutation(len(active)) if active[i] in pool]
    chosen: list[tuple[str, str, tuple[str, ...]]] = []
    while len(chosen) < n:
        for s in order:
            pool[s] = [m for m in pool[s] if sellers[m] > ORDINARY_SELLERS]
            if len(chosen) == n or not pool[s]:
                continue
            mat = pool[s].pop(int(rng.integers(len(pool[s]))))
            sellers[mat] -= 1
            length = int(rng.integers(TERM[0], TERM[1] + 1))
            length = min(length, len(periods))
            start = int(rng.integers(0, len(periods) - length + 1))
            chosen.append((s, mat, tuple(periods[start:start + length])))
        if len(chosen) < n and not any(pool.values()):
            raise SystemExit(f"{n} deals: the scenario has room for {len(chosen)} (each "
                             f"material keeps {ORDINARY_SELLERS} ordinary suppliers)")

    deal_of = {(s, mat, t): f"D{i:03d}-{s}-{mat}"
               for i, (s, mat, term) in enumerate(chosen) for t in term}
    # the ordinary prices of each (material, period): tier 1 (the cheapest sets the deal
    # price) and all tiers (their upper quartile, for the saving estimate)
    tier1: dict[tuple[str, str], list[float]] = defaultdict(list)
    every: dict[tuple[str, str], list[float]] = defaultdict(list)
    for o in data.offers:
        if (o.supplier, o.material, o.period) not in deal_of:
            every[(o.material, o.period)].append(o.price)
            if o.tier == 1:
                tier1[(o.material, o.period)].append(o.price)
    upper = {k: float(np.quantile(v, 0.75)) for k, v in every.items()}

    factor = {name: float(rng.uniform(*PRICE_FACTOR)) for name in deal_of.values()}
    share = {name: float(rng.uniform(*OFFTAKE_SHARE)) for name in deal_of.values()}
    capacity: dict[tuple[str, str, str], float] = defaultdict(float)
    for o in data.offers:
        if (o.supplier, o.material, o.period) in deal_of:
            capacity[(o.supplier, o.material, o.period)] += o.capacity
    saving: dict[str, float] = defaultdict(float)
    offers = []
    for o in data.offers:
        key = (o.supplier, o.material, o.period)
        name = deal_of.get(key)
        if name is None:
            offers.append(o)
            continue
        cheapest = min(tier1[(o.material, o.period)])
        price = round(cheapest * factor[name] * (1.0 if o.tier == 1 else TIER2_MARKUP), 2)
        saving[name] += SAVING_SHARE * (upper[(o.material, o.period)] - price) * o.capacity
        minimum = 0.0
        if o.tier == 1:
            minimum = round(min(share[name] * capacity[key], o.capacity), 1)
        offers.append(replace(o, price=price, min_offtake=minimum, deal=name))

    deals = []
    for (s, _, term), name in zip(chosen, dict.fromkeys(deal_of.values()), strict=True):
        upfront = round(saving[name] * float(rng.uniform(*UPFRONT_FACTOR)), 0)
        fixed = round(saving[name] * FIXED_SHARE / len(term), 0)
        deals.append(md.Deal(name, s, upfront, fixed, None, src=f"Deals!{len(deals) + 2}"))
    return replace(data, offers=tuple(offers), deals=tuple(deals),
                   settings=replace(data.settings, name=f"{data.settings.name}-{n}-deals"))


def with_discounts(data: md.ScenarioData, seed: int) -> md.ScenarioData:
    """``data`` with per-period volume discounts on about a third of its offers: whole
    (supplier, material) pairs, drawn in a seeded order among those with one tier and no
    deal (SPEC 3.1: a discounted offer has one tier), all-units and incremental in turn.
    Each period's schedule breaks at 30 % and 60 % of the offer's capacity, at 0.96 and
    0.92 x its price: the coalition reaches the deeper brackets more easily than a
    partner alone, and the MIP has a bracket choice per discounted offer and period."""
    rng = np.random.default_rng([seed, 7])
    tiers: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows: dict[tuple[str, str], list[md.Offer]] = defaultdict(list)
    for o in data.offers:
        tiers[(o.supplier, o.material)].add(o.tier if o.deal is None else -1)
        rows[(o.supplier, o.material)].append(o)
    eligible = sorted(k for k, t in tiers.items() if t == {1})
    target, covered, schedules = DISCOUNTED_SHARE * len(data.offers), 0, []
    for pair, i in enumerate(rng.permutation(len(eligible))):
        if covered >= target:
            break
        supplier, material = eligible[int(i)]
        kind = "all-units" if pair % 2 == 0 else "incremental"
        for o in rows[(supplier, material)]:
            if o.capacity <= 0:
                continue
            schedules.append(md.DiscountSchedule(
                supplier, material, "period", kind, (o.period,),
                tuple(round(share * o.capacity, 3) for share, _ in BREAKS),
                (tuple(round(factor * o.price, 4) for _, factor in BREAKS),),
                src=f"Discounts!{len(schedules) + 2}"))
        covered += len(rows[(supplier, material)])
    return replace(data, discounts=tuple(schedules),
                   settings=replace(data.settings, name=f"{data.settings.name}+discounts"))


def scenario(size: str, n_deals: int, seed: int, *,
             discounts: bool = False) -> md.ScenarioData:
    data = with_deals(bench_lp.make_scenario(size, seed), n_deals, seed)
    return with_discounts(data, seed) if discounts else data


def variant(key: str) -> tuple[int, bool]:
    """A variant's number of deals and whether it has discounts: "20" or "20+d"."""
    return int(key.removesuffix("+d")), key.endswith("+d")


def partners_size(shape: Sequence[int]) -> str:
    """A name for the 4-buyer game scenario in bench_lp.SIZES (make_scenario takes its
    dimensions from there by name, as bench_batch.py does)."""
    key = f"partners-{PARTNERS}-" + "x".join(map(str, shape))
    bench_lp.SIZES[key] = (PARTNERS, *shape)
    return key


# --------------------------------------------------------------------------- one plan

def plan_figures(run: Any, wall_s: float) -> dict[str, Any]:
    """What one PlanRun tells: status, verdicts, timings, gap, signing, LP size."""
    lp = run.outcome.lp if run.outcome is not None else None
    res = run.result
    return {
        "status": run.status.value,
        "violations": [str(v) for v in run.violations],
        "objective": run.objective,
        "mip_gap": None if res is None else res.mip_gap,
        "signed": None if res is None else len(res.signed),
        # discounted (arc, period) purchases above the first bracket
        "brackets": None if res is None else int((res.brackets["bracket"] > 0).sum()),
        "deals": None if res is None else len(res.deals),
        "wall_s": wall_s,
        **{k: run.timings.get(k) for k in ("build_s", "compile_s", "solve_s", "fixed_lp_s",
                                           "extract_s", "check_s", "total_s")},
        "rows": None if lp is None else len(lp.rows),
        "columns": None if lp is None else len(lp.columns),
        "nonzeros": None if lp is None else int(lp.matrix.nnz),
        "binaries": None if lp is None else int(lp.integrality.sum()),
    }


def timed_plan(data: md.ScenarioData, planner: Callable[[md.ScenarioData], Any],
               collect: bool = True) -> dict[str, Any]:
    """``planner(data)`` timed; ``collect`` runs the garbage collector first (0.2-0.3 s
    here, untimed: never inside a timed game)."""
    if collect:
        gc.collect()
    t0 = time.perf_counter()
    run = planner(data)
    return plan_figures(run, time.perf_counter() - t0)


def verdict(fig: dict[str, Any], mip_gap: float) -> list[str]:
    """What is wrong with a plan: not optimal, the checker's violations, the gap."""
    wrong = []
    if fig["status"] != "optimal":
        wrong.append(f"status {fig['status']}")
    if fig["violations"]:
        wrong.append(f"{len(fig['violations'])} violations: {fig['violations'][:3]}")
    if fig["binaries"] and (fig["mip_gap"] is None or fig["mip_gap"] > mip_gap + GAP_SLACK):
        wrong.append(f"MIP gap {fig['mip_gap']} above the setting {mip_gap}")
    return wrong


# --------------------------------------------------------------------------- benchmarks

TIMES = ("total_s", "build_s", "compile_s", "solve_s", "fixed_lp_s", "extract_s", "check_s")


def median(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else None


def bench_sizes(sizes: Sequence[str], repeat: int, seed: int) -> dict[str, Any]:
    """``sizes``: variant keys ("0" first, the LP; "20"; "20+d" with discounts)."""
    from optimizer.solving.plan import solve_plan

    gen: dict[str, float] = {}
    data: dict[str, md.ScenarioData] = {}
    for n in sizes:
        t0 = time.perf_counter()
        deals, discounts = variant(n)
        data[n] = scenario("medium", deals, seed, discounts=discounts)
        gen[n] = time.perf_counter() - t0
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in sizes}
    for r in range(repeat):
        turn = list(sizes[r % len(sizes):]) + list(sizes[:r % len(sizes)])
        for n in turn:
            fig = timed_plan(data[n], solve_plan)
            runs[n].append(fig)
            wrong = verdict(fig, data[n].settings.mip_gap)
            gap = "-" if fig["mip_gap"] is None else f"{fig['mip_gap']:.1e}"
            print(f"  repeat {r + 1}, {n:>5} deals: total {fig['total_s']:.2f} s (build "
                  f"{fig['build_s']:.2f}, compile {fig['compile_s']:.2f}, solve "
                  f"{fig['solve_s']:.2f}, fixed LP {fig['fixed_lp_s'] or 0.0:.2f}), gap {gap}, "
                  f"signed {fig['signed']}/{fig['deals']}; "
                  + ("checker: no violation" if not wrong else "; ".join(wrong)), flush=True)
            if wrong:
                raise SystemExit(f"{n} deals: {'; '.join(wrong)}")
    base = sizes[0] if sizes[0] == "0" else None
    out: dict[str, Any] = {}
    for n in sizes:
        figs = runs[n]
        summary: dict[str, Any] = {k: median([f[k] for f in figs]) for k in TIMES}
        if base is not None:
            for k in ("total_s", "build_s", "compile_s", "solve_s"):
                summary[f"{k[:-2]}_x_lp"] = median([
                    f[k] / b[k] for f, b in zip(figs, runs[base], strict=True)])
        last = figs[-1]
        summary.update({
            "generate_s": gen[n], "offers": len(data[n].offers),
            "deal_offers": sum(o.deal is not None for o in data[n].offers),
            "discounted_offers": len(data[n].discounts),
            "brackets_used": sorted({f["brackets"] for f in figs}),
            "mip_gap_max": max((f["mip_gap"] or 0.0) for f in figs),
            "signed": sorted({f["signed"] for f in figs}), "deals": last["deals"],
            "objective": last["objective"],
            "objectives_equal": len({f["objective"] for f in figs}) == 1,
            "rows": last["rows"], "columns": last["columns"], "nonzeros": last["nonzeros"],
            "binaries": last["binaries"], "violations": sum(len(f["violations"]) for f in figs),
            "runs": figs})
        out[n] = summary
    return out


def bench_game(shape: Sequence[int], repeat: int, seed: int) -> dict[str, Any]:
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.planning.shapley import coordination_value

    size = partners_size(shape)
    games = {0: scenario(size, 0, seed), GAME_DEALS: scenario(size, GAME_DEALS, seed)}
    kinds = list(games)
    out: dict[int, dict[str, Any]] = {n: {"game_s": [], "coalition_s": [], "plans": [],
                                          "shapley": None} for n in kinds}
    for r in range(repeat):
        for n in kinds[r % 2:] + kinds[:r % 2]:
            data = games[n]
            figs: list[dict[str, Any]] = []

            def solve_all(batch: list[md.ScenarioData],
                          figs: list[dict[str, Any]] = figs) -> list[float | None]:
                costs = []
                for d in batch:
                    fig = timed_plan(d, plan_coordinated, collect=False)
                    fig["members"] = list(d.buyers)
                    figs.append(fig)
                    costs.append(fig["objective"])
                return costs

            gc.collect()
            t0 = time.perf_counter()
            value = coordination_value(data, solve_all)
            game_s = time.perf_counter() - t0
            for fig in figs:
                wrong = verdict(fig, data.settings.mip_gap)
                if wrong:
                    raise SystemExit(f"game with {n} deals, coalition {fig['members']}: "
                                     f"{'; '.join(wrong)}")
            walls = [f["wall_s"] for f in figs]
            out[n]["game_s"].append(game_s)
            out[n]["coalition_s"].append(statistics.median(walls))
            out[n].setdefault("plans_s", []).append(sum(walls))
            out[n]["plans"] = figs
            out[n].setdefault("by_repeat", []).append(figs)
            shapley = {b: round(v, 2) for b, v in value.shapley.items()}
            if out[n]["shapley"] not in (None, shapley):
                raise SystemExit(f"game with {n} deals: the Shapley values changed between "
                                 f"repeats: {out[n]['shapley']} vs {shapley}")
            out[n]["shapley"] = shapley
            out[n]["savings"] = value.total_savings
            out[n]["stable"] = value.stable
            grand = figs[coalitions_index(figs, data.buyers)]
            print(f"  repeat {r + 1}, game with {n:2d} deals: {len(figs)} plans in "
                  f"{game_s:.2f} s (coalition median {statistics.median(walls):.2f} s, "
                  f"{min(walls):.2f}-{max(walls):.2f}); grand coalition signs "
                  f"{grand['signed']}/{grand['deals']}, max gap "
                  f"{max((f['mip_gap'] or 0.0) for f in figs):.1e}; checker: no violation",
                  flush=True)
    summary: dict[str, Any] = {"size": size, "dims": dict(zip(
        ("buyers", "suppliers", "materials", "periods"), bench_lp.SIZES[size], strict=True))}
    for n in kinds:
        o = out[n]
        plans = o["plans"]
        summary[str(n)] = {
            "game_s": median(o["game_s"]), "coalition_s": median(o["coalition_s"]),
            "plans_s": median(o["plans_s"]),
            "games_s": o["game_s"], "plans": len(plans),
            "solve_s": median([p["solve_s"] for p in plans]),
            "fixed_lp_s": median([p["fixed_lp_s"] for p in plans]),
            "build_compile_s": median([p["build_s"] + p["compile_s"] for p in plans]),
            "mip_gap_max": max((p["mip_gap"] or 0.0) for p in plans),
            "signed": {"+".join(p["members"]): p["signed"] for p in plans},
            "violations": sum(len(p["violations"]) for p in plans),
            "shapley": o["shapley"], "savings": o["savings"], "stable": o["stable"],
            "coalitions": per_coalition(o["by_repeat"])}
    summary["game_x_lp"] = median([a / b for a, b in zip(
        out[GAME_DEALS]["game_s"], out[0]["game_s"], strict=True)])
    summary["coalition_x_lp"] = median([a / b for a, b in zip(
        out[GAME_DEALS]["coalition_s"], out[0]["coalition_s"], strict=True)])
    return summary


def per_coalition(by_repeat: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each coalition's plan, median over the repeats, slowest first."""
    rows = []
    for i, first in enumerate(by_repeat[0]):
        figs = [plans[i] for plans in by_repeat]
        rows.append({"members": "+".join(first["members"]),
                     **{k: median([f[k] for f in figs])
                        for k in ("wall_s", "build_s", "compile_s", "solve_s", "fixed_lp_s")},
                     "mip_gap": max((f["mip_gap"] or 0.0) for f in figs),
                     "signed": first["signed"], "deals": first["deals"]})
    return sorted(rows, key=lambda r: -r["wall_s"])


def coalitions_index(figs: list[dict[str, Any]], buyers: Sequence[str]) -> int:
    return next(i for i, f in enumerate(figs) if len(f["members"]) == len(buyers))


def warm_up(seed: int) -> float:
    """One LP and one MIP plan of the small scenario: the first Pyomo compile in a process
    pays ~1.5 s of lazy imports (benchmarks/README.md, "Solving the LP")."""
    from optimizer.solving.plan import solve_plan

    t0 = time.perf_counter()
    bench_lp.warm_up(seed)
    solve_plan(scenario("small", 3, seed))
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- report

def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pyomo", "highspy", "numpy", "scipy"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def print_sizes(res: dict[str, Any], repeat: int) -> None:
    names = list(res)
    print(f"\nmedium scenario, median of {repeat}; (x LP) = median over the repeats of the "
          f"time / the 0-deal LP's of the same repeat")
    print("| | " + " | ".join(f"{n.removesuffix('+d')} deals" + (" + discounts" if n.endswith(
        "+d") else "") for n in names) + " |")
    print("|---|" + "---:|" * len(names))

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        print(f"| {label} | " + " | ".join(cell(res[n]) for n in names) + " |")

    row("offers (in deals / discounted)",
        lambda r: f"{r['offers']:,} ({r['deal_offers']} / {r['discounted_offers']:,})")
    row("rows / columns / binaries",
        lambda r: f"{r['rows']:,} / {r['columns']:,} / {r['binaries']}")
    row("**total plan** (x LP)", lambda r: f"**{_s(r['total_s'])} s** ({_x(r.get('total_x_lp'))})")
    row("build: index + Pyomo (x LP)",
        lambda r: f"{_s(r['build_s'])} s ({_x(r.get('build_x_lp'))})")
    row("compile: standard form (x LP)",
        lambda r: f"{_s(r['compile_s'])} s ({_x(r.get('compile_x_lp'))})")
    row("build + compile share of total",
        lambda r: f"{100 * (r['build_s'] + r['compile_s']) / r['total_s']:.0f} %")
    row("HiGHS solve (x LP)", lambda r: f"{_s(r['solve_s'])} s ({_x(r.get('solve_x_lp'))})")
    row("HiGHS share of total", lambda r: f"{100 * r['solve_s'] / r['total_s']:.0f} %")
    row("fixed-LP re-solve", lambda r: "-" if r["fixed_lp_s"] is None
        else f"{_s(r['fixed_lp_s'])} s")
    row("extract + check", lambda r: f"{_s(r['extract_s'])} + {_s(r['check_s'])} s")
    row("MIP gap reached (max)", lambda r: "- (LP)" if not r["binaries"]
        else f"{r['mip_gap_max']:.1e}")
    row("discounted purchases above the first break", lambda r: "-" if not
        r["discounted_offers"] else "/".join(map(str, r["brackets_used"])))
    row("deals signed", lambda r: "-" if not r["binaries"]
        else f"{'/'.join(map(str, r['signed']))} of {r['deals']}")
    row("checker violations", lambda r: str(r["violations"]))


def print_game(res: dict[str, Any], repeat: int) -> None:
    d = res["dims"]
    print(f"\nShapley split, {d['buyers']} buyers x {d['suppliers']} suppliers x "
          f"{d['materials']} materials x {d['periods']} periods, 15 coalition plans, median "
          f"of {repeat}")
    print(f"| | no deals (LP) | {GAME_DEALS} deals (MIP) | ratio |")
    print("|---|---:|---:|---:|")
    a, b = res["0"], res[str(GAME_DEALS)]
    print(f"| whole game | {_s(a['game_s'])} s | {_s(b['game_s'])} s | "
          f"{_x(res['game_x_lp'])} |")
    print(f"| of which the 15 plans | {_s(a['plans_s'])} s | {_s(b['plans_s'])} s | |")
    print(f"| median coalition plan | {_s(a['coalition_s'])} s | {_s(b['coalition_s'])} s | "
          f"{_x(res['coalition_x_lp'])} |")
    print(f"| median build + compile | {_s(a['build_compile_s'])} s | "
          f"{_s(b['build_compile_s'])} s | |")
    print(f"| median HiGHS solve | {_s(a['solve_s'])} s | {_s(b['solve_s'])} s | |")
    print(f"| median fixed-LP re-solve | - | {_s(b['fixed_lp_s'])} s | |")
    print(f"| MIP gap reached (max) | - | {b['mip_gap_max']:.1e} | |")
    print(f"| checker violations | {a['violations']} | {b['violations']} | |")
    print(f"| savings v(N), M | {a['savings'] / 1e6:,.2f} | {b['savings'] / 1e6:,.2f} | |")
    signed = b["signed"]
    print("deals signed per coalition: " + ", ".join(f"{k} {v}" for k, v in signed.items()))
    for n, r in (("no deals", a), (f"{GAME_DEALS} deals", b)):
        print(f"slowest coalition plans, {n} (median s: plan / HiGHS / fixed LP; gap): "
              + ", ".join(f"{c['members']} {c['wall_s']:.2f} / {c['solve_s']:.2f} / "
                          f"{_s(c['fixed_lp_s'])}; {c['mip_gap']:.1e}"
                          for c in r["coalitions"][:3]))
    for n, r in (("no deals", a), (f"{GAME_DEALS} deals", b)):
        print(f"Shapley values, {n} (M): " + ", ".join(
            f"{k} {v / 1e6:,.2f}" for k, v in r["shapley"].items())
            + ("" if r["stable"] else " (not in the core)"))


def parse_ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deals", type=parse_ints, default=None,
                    help=f"numbers of deals, 0 first (default {','.join(map(str, DEALS))})")
    ap.add_argument("--repeat", type=int, default=None, help="runs per size, median taken "
                    "(default 3, --quick 1)")
    ap.add_argument("--partners-shape", type=parse_ints, default=None,
                    help="suppliers,materials,periods of the 4-buyer game (default "
                    f"{','.join(map(str, PARTNERS_SHAPE))}; --quick "
                    f"{','.join(map(str, QUICK_PARTNERS_SHAPE))})")
    ap.add_argument("--no-shapley", action="store_true", help="skip the Shapley game")
    ap.add_argument("--no-discounts", action="store_true",
                    help="skip the variants with volume discounts on a third of the offers")
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: {','.join(map(str, QUICK_DEALS))} deals, 1 repeat, "
                         "the small game")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    numbers = args.deals or (QUICK_DEALS if args.quick else DEALS)
    discounted = () if args.no_discounts else (QUICK_DISCOUNTED if args.quick else DISCOUNTED)
    sizes = [str(n) for n in numbers] + [f"{n}+d" for n in discounted if n in numbers]
    repeat = args.repeat or (1 if args.quick else 3)
    shape = args.partners_shape or (QUICK_PARTNERS_SHAPE if args.quick else PARTNERS_SHAPE)
    if numbers[0] != 0 or len(set(numbers)) != len(numbers):
        ap.error("--deals: distinct numbers, starting with 0 (the LP baseline)")
    if len(shape) != 3:
        ap.error("--partners-shape: three numbers, suppliers,materials,periods")

    meta: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "versions": versions(),
        "machine": platform.platform(), "cpus": os.cpu_count(), "seed": args.seed,
        "repeat": repeat, "load_average_at_start": os.getloadavg(),
        "command": " ".join(["python", *sys.argv])}
    print(f"coprocure deals benchmark, {meta['date']}; "
          + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
          + f"; {meta['cpus']} CPUs, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    t_start = time.perf_counter()
    meta["warm_up_s"] = warm_up(args.seed)
    print(f"warm-up (small LP and MIP, untimed): {meta['warm_up_s']:.2f} s", flush=True)

    sizes_res = bench_sizes(sizes, repeat, args.seed)
    meta["load_average_after_sizes"] = os.getloadavg()
    game = None
    if not args.no_shapley:
        game = bench_game(shape, repeat, args.seed)
    meta["load_average_at_end"] = os.getloadavg()
    meta["elapsed_s"] = time.perf_counter() - t_start

    print_sizes(sizes_res, repeat)
    if game is not None:
        print_game(game, repeat)
    gaps = [r["mip_gap_max"] for r in sizes_res.values() if r["binaries"]]
    if game is not None:
        gaps.append(game[str(GAME_DEALS)]["mip_gap_max"])
    print(f"\nevery plan optimal and passed the checker (violations == []); largest MIP gap "
          f"{max(gaps, default=0.0):.1e} <= setting {md.Settings.mip_gap:g}")
    print("load average " + " / ".join(
        " ".join(f"{x:.2f}" for x in meta[k])
        for k in ("load_average_at_start", "load_average_after_sizes", "load_average_at_end"))
        + f" (start / after sizes / end); {meta['elapsed_s']:.0f} s in all")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "sizes": sizes_res, "game": game},
                                        indent=2, default=str))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
