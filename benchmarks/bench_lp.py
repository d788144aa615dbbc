"""Benchmark: the project's LP path (Pyomo -> standard form -> HiGHS) against raw highspy.

    python benchmarks/bench_lp.py [--size small|medium|large|all] [--repeat K]
                                  [--json PATH] [--no-memory] [--no-whatif] [--seed S]
    python benchmarks/bench_lp.py --size medium --stages      # step-by-step times
    python benchmarks/bench_lp.py --size medium --profile 40  # cProfile, top 40
    python benchmarks/bench_lp.py --verify 300                # raw builder == project LP

A synthetic scenario is generated deterministically (seeded numpy RNG) as typed
``ScenarioData`` at one of three sizes (buyers x suppliers x materials x periods):

  small    2 x  5 x  3 x 10   a quick run
  medium   2 x 30 x 17 x 40
  large    5 x 60 x 17 x 40

Every supplier offers ~70 % of the materials with 1-2 price tiers; capacity is close to
demand so that capacity binds; some routes have a lead time of 1 period, tariffs and
freight, a few are closed; stock rules carry min_days floors (initial stock >= the
largest floor, so they are always reachable), holding costs and a few ceilings; a
China country cap per material (hard for half of the materials, soft for the rest) and
a soft per-buyer origin cap over the horizon; sharing between every pair of buyers for
6 materials; one loose budget per buyer and period; a few minimum offtakes; a discount
rate. Shortfall is allowed, so the LP is always feasible.

Two paths solve the same LP, both timed in the same process, turn by turn:

  coprocure  ``optimizer.solving.plan.solve_plan(data, check=False)``: build the index and the Pyomo
             model (``build_s``), compile with Pyomo's standard-form compiler
             (``compile_s``), pass to HiGHS and solve (``solve_s``), extract the result
             tables (``extract_s``); end to end is the wall time of the call. The
             checker (``optimizer.solving.checker.check_plan``) is timed separately.
  raw        the same LP built directly from the ScenarioData as numpy/scipy arrays by
             the vectorised builder below (same columns, rows, bounds and discounted
             costs), passed to highspy in one ``passModel`` call with the same options
             (``optimizer.solving.highs.HIGHS_OPTIONS``), solved, and read back into comparable
             pandas tables (purchases, transfers, stock, supply with capacity duals,
             binding rows with duals, cost breakdown, per-buyer figures; no prose).

Both must end optimal with objectives equal to 1e-6 relative, else the run stops: the
raw builder is the same LP (``--verify N`` also compares rows, columns, nonzeros and
objective on N random scenarios of tests/factory.py). Both paths first run once on the
small scenario, untimed: the first Pyomo compile in a process imports scipy.stats & co.
(about 1.5 s). Each figure is the best of K repeats, taken per stage. A third, what-if
run of the project's path per repeat has Python's cyclic garbage collector paused
(``--no-whatif`` skips it). Peak memory is the peak RSS of a fresh subprocess per path
and size (``--_child PATH SIZE``) that imports its libraries, runs its path once on the
small scenario, generates the scenario and runs its path once; VmHWM from
/proc/self/status is used because on Linux ``ru_maxrss`` survives ``execve`` and would
report the parent's peak. ``--stages`` times each step of the project's path (every
constraint family, compile, HiGHS, extraction) with the collector on and paused;
``--profile`` runs cProfile on it and prints the top functions.

Targets (issue): end to end <= 1.30x raw at medium, <= 1.10x at large; peak memory
<= 1.5x raw. They are reported, never asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from quiet_stdout import stdout_silenced  # the benchmarks' folder: no project import

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import data as md  # noqa: E402  (plain dataclasses: no Pyomo import)

SIZES: dict[str, tuple[int, int, int, int]] = {  # buyers, suppliers, materials, periods
    "small": (2, 5, 3, 10),
    "medium": (2, 30, 17, 40),
    "large": (5, 60, 17, 40),
}
DEFAULT_REPEAT = {"small": 3, "medium": 3, "large": 1}
TARGET_E2E = {"medium": 1.30, "large": 1.10}
TARGET_MEMORY = 1.5
OBJECTIVE_RTOL = 1e-6
TOL = 1e-6  # positive flows, as in optimizer.solving.extract
DUAL_EPS = 1e-7  # binding rows, as in optimizer.solving.shadow_prices
OPTIONS_ENV = "COPROCURE_BENCH_HIGHS_OPTIONS"

MATERIALS = ("lithium", "cobalt", "nickel", "graphite", "manganese", "gallium", "germanium",
             "neodymium", "dysprosium", "terbium", "tungsten", "antimony", "vanadium",
             "platinum", "palladium", "copper", "silicon")
COUNTRIES = ("China", "Australia", "Chile", "DR Congo", "Indonesia", "Canada",
             "South Africa", "Brazil", "United States", "Argentina")
COUNTRY_WEIGHTS = (0.30, 0.10, 0.08, 0.08, 0.08, 0.08, 0.07, 0.07, 0.07, 0.07)
BUYERS = ("Japan", "EU", "Korea", "India", "Canada-B", "UK", "Australia-B")
SHARED_MATERIALS = 6


# --------------------------------------------------------------------------- scenario

def make_scenario(size: str, seed: int = 2026) -> md.ScenarioData:
    """A deterministic synthetic scenario of the given size (see the module docstring)."""
    return make_scenario_of(*SIZES[size], seed=seed, name=size)


def make_scenario_of(n_b: int, n_s: int, n_m: int, n_p: int, seed: int = 2026,
                     name: str = "") -> md.ScenarioData:
    """The synthetic scenario with n_b buyers, n_s suppliers, n_m materials and n_p
    quarterly periods."""
    size = name or f"{n_b}x{n_s}x{n_m}x{n_p}"
    rng = np.random.default_rng(seed)
    buyers = BUYERS[:n_b]
    materials = MATERIALS[:n_m]
    periods = tuple(md.Period(f"{2026 + i // 4}-Q{i % 4 + 1}", 91.25) for i in range(n_p))
    labels = [p.label for p in periods]

    # suppliers: China-heavy; some Chinese refiners process ore mined elsewhere
    country_idx = rng.choice(len(COUNTRIES), size=n_s, p=COUNTRY_WEIGHTS)
    suppliers = []
    for i, c in enumerate(country_idx):
        country = COUNTRIES[c]
        origin = country
        if country == "China" and rng.random() < 0.4:
            origin = str(rng.choice(["DR Congo", "Australia", "Indonesia"]))
        suppliers.append(md.Supplier(f"S{i:03d}", country, origin, bool(rng.random() > 0.03),
                                     src=f"Suppliers!{i + 2}"))

    # which supplier offers which material (~70 %), at least two per material
    offers_sm = rng.random((n_s, n_m)) < 0.7
    for m in range(n_m):
        if offers_sm[:, m].sum() < 2:
            offers_sm[rng.choice(n_s, size=2, replace=False), m] = True

    base_price = np.exp(rng.uniform(np.log(2_000), np.log(60_000), size=n_m))  # USD/t
    growth = 1.0 + rng.uniform(0.003, 0.015, size=n_m)
    wants = rng.random((n_b, n_m)) < 0.9
    wants[:, 0] = True
    base_demand = rng.uniform(50, 500, size=(n_b, n_m)) * rng.uniform(0.5, 2.0, size=(n_b, 1))
    trend = growth[None, :, None] ** np.arange(n_p)[None, None, :]
    demand_q = (base_demand[:, :, None] * trend
                * rng.uniform(0.85, 1.15, size=(n_b, n_m, n_p)) * wants[:, :, None])
    demand_q = np.round(demand_q, 1)
    total_demand = demand_q.sum(axis=0)  # material x period

    # routes: most pairs listed, a few closed, some with a one-period lead time
    offtake_sm = offers_sm & (rng.random((n_s, n_m)) < 0.05)
    offtake_sm[country_idx == COUNTRIES.index("China"), :] = False
    offtake_sm[[not s.active for s in suppliers], :] = False  # else never feasible
    offtake_s = offtake_sm.any(axis=1)  # these keep open, immediate routes
    routes = []
    for s in range(n_s):
        for b in range(n_b):
            if rng.random() > 0.85:
                continue  # no route listed: lead time 0, no tariff or freight
            lead = 1 if (not offtake_s[s] and rng.random() < 0.15) else 0
            is_open = bool(offtake_s[s] or rng.random() > 0.03)
            tariff = float(rng.choice([0.0, 0.0, 0.025, 0.05, 0.10]))
            routes.append(md.Route(suppliers[s].name, buyers[b],
                                   float(np.round(rng.uniform(50, 600), 2)), tariff, lead,
                                   is_open, src=f"Routes!{len(routes) + 2}"))

    # offers: tier 1 ~ a supplier's share of demand, optional dearer tier 2
    offers = []
    for m in range(n_m):
        sellers = np.flatnonzero(offers_sm[:, m])
        weight = rng.uniform(0.5, 1.5, size=len(sellers))
        weight /= weight.sum()
        for s, w in zip(sellers, weight, strict=True):
            factor = rng.uniform(0.85, 1.2) * (0.9 if country_idx[s] == 0 else 1.0)
            tier2 = rng.random() < 0.4
            markup = rng.uniform(1.1, 1.3)
            noise = rng.uniform(0.9, 1.1, size=n_p)
            for t in range(n_p):
                cap1 = float(np.round(1.3 * total_demand[m, t] * w * noise[t], 1))
                price = float(np.round(base_price[m] * factor * (1 + 0.002 * t), 2))
                minimum = float(np.round(0.2 * cap1, 1)) if offtake_sm[s, m] else 0.0
                offers.append(md.Offer(suppliers[s].name, materials[m], labels[t], 1, cap1,
                                       price, minimum, src=f"Supply!{len(offers) + 2}"))
                if tier2:
                    offers.append(md.Offer(
                        suppliers[s].name, materials[m], labels[t], 2,
                        float(np.round(0.5 * cap1, 1)), float(np.round(price * markup, 2)), 0.0,
                        src=f"Supply!{len(offers) + 2}"))

    demand = tuple(md.Demand(buyers[b], materials[m], labels[t], float(demand_q[b, m, t]),
                             src=f"Demand!{(b * n_m + m) * n_p + t + 2}")
                   for b in range(n_b) for m in range(n_m) if wants[b, m] for t in range(n_p))

    # stock rules (min_days floors, holding costs, a few ceilings) and initial stock that
    # covers the largest floor: doing nothing (all shortfall) is always feasible
    stock_rules, initial = [], []
    for b in range(n_b):
        for m in range(n_m):
            if not wants[b, m]:
                continue
            min_days = float(rng.choice([0.0, 30.0, 60.0, 90.0]))
            floors = min_days * demand_q[b, m] / 91.25
            start = float(np.round(floors.max() * rng.uniform(1.0, 1.3)
                                   + 0.5 * demand_q[b, m, 0], 1)) + 1.0
            ceiling = None
            if rng.random() < 0.2:
                ceiling = float(np.round(1.5 * max(start, floors.max()) + demand_q[b, m].max()))
            holding = float(np.round(base_price[m] * rng.uniform(0.005, 0.015), 2))
            initial.append(md.InitialStock(buyers[b], materials[m], start))
            stock_rules += [md.StockRule(buyers[b], materials[m], labels[t], min_days, 0.0,
                                         ceiling, holding, src=f"Stockpile!{t + 2}")
                            for t in range(n_p)]

    policies = [md.Policy("china-cap", "max_country_share", "China", None, materials[m], 0.35,
                          "period", None if m % 2 == 0 else float(np.round(0.3 * base_price[m])),
                          src="Policies!2") for m in range(n_m)]
    policies += [md.Policy("congo-origin", "max_origin_share", "DR Congo", buyers[0],
                           materials[m], 0.15, "horizon", float(np.round(0.5 * base_price[m])),
                           src="Policies!3") for m in range(min(4, n_m))]

    landed = base_price * 1.3
    budgets = [md.Budget(buyers[b], labels[t],
                         float(np.round(1.6 * (demand_q[b, :, t] * landed).sum())),
                         src=f"Budgets!{b * n_p + t + 2}")
               for b in range(n_b) for t in range(n_p)]
    sharing = [md.Sharing(buyers[g], buyers[r], materials[m],
                          float(np.round(0.01 * base_price[m], 2)),
                          None if (g + r + m) % 2 else float(np.round(demand_q[:, m].mean())),
                          src="Sharing!2")
               for g in range(n_b) for r in range(n_b) if g != r
               for m in range(min(SHARED_MATERIALS, n_m))]

    max_price = max(o.price for o in offers)
    settings = md.Settings(name=f"bench-{size}", unit="t", currency="USD",
                           coordination="joint", shortage_penalty=10 * max_price,
                           discount_rate=0.01, time_limit_s=None, robust="no",
                           cvar_alpha=0.95, risk_weight=1.0, spot_premium=0.25,
                           # the raw builder below writes no credit for closing stock
                           # (SPEC 3.1 family 13, added after it): none here either
                           closing_stock_value=0.0)
    return md.ScenarioData(settings=settings, periods=periods, materials=materials,
                           buyers=buyers, suppliers=tuple(suppliers), offers=tuple(offers),
                           demand=demand, routes=tuple(routes), initial_stock=tuple(initial),
                           stock_rules=tuple(stock_rules), policies=tuple(policies),
                           budgets=tuple(budgets), sharing=tuple(sharing))


def scenario_counts(data: md.ScenarioData) -> dict[str, int]:
    return {"offers": len(data.offers), "demand": len(data.demand), "routes": len(data.routes),
            "stock_rules": len(data.stock_rules), "policies": len(data.policies),
            "budgets": len(data.budgets), "sharing": len(data.sharing)}


# --------------------------------------------------------------------------- raw path

@dataclass
class RawLP:
    """The LP as arrays plus what the extraction needs to map columns and rows back."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: Any  # scipy.sparse.csc_array
    blocks: dict[str, slice]  # column blocks: buy, stock, short, transfer, excess
    row_blocks: dict[str, slice]  # capacity, offtake, balance, floor, ceiling, cap, budget
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)


def _codes(values: list, lookup: dict) -> np.ndarray:
    return np.fromiter((lookup.get(v, -1) for v in values), dtype=np.int64, count=len(values))


def build_raw(data: md.ScenarioData) -> RawLP:
    """The formulation of ``models/`` written directly as sparse arrays.

    Columns: buy (one per arc: active supplier, capacity > 0, buyer with a stock balance
    for the material, route absent or open, arrival within the horizon), stock (stocked
    buyer-material x period), short (demand > 0, bounded by the demand), transfer
    (sharing between stocked partners x period, bounded by the limit), cap excess (soft
    cap rows). Rows: capacity per tranche with an arc (<=), minimum offtake (>=),
    stock balance (=), floor (>=), ceiling (<=), share caps (<=), budgets (<=).
    Costs are discounted by (1 + r)^-i of the order/holding period; horizon caps by 1.
    """
    import scipy.sparse as sp

    st = data.settings
    buyers, materials = list(data.buyers), list(data.materials)
    periods = list(data.period_labels)
    n_b, n_m, n_p = len(buyers), len(materials), len(periods)
    bpos = {b: i for i, b in enumerate(buyers)}
    mpos = {m: i for i, m in enumerate(materials)}
    tpos = {t: i for i, t in enumerate(periods)}
    sup_names = [s.name for s in data.suppliers]
    spos = {s: i for i, s in enumerate(sup_names)}
    n_s = len(sup_names)
    disc = (1.0 + st.discount_rate) ** -np.arange(n_p, dtype=float)
    days = np.array([p.days for p in data.periods], dtype=float)

    # demand, stock rules, initial stock as dense (buyer, material, period) arrays
    dem = data.demand
    d_b, d_m, d_t = (_codes([d.buyer for d in dem], bpos), _codes([d.material for d in dem], mpos),
                     _codes([d.period for d in dem], tpos))
    d_q = np.fromiter((d.quantity for d in dem), dtype=float, count=len(dem))
    keep = d_q > 0
    demand = np.zeros((n_b, n_m, n_p))
    demand[d_b[keep], d_m[keep], d_t[keep]] = d_q[keep]

    rules = data.stock_rules
    r_b, r_m, r_t = (_codes([r.buyer for r in rules], bpos),
                     _codes([r.material for r in rules], mpos), _codes([r.period for r in rules],
                                                                       tpos))
    has_rule = np.zeros((n_b, n_m, n_p), dtype=bool)
    has_rule[r_b, r_m, r_t] = True
    min_days = np.zeros((n_b, n_m, n_p))
    min_level = np.zeros((n_b, n_m, n_p))
    ceiling = np.full((n_b, n_m, n_p), np.nan)
    holding = np.zeros((n_b, n_m, n_p))
    min_days[r_b, r_m, r_t] = [r.min_days for r in rules]
    min_level[r_b, r_m, r_t] = [r.min_level for r in rules]
    ceiling[r_b, r_m, r_t] = [np.nan if r.max_level is None else r.max_level for r in rules]
    holding[r_b, r_m, r_t] = [r.holding_cost for r in rules]
    level = np.maximum(min_level, min_days * demand / days)
    floor_mask = has_rule & (level > 0)
    ceil_mask = has_rule & ~np.isnan(ceiling)
    holding = np.where(has_rule, holding, 0.0)

    init = np.zeros((n_b, n_m))
    has_init = np.zeros((n_b, n_m), dtype=bool)
    for i in data.initial_stock:
        init[bpos[i.buyer], mpos[i.material]] = i.quantity
        has_init[bpos[i.buyer], mpos[i.material]] = True
    stocked = (demand > 0).any(axis=2) | has_rule.any(axis=2) | has_init
    sk_b, sk_m = np.nonzero(stocked)  # buyer-major, material-minor: the model's order
    n_k = len(sk_b)
    sk_id = np.full((n_b, n_m), -1, dtype=np.int64)
    sk_id[sk_b, sk_m] = np.arange(n_k)

    # routes and offers
    r_exists = np.zeros((n_s, n_b), dtype=bool)
    r_open = np.zeros((n_s, n_b), dtype=bool)
    r_lead = np.zeros((n_s, n_b), dtype=np.int64)
    r_tariff = np.zeros((n_s, n_b))
    r_freight = np.zeros((n_s, n_b))
    for r in data.routes:
        s, b = spos[r.supplier], bpos[r.buyer]
        r_exists[s, b], r_open[s, b], r_lead[s, b] = True, r.open, r.lead_time
        r_tariff[s, b], r_freight[s, b] = r.tariff, r.freight
    active = np.array([s.active for s in data.suppliers], dtype=bool)
    country_names = sorted({s.country for s in data.suppliers}
                           | {s.origin for s in data.suppliers})
    cpos = {c: i for i, c in enumerate(country_names)}
    s_country = _codes([s.country for s in data.suppliers], cpos)
    s_origin = _codes([s.origin for s in data.suppliers], cpos)

    offers = data.offers
    n_o = len(offers)
    o_s = _codes([o.supplier for o in offers], spos)
    o_m = _codes([o.material for o in offers], mpos)
    o_t = _codes([o.period for o in offers], tpos)
    o_tier = np.fromiter((o.tier for o in offers), dtype=np.int64, count=n_o)
    o_cap = np.fromiter((o.capacity for o in offers), dtype=float, count=n_o)
    o_price = np.fromiter((o.price for o in offers), dtype=float, count=n_o)
    o_min = np.fromiter((o.min_offtake for o in offers), dtype=float, count=n_o)

    # arcs: offer-major, buyer-minor (the order of the index)
    sell = np.flatnonzero(active[o_s] & (o_cap > 0))
    a_o = np.repeat(sell, n_b)
    a_b = np.tile(np.arange(n_b), len(sell))
    a_s, a_m, a_t = o_s[a_o], o_m[a_o], o_t[a_o]
    lead = np.where(r_exists[a_s, a_b], r_lead[a_s, a_b], 0)
    ok = (stocked[a_b, a_m] & (~r_exists[a_s, a_b] | r_open[a_s, a_b])
          & (a_t + lead < n_p))
    a_o, a_b, a_s, a_m, a_t, lead = a_o[ok], a_b[ok], a_s[ok], a_m[ok], a_t[ok], lead[ok]
    a_arr = a_t + lead
    a_price = o_price[a_o]
    a_tariff = a_price * np.where(r_exists[a_s, a_b], r_tariff[a_s, a_b], 0.0)
    a_freight = np.where(r_exists[a_s, a_b], r_freight[a_s, a_b], 0.0)
    a_unit = a_price + a_tariff + a_freight
    n_a = len(a_o)

    # short, transfer columns
    sh_b, sh_m, sh_t = np.nonzero(demand > 0)
    n_sh = len(sh_b)
    sh_q = demand[sh_b, sh_m, sh_t]
    shares = [(bpos[z.giver], bpos[z.receiver], mpos[z.material], z.cost,
               np.inf if z.limit is None else z.limit) for z in data.sharing
              if z.giver in bpos and z.receiver in bpos and z.material in mpos]
    z_arr = np.array(shares, dtype=float).reshape(-1, 5)
    z_arr = z_arr[stocked[z_arr[:, 0].astype(int), z_arr[:, 2].astype(int)]
                  & stocked[z_arr[:, 1].astype(int), z_arr[:, 2].astype(int)]]
    n_z = len(z_arr) * n_p
    z_g = np.repeat(z_arr[:, 0].astype(np.int64), n_p)
    z_r = np.repeat(z_arr[:, 1].astype(np.int64), n_p)
    z_m = np.repeat(z_arr[:, 2].astype(np.int64), n_p)
    z_t = np.tile(np.arange(n_p), len(z_arr))
    z_cost = np.repeat(z_arr[:, 3], n_p)
    z_limit = np.repeat(z_arr[:, 4], n_p)

    c_buy, c_stock = 0, n_a
    c_short = c_stock + n_k * n_p
    c_transfer = c_short + n_sh
    c_excess = c_transfer + n_z
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    row_blocks: dict[str, slice] = {}
    n_rows = 0

    def add_block(name: str, r: np.ndarray, c: np.ndarray, v: np.ndarray, lo: np.ndarray,
                  up: np.ndarray) -> None:
        nonlocal n_rows
        rows.append(r + n_rows)
        cols.append(c)
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape))
        lower.append(lo)
        upper.append(up)
        row_blocks[name] = slice(n_rows, n_rows + len(lo))
        n_rows += len(lo)

    arc_cols = np.arange(n_a)
    # 1. capacity per tranche with at least one arc
    cap_offer, cap_row = np.unique(a_o, return_inverse=True)
    add_block("capacity", cap_row, arc_cols, 1.0, np.full(len(cap_offer), -np.inf),
              o_cap[cap_offer])
    # 2. minimum offtake per (s, m, t) with an arc
    n_smt = n_s * n_m * n_p
    o_smt = (o_s * n_m + o_m) * n_p + o_t
    a_smt = (a_s * n_m + a_m) * n_p + a_t
    need = np.bincount(o_smt, weights=np.where(o_min > 0, o_min, 0.0), minlength=n_smt)
    sold = np.zeros(n_smt, dtype=bool)
    sold[a_smt] = True
    off_keys = np.flatnonzero((need > 0) & sold)
    off_row = np.full(n_smt, -1)
    off_row[off_keys] = np.arange(len(off_keys))
    in_off = off_row[a_smt] >= 0
    add_block("offtake", off_row[a_smt[in_off]], arc_cols[in_off], 1.0, need[off_keys],
              np.full(len(off_keys), np.inf))
    # 3. stock balance per stocked (buyer, material) x period
    kt = np.arange(n_k * n_p)
    k_of, t_of = kt // n_p, kt % n_p
    prev = kt[t_of > 0]
    z_in = sk_id[z_r, z_m] * n_p + z_t
    z_out = sk_id[z_g, z_m] * n_p + z_t
    sh_row = sk_id[sh_b, sh_m] * n_p + sh_t
    rhs = -demand[sk_b[k_of], sk_m[k_of], t_of] + np.where(t_of == 0, init[sk_b[k_of],
                                                                             sk_m[k_of]], 0.0)
    add_block("balance",
              np.concatenate([kt, prev, sk_id[a_b, a_m] * n_p + a_arr, z_in, z_out, sh_row]),
              np.concatenate([c_stock + kt, c_stock + prev - 1, arc_cols,
                              c_transfer + np.arange(n_z), c_transfer + np.arange(n_z),
                              c_short + np.arange(n_sh)]),
              np.concatenate([np.ones(n_k * n_p), -np.ones(len(prev)), -np.ones(n_a),
                              -np.ones(n_z), np.ones(n_z), -np.ones(n_sh)]), rhs, rhs)
    # 4. floor and ceiling
    f_b, f_m, f_t = np.nonzero(floor_mask)
    f_col = c_stock + sk_id[f_b, f_m] * n_p + f_t
    add_block("floor", np.arange(len(f_col)), f_col, 1.0, level[f_b, f_m, f_t],
              np.full(len(f_col), np.inf))
    g_b, g_m, g_t = np.nonzero(ceil_mask)
    g_col = c_stock + sk_id[g_b, g_m] * n_p + g_t
    add_block("ceiling", np.arange(len(g_col)), g_col, 1.0, np.full(len(g_col), -np.inf),
              ceiling[g_b, g_m, g_t])
    # 5. diversification caps: capped - share x counted <= excess (soft) or 0 (hard)
    target_of = {"max_supplier_share": (np.arange(n_s), spos),
                 "max_country_share": (s_country, cpos), "max_origin_share": (s_origin, cpos)}
    cap_r, cap_c, cap_v = [], [], []
    ex_row, ex_cost = [], []
    n_caps = 0
    for pol in data.policies:
        if pol.material not in mpos or pol.share >= 1:
            continue
        counted = a_m == mpos[pol.material]
        if pol.buyer is not None:
            counted &= a_b == bpos.get(pol.buyer, -1)
        idx = np.flatnonzero(counted)
        codes, lookup = target_of[pol.kind]
        capped = codes[a_s[idx]] == lookup.get(pol.target, -2)
        if pol.scope == "period":
            has = np.bincount(a_t[idx][capped], minlength=n_p) > 0
            t_rows = np.full(n_p, -1)
            t_rows[has] = n_caps + np.arange(int(has.sum()))
            arc_row = t_rows[a_t[idx]]
            sel = arc_row >= 0
            cap_r.append(arc_row[sel])
            cap_c.append(idx[sel])
            cap_v.append(np.where(capped[sel], -pol.share + 1.0, -pol.share))
            new_rows = t_rows[has]
            row_disc = disc[has]
        elif capped.any():
            cap_r.append(np.full(len(idx), n_caps))
            cap_c.append(idx)
            cap_v.append(np.where(capped, -pol.share + 1.0, -pol.share))
            new_rows, row_disc = np.array([n_caps]), np.ones(1)
        else:
            continue
        n_caps += len(new_rows)
        if pol.penalty is not None:
            ex_row.append(new_rows)
            ex_cost.append(row_disc * pol.penalty)
    ex_row_a = np.concatenate(ex_row) if ex_row else np.zeros(0, dtype=np.int64)
    n_v = len(ex_row_a)
    add_block("cap", np.concatenate([*cap_r, ex_row_a]).astype(np.int64),
              np.concatenate([*cap_c, c_excess + np.arange(n_v)]).astype(np.int64),
              np.concatenate([*cap_v, -np.ones(n_v)]), np.full(n_caps, -np.inf),
              np.zeros(n_caps))
    # 6. budgets (rows without any purchase are dropped, as the compiler does)
    budget = {(bpos[g.buyer], tpos[g.period]): g.amount for g in data.budgets
              if g.buyer in bpos and g.period in tpos}
    bud_amount = np.full((n_b, n_p), np.nan)
    for (b, t), amount in budget.items():
        bud_amount[b, t] = amount
    has_buy = np.zeros((n_b, n_p), dtype=bool)
    has_buy[a_b, a_t] = True
    bud_b, bud_t = np.nonzero(~np.isnan(bud_amount) & has_buy)
    bud_row = np.full((n_b, n_p), -1)
    bud_row[bud_b, bud_t] = np.arange(len(bud_b))
    in_bud = bud_row[a_b, a_t] >= 0
    add_block("budget", bud_row[a_b, a_t][in_bud], arc_cols[in_bud], a_unit[in_bud],
              np.full(len(bud_b), -np.inf), bud_amount[bud_b, bud_t])

    n_cols = c_excess + n_v
    matrix = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_rows, n_cols))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    stock_cost = disc[None, :] * holding[sk_b, sk_m, :]
    cost = np.concatenate([disc[a_t] * a_price + disc[a_t] * a_tariff + disc[a_t] * a_freight,
                           stock_cost.ravel(), disc[sh_t] * st.shortage_penalty,
                           disc[z_t] * z_cost,
                           np.concatenate(ex_cost) if ex_cost else np.zeros(0)])
    col_lower = np.zeros(n_cols)
    col_upper = np.concatenate([np.full(n_a + n_k * n_p, np.inf), sh_q, z_limit,
                                np.full(n_v, np.inf)])
    blocks = {"buy": slice(c_buy, c_stock), "stock": slice(c_stock, c_short),
              "short": slice(c_short, c_transfer), "transfer": slice(c_transfer, c_excess),
              "excess": slice(c_excess, n_cols)}
    countries = np.array(country_names, dtype=object)
    arrays = dict(a_o=a_o, a_b=a_b, a_s=a_s, a_m=a_m, a_t=a_t, a_arr=a_arr, a_price=a_price,
                  a_tariff=a_tariff, a_freight=a_freight, a_unit=a_unit, o_s=o_s, o_m=o_m,
                  o_t=o_t, o_tier=o_tier, o_cap=o_cap, o_price=o_price, cap_offer=cap_offer,
                  sk_b=sk_b, sk_m=sk_m, init=init, demand=demand, level=level,
                  floor_mask=floor_mask, ceiling=ceiling, holding=holding, days=days,
                  disc=disc, sh_b=sh_b, sh_m=sh_m, sh_t=sh_t, z_g=z_g, z_r=z_r, z_m=z_m,
                  z_t=z_t, z_cost=z_cost)
    labels = dict(buyer=np.array(buyers, dtype=object),
                  material=np.array(materials, dtype=object),
                  period=np.array(periods, dtype=object),
                  supplier=np.array(sup_names, dtype=object),
                  country=countries[s_country], origin=countries[s_origin],
                  src=np.array([o.src for o in offers], dtype=object))
    return RawLP(cost, col_lower, col_upper, np.concatenate(lower), np.concatenate(upper),
                 matrix, blocks, row_blocks, arrays, labels)


def highs_options() -> dict[str, object]:
    """optimizer.solving.highs.HIGHS_OPTIONS; passed to memory children through the environment so
    that the raw child does not import Pyomo."""
    if OPTIONS_ENV in os.environ:
        return json.loads(os.environ[OPTIONS_ENV])
    from optimizer.solving.highs import HIGHS_OPTIONS

    return dict(HIGHS_OPTIONS)


@dataclass
class RawSolve:
    status: str
    optimal: bool
    objective: float | None
    highs: Any


def solve_raw(lp: RawLP, options: dict[str, object]) -> RawSolve:
    import highspy

    with stdout_silenced():
        h = highspy.Highs()
    for name, value in options.items():
        h.setOptionValue(name, value)
    a = lp.matrix
    n_cols, n_rows = a.shape[1], a.shape[0]
    h.passModel(n_cols, n_rows, int(a.nnz), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), 0.0, lp.cost, lp.col_lower, lp.col_upper,
                lp.row_lower, lp.row_upper, a.indptr.astype(np.int32),
                a.indices.astype(np.int32), a.data.astype(float),
                np.zeros(n_cols, dtype=np.int32))
    h.run()
    ms = h.getModelStatus()
    optimal = ms == highspy.HighsModelStatus.kOptimal
    objective = h.getInfo().objective_function_value if optimal else None
    return RawSolve(h.modelStatusToString(ms), optimal, objective, h)


def extract_raw(lp: RawLP, solved: RawSolve) -> dict[str, Any]:
    """Read the solution back into tables comparable with optimizer.solving.extract.extract."""
    import pandas as pd

    sol = solved.highs.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    dual = np.asarray(sol.row_dual, dtype=float)
    A, L = lp.arrays, lp.labels
    buy = x[lp.blocks["buy"]]
    pos = np.flatnonzero(buy > TOL)
    q = buy[pos]
    s_idx = A["a_s"][pos]
    purchases = pd.DataFrame({
        "buyer": L["buyer"][A["a_b"][pos]], "supplier": L["supplier"][s_idx],
        "country": L["country"][s_idx], "origin": L["origin"][s_idx],
        "material": L["material"][A["a_m"][pos]], "period": L["period"][A["a_t"][pos]],
        "arrives": L["period"][A["a_arr"][pos]], "tier": A["o_tier"][A["a_o"][pos]],
        "quantity": q, "price": A["a_price"][pos], "tariff": A["a_tariff"][pos],
        "freight": A["a_freight"][pos], "unit_cost": A["a_unit"][pos],
        "cost": q * A["a_unit"][pos]})
    z = x[lp.blocks["transfer"]]
    zp = np.flatnonzero(z > TOL)
    transfers = pd.DataFrame({
        "from": L["buyer"][A["z_g"][zp]], "to": L["buyer"][A["z_r"][zp]],
        "material": L["material"][A["z_m"][zp]], "period": L["period"][A["z_t"][zp]],
        "quantity": z[zp], "cost": z[zp] * A["z_cost"][zp]})

    # stock table: one row per stocked (buyer, material) x period
    sk_b, sk_m = A["sk_b"], A["sk_m"]
    n_k, n_p = len(sk_b), len(L["period"])
    n_b, n_m = len(L["buyer"]), len(L["material"])
    cube = (n_b, n_m, n_p)
    arrivals = np.bincount(np.ravel_multi_index((A["a_b"], A["a_m"], A["a_arr"]), cube),
                           weights=buy, minlength=n_b * n_m * n_p).reshape(cube)
    z_in = np.bincount(np.ravel_multi_index((A["z_r"], A["z_m"], A["z_t"]), cube), weights=z,
                       minlength=n_b * n_m * n_p).reshape(cube)
    z_out = np.bincount(np.ravel_multi_index((A["z_g"], A["z_m"], A["z_t"]), cube), weights=z,
                        minlength=n_b * n_m * n_p).reshape(cube)
    short = np.zeros(cube)
    short[A["sh_b"], A["sh_m"], A["sh_t"]] = x[lp.blocks["short"]]
    closing = x[lp.blocks["stock"]].reshape(n_k, n_p)
    opening = np.concatenate([A["init"][sk_b, sk_m][:, None], closing[:, :-1]], axis=1)
    d = A["demand"][sk_b, sk_m]
    daily = d / A["days"][None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(daily > 0, closing / daily, np.nan)
    stock = pd.DataFrame({
        "buyer": np.repeat(L["buyer"][sk_b], n_p), "material": np.repeat(L["material"][sk_m], n_p),
        "period": np.tile(L["period"], n_k), "opening": opening.ravel(),
        "arrivals": arrivals[sk_b, sk_m].ravel(), "transfers_in": z_in[sk_b, sk_m].ravel(),
        "transfers_out": z_out[sk_b, sk_m].ravel(), "demand": d.ravel(),
        "shortfall": short[sk_b, sk_m].ravel(), "use": (d - short[sk_b, sk_m]).ravel(),
        "closing": closing.ravel(),
        "floor": np.where(A["floor_mask"], A["level"], 0.0)[sk_b, sk_m].ravel(),
        "ceiling": A["ceiling"][sk_b, sk_m].ravel(),
        "holding_cost": A["holding"][sk_b, sk_m].ravel(), "days_of_cover": cover.ravel()})

    # supply table: every offer, with its capacity row's dual
    n_o = len(A["o_s"])
    used = np.bincount(A["a_o"], weights=buy, minlength=n_o)
    marginal = np.zeros(n_o)
    marginal[A["cap_offer"]] = np.maximum(-dual[lp.row_blocks["capacity"]], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(A["o_cap"] > 0, used / A["o_cap"], np.nan)
    supply = pd.DataFrame({
        "supplier": L["supplier"][A["o_s"]], "country": L["country"][A["o_s"]],
        "material": L["material"][A["o_m"]], "period": L["period"][A["o_t"]],
        "tier": A["o_tier"], "capacity": A["o_cap"], "price": A["o_price"], "used": used,
        "utilisation": util, "marginal_value": marginal, "source_row": L["src"]})

    # binding rows, with their family and dual (no prose)
    binding = np.flatnonzero(np.abs(dual) > DUAL_EPS)
    family = np.empty(len(dual), dtype=object)
    for name, sl in lp.row_blocks.items():
        family[sl] = name
    constraints = pd.DataFrame({"rule": family[binding], "row": binding,
                                "shadow_price": dual[binding]})

    disc_a = A["disc"][A["a_t"]]
    sb = lp.blocks
    costs = {"purchase": float(buy @ (disc_a * A["a_price"])),
             "tariff": float(buy @ (disc_a * A["a_tariff"])),
             "freight": float(buy @ (disc_a * A["a_freight"])),
             "holding": float(x[sb["stock"]] @ lp.cost[sb["stock"]]),
             "transfer": float(z @ lp.cost[sb["transfer"]]),
             "shortfall": float(x[sb["short"]] @ lp.cost[sb["short"]]),
             "policy": float(x[sb["excess"]] @ lp.cost[sb["excess"]])}
    pv = purchases["cost"].to_numpy() * A["disc"][A["a_t"][pos]]
    by_buyer = pd.DataFrame({"buyer": purchases["buyer"], "pv": pv, "spend": purchases["cost"],
                             "quantity": q}).groupby("buyer").sum()
    by_buyer = by_buyer.join(stock.groupby("buyer")[["demand", "shortfall"]].sum(), how="outer")
    return {"purchases": purchases, "transfers": transfers, "stock": stock, "supply": supply,
            "constraints": constraints, "costs": costs, "buyers": by_buyer}


# --------------------------------------------------------------------------- timing

@dataclass
class PathTimes:
    build_s: float = float("inf")
    compile_s: float = float("inf")  # project only
    solve_s: float = float("inf")
    extract_s: float = float("inf")
    e2e_s: float = float("inf")
    check_s: float = float("inf")  # project only

    def keep_best(self, other: dict[str, float]) -> None:
        for name, value in other.items():
            setattr(self, name, min(getattr(self, name), value))


def _measured(times: PathTimes) -> dict[str, float | None]:
    """Stage -> best seconds; None for a stage the path does not have (strict JSON)."""
    return {k: (v if v != float("inf") else None) for k, v in vars(times).items()}


def run_project(data: md.ScenarioData, gc_paused: bool = False
                ) -> tuple[dict[str, float], Any]:
    """``solve_plan(data, check=False)``; ``gc_paused`` runs it with the cyclic garbage collector
    disabled (a what-if: Pyomo's own writers pause it with pyomo.common.gc_manager)."""
    from optimizer.solving.plan import solve_plan

    if gc_paused:
        gc.disable()
    try:
        t0 = time.perf_counter()
        run = solve_plan(data, check=False)
        e2e = time.perf_counter() - t0
    finally:
        if gc_paused:
            gc.enable()
    if run.status.value != "optimal":
        raise SystemExit(f"project path: status {run.status.value!r}, expected optimal")
    t = run.timings
    return {"build_s": t["build_s"], "compile_s": t["compile_s"], "solve_s": t["solve_s"],
            "extract_s": t["extract_s"], "e2e_s": e2e}, run


def run_check(data: md.ScenarioData, run: Any) -> tuple[float, int]:
    from optimizer.solving.checker import check_plan

    res = run.result
    t0 = time.perf_counter()
    violations = check_plan(data, res.purchases, res.transfers, res.stock,
                            objective=run.outcome.objective)
    return time.perf_counter() - t0, len(violations)


def run_raw(data: md.ScenarioData, options: dict[str, object]
            ) -> tuple[dict[str, float], RawLP, RawSolve, dict[str, Any]]:
    t0 = time.perf_counter()
    lp = build_raw(data)
    t1 = time.perf_counter()
    solved = solve_raw(lp, options)
    t2 = time.perf_counter()
    if not solved.optimal:
        raise SystemExit(f"raw path: status {solved.status!r}, expected Optimal")
    tables = extract_raw(lp, solved)
    t3 = time.perf_counter()
    return ({"build_s": t1 - t0, "solve_s": t2 - t1, "extract_s": t3 - t2, "e2e_s": t3 - t0},
            lp, solved, tables)


def warm_up(seed: int) -> dict[str, float]:
    """Run both paths once on the small scenario: the first Pyomo compile in a process pays
    for lazy imports (~1.7 s here), which would otherwise land in a single large run."""
    data = make_scenario("small", seed)
    t0 = time.perf_counter()
    run_project(data)
    t1 = time.perf_counter()
    run_raw(data, highs_options())
    return {"coprocure_s": t1 - t0, "raw_s": time.perf_counter() - t1}


def bench_size(size: str, repeat: int, seed: int, whatif: bool = True) -> dict[str, Any]:
    options = highs_options()
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    data = make_scenario(size, seed)
    gen_s = time.perf_counter() - t0
    project, raw, paused = PathTimes(), PathTimes(), PathTimes()
    info: dict[str, Any] = {}
    for _ in range(repeat):
        if whatif:
            gc.collect()
            times, run = run_project(data, gc_paused=True)
            paused.keep_best(times)
            del run
        gc.collect()
        times, run = run_project(data)
        check_s, n_violations = run_check(data, run)
        project.keep_best({**times, "check_s": check_s})
        lp_p = run.outcome.lp
        info["project_lp"] = {"rows": len(lp_p.rows), "columns": len(lp_p.columns),
                              "nonzeros": int(lp_p.matrix.nnz)}
        info["project_objective"] = run.objective
        info["violations"] = n_violations
        info["purchases_rows"] = len(run.result.purchases)
        del run, lp_p
        gc.collect()
        times, lp, solved, tables = run_raw(data, options)
        raw.keep_best(times)
        info["raw_lp"] = {"rows": lp.matrix.shape[0], "columns": lp.matrix.shape[1],
                          "nonzeros": int(lp.matrix.nnz)}
        info["raw_objective"] = solved.objective
        info["raw_purchases_rows"] = len(tables["purchases"])
        del lp, solved, tables
    a, b = info["project_objective"], info["raw_objective"]
    rel = abs(a - b) / max(1.0, abs(a), abs(b))
    if rel > OBJECTIVE_RTOL:
        raise SystemExit(f"{size}: objectives differ: project {a!r}, raw {b!r} (rel {rel:.2e})"
                         " -- the raw builder is not the same LP")
    return {"size": size, "dims": dict(zip(("buyers", "suppliers", "materials", "periods"),
                                           SIZES[size], strict=True)),
            "scenario": scenario_counts(data), "generate_s": gen_s, "repeat": repeat,
            "project": _measured(project), "raw": _measured(raw),
            "project_gc_paused": _measured(paused) if whatif else None,
            "objective_rel_diff": rel,
            "load_before": load_before, "load_after": os.getloadavg(), **info}


# --------------------------------------------------------------------------- memory

def peak_rss_mib() -> float:
    """Peak RSS of this address space (VmHWM); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 / (1024 if sys.platform == "darwin" else 1)


def child_main(path: str, size: str, seed: int) -> int:
    """Run one path once on ``size``; print {"peak_mib", "base_mib", "objective"} as JSON.

    ``base_mib`` is the peak after imports, a warm-up run on the small scenario and the
    generation of the scenario; ``peak_mib`` the peak of the whole process."""
    options = highs_options()
    if path == "coprocure":
        import optimizer.solving.plan  # noqa: F401  (import cost belongs to the path)
    else:
        import highspy  # noqa: F401
        import pandas  # noqa: F401
        import scipy.sparse  # noqa: F401
    # one run on the small scenario first, so that lazy imports (Pyomo loads much of its
    # compiler on the first call) count in the base, not in the increment
    small = make_scenario("small", seed)
    if path == "coprocure":
        run_project(small)
    else:
        run_raw(small, options)
    del small
    gc.collect()
    data = make_scenario(size, seed)
    base = peak_rss_mib()
    if path == "coprocure":
        _, run = run_project(data)
        objective = run.objective
    else:
        _, _, solved, _ = run_raw(data, options)
        objective = solved.objective
    print(json.dumps({"peak_mib": peak_rss_mib(), "base_mib": base, "objective": objective,
                      "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                      / 1024}))
    return 0


def measure_memory(size: str, seed: int) -> dict[str, Any]:
    env = dict(os.environ, **{OPTIONS_ENV: json.dumps(highs_options())})
    out: dict[str, Any] = {}
    for path in ("coprocure", "raw"):
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_child", path,
                               size, "--seed", str(seed)], capture_output=True, text=True,
                              env=env, cwd=str(ROOT), check=False)
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            raise SystemExit(f"memory child {path} {size} failed:\n{proc.stderr[-2000:]}")
        out[path] = json.loads(lines[-1])
    out["ratio"] = out["coprocure"]["peak_mib"] / out["raw"]["peak_mib"]
    raw_inc = out["raw"]["peak_mib"] - out["raw"]["base_mib"]
    out["increment_ratio"] = ((out["coprocure"]["peak_mib"] - out["coprocure"]["base_mib"])
                              / raw_inc if raw_inc >= 1.0 else None)  # < 1 MiB: noise
    return out


# --------------------------------------------------------------------------- profile

def profile_project(size: str, seed: int, top: int) -> None:
    import cProfile
    import pstats

    from optimizer.solving.plan import solve_plan

    data = make_scenario(size, seed)
    solve_plan(data, check=False)  # warm imports and caches
    gc.collect()
    prof = cProfile.Profile()
    prof.enable()
    solve_plan(data, check=False)
    prof.disable()
    for key in ("cumulative", "tottime"):
        print(f"\n--- cProfile of solve_plan(data, check=False) at {size}, sorted by {key} ---")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(top)


def verify_builder(examples: int) -> int:
    """Check build_raw against the project on random scenarios of tests/factory.py (needs
    hypothesis): same rows, columns, nonzeros and optimal objective (1e-6 relative)."""
    from hypothesis import HealthCheck, given, settings

    from optimizer.solving.plan import solve_plan
    from tests.factory import random_scenarios

    options = highs_options()
    seen = {"compared": 0, "not optimal": 0}

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(random_scenarios())
    def same_lp(data: md.ScenarioData) -> None:
        run = solve_plan(data, check=False)
        if run.status.value != "optimal" or run.outcome is None or not run.outcome.lp.columns:
            seen["not optimal"] += 1
            return
        lp = build_raw(data)
        compiled = run.outcome.lp
        assert lp.matrix.shape == (len(compiled.rows), len(compiled.columns))
        assert lp.matrix.nnz == compiled.matrix.nnz
        solved = solve_raw(lp, options)
        assert solved.optimal, solved.status
        a, b = run.outcome.objective, solved.objective
        assert abs(a - b) <= OBJECTIVE_RTOL * max(1.0, abs(a)), (a, b)
        extract_raw(lp, solved)
        seen["compared"] += 1

    same_lp()
    print(f"raw builder == project LP on {seen['compared']} random scenarios "
          f"({seen['not optimal']} skipped: not optimal or empty)")
    return 0


def stage_breakdown(size: str, seed: int, repeat: int) -> dict[str, dict[str, float]]:
    """Best time of each step of the project's path, with the garbage collector on and
    paused: the index, every constraint family of models/build.py, the standard-form
    compile, HiGHS, extraction and (inside it) the constraint report."""
    import pyomo.environ as pyo

    from models import build as mb
    from models.index import build_index
    from optimizer.solving import highs as so
    from optimizer.solving.extract import extract

    # the calls of models.build.build_model, in its order (as of 2026-11-27)
    names = ("add_variables", "add_supply", "add_sharing", "add_stock_balance",
             "add_stockpile", "add_diversification", "add_budgets", "add_objective")
    steps = [(name, getattr(mb, name)) for name in names if hasattr(mb, name)]
    try:
        from optimizer.solving.shadow_prices import constraint_table
    except ImportError:  # refactored away: skip that line
        constraint_table = None
    data = make_scenario(size, seed)
    out: dict[str, dict[str, float]] = {"gc on": {}, "gc paused": {}}
    for _ in range(repeat):
        for mode, best in out.items():
            gc.collect()
            if mode == "gc paused":
                gc.disable()
            try:
                def timed(name: str, func: Any, *args: Any, best: dict = best) -> Any:
                    t0 = time.perf_counter()
                    value = func(*args)
                    best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
                    return value

                ix = timed("build_index", build_index, data)
                m = pyo.ConcreteModel(name=data.settings.name)
                m.ix = ix
                for name, func in steps:
                    timed(name, func, m, ix)
                lp = timed("compile_lp", so.compile_lp, m)

                def highs_run(lp: Any = lp) -> Any:
                    h = so.new_highs()
                    so.pass_lp(h, lp)
                    h.run()
                    return h

                h = timed("HiGHS pass + run", highs_run)
                outcome = timed("read_outcome", so.read_outcome, h, lp, {}, {})
                timed("extract", extract, data, m, outcome)
                if constraint_table is not None:
                    timed("  constraint_table", constraint_table, data, m, outcome)
                del m, lp, h, outcome
            finally:
                gc.enable()
    return out


def print_stages(size: str, stages: dict[str, dict[str, float]], repeat: int) -> None:
    on, off = stages["gc on"], stages["gc paused"]
    print(f"\n== project path step by step, {size}, best of {repeat} (seconds)")
    print(f"   {'step':<24}{'gc on':>9}{'gc paused':>11}")
    for name in on:
        print(f"   {name:<24}{on[name]:9.3f}{off.get(name, float('nan')):11.3f}")
    model = [k for k in on if k == "build_index" or k.startswith("add_")]
    print(f"   {'= index + model':<24}{sum(on[k] for k in model):9.3f}"
          f"{sum(off[k] for k in model):11.3f}")


# --------------------------------------------------------------------------- report

def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pyomo", "highspy", "numpy", "scipy", "pandas"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def print_size(res: dict[str, Any]) -> None:
    p, r = res["project"], res["raw"]
    lp = res["project_lp"]
    d = res["dims"]
    print(f"\n== {res['size']}: {d['buyers']} buyers x {d['suppliers']} suppliers x "
          f"{d['materials']} materials x {d['periods']} periods; best of {res['repeat']}")
    print(f"   LP: {lp['rows']:,} rows x {lp['columns']:,} columns, {lp['nonzeros']:,} nonzeros"
          f" (raw builder: {res['raw_lp']['rows']:,} x {res['raw_lp']['columns']:,}, "
          f"{res['raw_lp']['nonzeros']:,})")
    print(f"   load average {res['load_before'][0]:.2f} before, {res['load_after'][0]:.2f} after"
          " (2 cores, shared machine)")
    print(f"   objective {res['project_objective']:.10g}; raw differs by "
          f"{res['objective_rel_diff']:.1e} relative; checker violations: {res['violations']}")
    head = f"   {'stage':<28}{'coprocure s':>12}{'raw s':>10}{'ratio':>8}"
    print(head)
    print("   " + "-" * (len(head) - 3))
    rows = [("model build (index + Pyomo)", p["build_s"], r["build_s"], None),
            ("  standard-form compile", p["compile_s"], None, None),
            ("  build + compile", p["build_s"] + p["compile_s"], r["build_s"], True),
            ("solve (pass + HiGHS run)", p["solve_s"], r["solve_s"], True),
            ("extraction", p["extract_s"], r["extract_s"], True),
            ("end to end", p["e2e_s"], r["e2e_s"], True),
            ("checker (not in e2e)", p["check_s"], None, None)]
    g = res.get("project_gc_paused")
    if g:
        rows += [("what-if, GC paused:", None, None, None),
                 ("  build + compile", g["build_s"] + g["compile_s"], r["build_s"], True),
                 ("  extraction", g["extract_s"], r["extract_s"], True),
                 ("  end to end", g["e2e_s"], r["e2e_s"], True)]
    for label, a, b, show in rows:
        if a is None:
            print(f"   {label}")
            continue
        bs = f"{b:10.3f}" if b is not None else f"{'-':>10}"
        rs = f"{_ratio(a, b):7.2f}x" if show and b else f"{'':>8}"
        print(f"   {label:<28}{a:12.3f}{bs}{rs}")
    mem = res.get("memory")
    if mem:
        c, w = mem["coprocure"], mem["raw"]
        print(f"   peak RSS MiB: coprocure {c['peak_mib']:.0f} "
              f"(+{c['peak_mib'] - c['base_mib']:.0f} over imports+warm-up+data), "
              f"raw {w['peak_mib']:.0f} (+{w['peak_mib'] - w['base_mib']:.0f}); "
              f"ratio {mem['ratio']:.2f}x (increments "
              f"{_fmt_ratio(mem['increment_ratio'])})")
    for line in verdicts(res):
        print(f"   {line}")


def verdicts(res: dict[str, Any]) -> list[str]:
    out = []
    e2e = _ratio(res["project"]["e2e_s"], res["raw"]["e2e_s"])
    target = TARGET_E2E.get(res["size"])
    if target is not None:
        out.append(f"end to end {e2e:.2f}x raw, target <= {target:.2f}x: "
                   f"{'MET' if e2e <= target else 'NOT MET'}")
    if res.get("memory"):
        ratio = res["memory"]["ratio"]
        out.append(f"peak memory {ratio:.2f}x raw, target <= {TARGET_MEMORY:.2f}x: "
                   f"{'MET' if ratio <= TARGET_MEMORY else 'NOT MET'}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=[*SIZES, "all"], default="medium")
    ap.add_argument("--repeat", type=int, default=None,
                    help="repeats per size, best taken (default 3 small/medium, 1 large)")
    ap.add_argument("--json", type=Path, default=None, help="write results as JSON here")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    ap.add_argument("--no-whatif", action="store_true",
                    help="skip the extra project run with the garbage collector paused")
    ap.add_argument("--profile", type=int, nargs="?", const=30, default=None, metavar="N",
                    help="cProfile the project path at --size and print the top N functions")
    ap.add_argument("--verify", type=int, default=0, metavar="N",
                    help="check the raw builder against the project on N random scenarios "
                    "of tests/factory.py (needs hypothesis) and exit")
    ap.add_argument("--stages", action="store_true",
                    help="time each step of the project's path (index, every constraint "
                    "family, compile, HiGHS, extraction), GC on and paused, and exit")
    ap.add_argument("--_child", nargs=2, metavar=("PATH", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._child:
        return child_main(args._child[0], args._child[1], args.seed)
    sizes = list(SIZES) if args.size == "all" else [args.size]
    if args.verify:
        return verify_builder(args.verify)
    if args.stages:
        for size in sizes:
            repeat = args.repeat or DEFAULT_REPEAT[size]
            print_stages(size, stage_breakdown(size, args.seed, repeat), repeat)
        return 0
    if args.profile is not None:
        for size in sizes:
            profile_project(size, args.seed, args.profile)
        return 0

    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"), "versions": versions(),
            "highs_options": highs_options(), "machine": platform.platform(),
            "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
            "seed": args.seed, "command": " ".join(["python", *sys.argv])}
    print(f"coprocure LP benchmark, {meta['date']}; "
          + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
          + f"; {meta['cpus']} CPUs, load {meta['load_average_at_start'][0]:.2f}")
    meta["warm_up"] = warm_up(args.seed)
    print(f"warm-up on the small scenario (first calls in this process, not counted): "
          f"coprocure {meta['warm_up']['coprocure_s']:.2f} s, raw {meta['warm_up']['raw_s']:.2f} s")
    results = []
    for size in sizes:
        repeat = args.repeat or DEFAULT_REPEAT[size]
        res = bench_size(size, repeat, args.seed, whatif=not args.no_whatif)
        if not args.no_memory:
            res["memory"] = measure_memory(size, args.seed)
        res["verdicts"] = verdicts(res)
        print_size(res)
        results.append(res)
    meta["load_average_at_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2,
                                        default=float))
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
