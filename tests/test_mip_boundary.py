"""The Pyomo-to-HiGHS boundary with integer decisions (SPEC 3.1): a model with binaries is
solved as a MIP, with the gap reached, and read back as the LP with its binaries fixed."""

from __future__ import annotations

import random

import numpy as np
import pyomo.environ as pyo
import pytest

from optimizer.solving.highs import MIP_GAP, Status, compile_lp, solve_model


def _fixed_charge(need: float) -> pyo.ConcreteModel:
    """Two plants: A costs 100 to open and 1 a tonne, B 10 to open and 5 a tonne, each
    at most 50 t. ``need`` t must be made. For 10 t: A 110, B 60: open B (60). For 40 t:
    A 140, B 210: open A (140)."""
    m = pyo.ConcreteModel()
    m.P = pyo.Set(initialize=["A", "B"])
    opening, unit = {"A": 100.0, "B": 10.0}, {"A": 1.0, "B": 5.0}
    m.open = pyo.Var(m.P, domain=pyo.Binary)
    m.make = pyo.Var(m.P, domain=pyo.NonNegativeReals)
    m.capacity = pyo.Constraint(m.P, rule=lambda m, p: m.make[p] <= 50 * m.open[p])
    m.demand = pyo.Constraint(expr=sum(m.make[p] for p in m.P) >= need)
    m.cost = pyo.Objective(expr=sum(opening[p] * m.open[p] + unit[p] * m.make[p] for p in m.P))
    return m


@pytest.mark.parametrize(("need", "opened", "cost", "marginal"),
                         [(10, "B", 60, 5), (40, "A", 140, 1)])
def test_a_fixed_charge_is_decided_whole(need: float, opened: str, cost: float,
                                         marginal: float) -> None:
    m = _fixed_charge(need)
    assert compile_lp(m).is_mip
    out = solve_model(m, mip_gap=0.0)
    assert out.status is Status.OPTIMAL
    assert out.objective == pytest.approx(cost)
    assert out.value(m.open[opened]) == pytest.approx(1)
    assert out.mip_gap is not None and out.mip_gap <= 1e-9
    # the shadow price is that of the LP with the binaries fixed: one more tonne costs the
    # open plant's unit cost, and the outcome says where it comes from
    assert out.duals(m.demand)[0] == pytest.approx(marginal)
    assert out.options["shadow_prices"] == "LP with integer decisions fixed"
    assert out.options["mip_rel_gap"] == 0.0


def test_an_lp_stays_an_lp() -> None:
    m = _fixed_charge(10)
    for p in m.P:
        m.open[p].domain = pyo.UnitInterval  # relaxed: a fifth of A is open, at 3 a tonne
    lp = compile_lp(m)
    assert not lp.is_mip
    out = solve_model(m)
    assert out.mip_gap is None and "mip_rel_gap" not in out.options
    assert out.objective == pytest.approx(100 * (10 / 50) + 1 * 10)  # 30, less than B's 60
    assert MIP_GAP == 1e-4


def test_an_infeasible_mip_has_no_plan() -> None:
    m = _fixed_charge(150)  # at most 100 t can be made
    out = solve_model(m)
    assert out.status is Status.INFEASIBLE and out.x is None


def test_a_coefficient_too_small_to_mean_anything_is_compiled_as_zero() -> None:
    """HiGHS 1.16's MIP presolve mis-solves a model holding a cost of 5e-324 (found by the
    pooling properties): such a coefficient is compiled as 0, and the plan is the one of
    the model without it."""
    m = _fixed_charge(40)
    m.spare = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, 1))
    m.cost.expr += 5e-324 * m.spare
    lp = compile_lp(m)
    assert not ((lp.cost != 0) & (abs(lp.cost) < 1e-200)).any()
    assert solve_model(m, mip_gap=0.0).objective == pytest.approx(140)


def _market_split(rows: int = 4, n: int = 40, seed: int = 1) -> pyo.ConcreteModel:
    """A market-split instance (Cornuejols and Dahl): split n binary items so that each of
    ``rows`` weighted sums hits half its total, paying 1 per unit missed. Any split is a
    plan, and branch and bound needs far longer than seconds to prove the best one."""
    rng = random.Random(seed)
    a = [[rng.randint(0, 99) for _ in range(n)] for _ in range(rows)]
    m = pyo.ConcreteModel()
    m.J, m.I = pyo.RangeSet(0, n - 1), pyo.RangeSet(0, rows - 1)
    m.x = pyo.Var(m.J, domain=pyo.Binary)
    m.over = pyo.Var(m.I, domain=pyo.NonNegativeReals)
    m.under = pyo.Var(m.I, domain=pyo.NonNegativeReals)
    m.split = pyo.Constraint(m.I, rule=lambda m, i: sum(a[i][j] * m.x[j] for j in m.J)
                             - m.over[i] + m.under[i] == sum(a[i]) // 2)
    m.cost = pyo.Objective(expr=sum(m.over[i] + m.under[i] for i in m.I))
    return m


def test_a_time_limit_with_a_plan_returns_it_with_its_gap() -> None:
    """SPEC 3.1: out of time with a plan in hand, the plan comes back (status time limit,
    which the CLI reports with exit 0) with the gap HiGHS reached, its decisions whole and
    its objective that of the LP with them fixed."""
    m = _market_split()
    out = solve_model(m, time_limit_s=2.0, mip_gap=0.0)
    assert out.status is Status.TIME_LIMIT and out.status.has_plan
    assert out.mip_gap is not None and out.mip_gap > 0
    x = out.values(m.x)
    assert np.allclose(x, np.round(x))
    missed = sum(out.value(m.over[i]) + out.value(m.under[i]) for i in m.I)
    assert out.objective == pytest.approx(missed)
    assert out.options["shadow_prices"] == "LP with integer decisions fixed"
