"""Why a scenario is infeasible, in the workbook's words.

Two views, both from HiGHS through highspy (Pyomo's own IIS writer needs a commercial
solver):

1. An irreducible infeasible subset (IIS): the smallest set of rules that cannot hold
   together. The default `iis_strategy` returns nothing on this kind of LP; the
   elasticity filter on the LP followed by the deletion filter (strategy 2 + 4 = 6)
   returns an irreducible set (PITFALLS).
2. An elastic re-solve: each rule of the IIS in turn may bend, at a cost of one per unit,
   while every other rule holds; the result says how far that rule alone would have to
   bend ("relax the cap by 28 t"), or that bending it alone is not enough.

Rules are described through one registry, :data:`RULES`, keyed by the model's
constraint families; nothing parses component names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import pyomo.environ as pyo

from models.build import build_model
from models.data import ScenarioData
from models.index import ModelIndex, build_index
from optimizer.solve import compile_lp, new_highs, pass_lp

IIS_STRATEGY = 6  # from the LP (elasticity filter) + irreducible (deletion filter)


@dataclass(frozen=True)
class Rule:
    family: str  # which kind of rule, in planner terms
    text: str  # what the rule says, with its numbers
    workbook_row: str  # e.g. "Stockpile!4", or "" for a built-in rule
    bend: str  # what bending it means: "lower the floor", ...


@dataclass(frozen=True)
class Bend:
    rule: Rule
    amount: float | None  # how far it must bend alone; None: bending it alone is not enough


@dataclass
class Diagnosis:
    feasible: bool
    conflict: list[Rule]
    bends: list[Bend]
    impossible: list[tuple[str, str]]


Describer = Callable[[ModelIndex, tuple], Rule]


def _capacity(ix: ModelIndex, k: tuple) -> Rule:
    s, m, t, tier = k
    return Rule("supplier capacity", f"{s} offers at most {ix.capacity[k]:,.6g} {ix.unit} of "
                f"{m} in {t} (tier {tier})", ix.src.get(("offer", *k), ""), "raise the capacity")


def _offtake(ix: ModelIndex, k: tuple) -> Rule:
    s, m, t = k
    return Rule("minimum offtake", f"at least {ix.offtake[k]:,.6g} {ix.unit} of {m} must be "
                f"bought from {s} in {t}", ix.src.get(("offer", s, m, t, 1), ""),
                "lower the minimum offtake")


def _balance(ix: ModelIndex, k: tuple) -> Rule:
    b, m, t = k
    return Rule("stock balance", f"{b}'s {m} stock in {t}: opening + arrivals + transfers - "
                f"(demand {ix.demand.get(k, 0.0):,.6g} - shortfall) = closing", "",
                "(a physical balance: never relaxed)")


def _floor(ix: ModelIndex, k: tuple) -> Rule:
    b, m, t = k
    return Rule("stockpile floor", f"{b}'s {m} reserve at the end of {t} must be at least "
                f"{ix.floor[k]:,.6g} {ix.unit}", ix.src.get(("stock", *k), ""), "lower the floor")


def _ceiling(ix: ModelIndex, k: tuple) -> Rule:
    b, m, t = k
    return Rule("storage ceiling", f"{b}'s {m} stock at the end of {t} may be at most "
                f"{ix.ceiling[k]:,.6g} {ix.unit}", ix.src.get(("stock", *k), ""),
                "raise the ceiling")


def _cap(ix: ModelIndex, k: tuple) -> Rule:
    row = ix.caps[k[0]]
    pol = row.policy
    whose = f"{pol.buyer}'s" if pol.buyer else "the coalition's"
    when = f"in {row.period}" if row.period else "over the horizon"
    return Rule(f"{pol.kind} '{pol.name}'", f"at most {pol.share:.0%} of {whose} {pol.material}"
                f" purchases {when} from {pol.target}", pol.src,
                f"allow more from {pol.target} under this cap")


def _budget(ix: ModelIndex, k: tuple) -> Rule:
    b, t = k
    return Rule("budget", f"{b} may spend at most {ix.budgets[k]:,.6g} in {t}",
                ix.src.get(("budget", *k), ""), "raise the budget")


# family -> (constraint component name, describer, bending direction: +1 may rise, -1 fall)
RULES: dict[str, tuple[Describer, int]] = {
    "capacity": (_capacity, -1), "min_offtake": (_offtake, 1), "balance": (_balance, 0),
    "floor": (_floor, 1), "ceiling": (_ceiling, -1), "share_cap": (_cap, -1),
    "budget": (_budget, -1),
}


def _describe_bound(ix: ModelIndex, var: pyo.Var) -> Rule | None:
    parent = var.parent_component().local_name
    k = var.index()
    if parent == "short":
        b, m, t = k
        return Rule("shortfall", f"{b} cannot run short of more than its {m} demand in {t} "
                    f"({ix.demand[k]:,.6g} {ix.unit}): running short never creates stock", "",
                    "(built in: never relaxed)")
    if parent == "transfer":
        g, r, m, t = k
        return Rule("sharing limit", f"at most {ix.transfer_limit[(g, r, m)]:,.6g} {ix.unit} of "
                    f"{m} may move from {g} to {r} in {t}", ix.src.get(("sharing", g, r, m), ""),
                    "raise the sharing limit")
    return None  # non-negativity of purchases and stock: physical, not worth listing


def diagnose(data: ScenarioData) -> Diagnosis:
    ix = build_index(data)
    if ix.impossible:
        return Diagnosis(False, [], [], list(ix.impossible))
    m = build_model(data, ix)
    lp = compile_lp(m)
    h = new_highs(data.settings.time_limit_s)
    pass_lp(h, lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return Diagnosis(True, [], [], [])
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    _, iis = h.getIis()
    members: list[tuple[str, tuple]] = []
    conflict: list[Rule] = []
    for i in iis.row_index_:
        con = lp.rows[i][0]
        family = con.parent_component().local_name
        key = con.index() if isinstance(con.index(), tuple) else (con.index(),)
        if family in RULES and (family, key) not in members:
            members.append((family, key))
            conflict.append(RULES[family][0](ix, key))
    for j in iis.col_index_:
        rule = _describe_bound(ix, lp.columns[j])
        if rule is not None and rule not in conflict:
            conflict.append(rule)
    bends = [Bend(RULES[f][0](ix, k), _bend_alone(data, ix, f, k))
             for f, k in members if RULES[f][1] != 0]
    return Diagnosis(False, conflict, bends, [])


def _bend_alone(data: ScenarioData, ix: ModelIndex, family: str, key: tuple) -> float | None:
    """How far one rule must bend, every other rule holding: an elastic re-solve."""
    m = build_model(data, ix)
    direction = RULES[family][1]
    con = getattr(m, family)[key if len(key) > 1 else key[0]]
    m.elastic = pyo.Var(domain=pyo.NonNegativeReals)
    lower, body, upper = con.lower, con.body, con.upper
    # `floor` and `min_offtake` are >= rules: the slack adds to the body; the others are <=
    # rules: the slack comes off it. Either way the rule is loosened by `elastic`.
    con.set_value((lower, body + direction * m.elastic, upper))
    m.total_cost.deactivate()
    m.bend = pyo.Objective(expr=m.elastic, sense=pyo.minimize)
    lp = compile_lp(m)
    h = new_highs(data.settings.time_limit_s)
    pass_lp(h, lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)
