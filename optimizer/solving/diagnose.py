"""Why a scenario is infeasible, in the workbook's words.

Two views, both from HiGHS through the solver boundary (Pyomo's own IIS writer needs a
commercial solver):

1. An irreducible infeasible subset (IIS): the smallest set of rules that cannot hold
   together. The default `iis_strategy` returns nothing on this kind of LP; the
   elasticity filter on the LP followed by the deletion filter (strategy 2 + 4 = 6)
   returns an irreducible set (PITFALLS).
2. An elastic re-solve: each rule of the IIS in turn may bend, at a cost of one per unit,
   while every other rule holds; the result says how far that rule alone would have to
   bend ("relax the cap by 28 t"), or that bending it alone is not enough.

Rules are described by their family's declaration in :data:`models.families.FAMILIES`
(what a row says, its workbook row, how to loosen it), found from the component that holds
an IIS member.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from models.build import build_model
from models.data import ScenarioData
from models.families import BY_COMPONENT
from models.family import Family
from models.index import ModelIndex, build_index
from optimizer.solving.highs import compile_lp, infeasible_subset, objective_of


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


def _rule(family: Family, ix: ModelIndex, key: tuple) -> Rule:
    row = family.row(ix, key)
    return Rule(row.rule, row.says, row.workbook_row, row.bend)


def diagnose(data: ScenarioData) -> Diagnosis:
    ix = build_index(data)
    if ix.impossible:
        return Diagnosis(False, [], [], list(ix.impossible))
    m = build_model(data, ix)
    lp = compile_lp(m)
    subset = infeasible_subset(lp, data.settings.time_limit_s)
    if subset is None:
        return Diagnosis(True, [], [], [])
    iis_rows, iis_columns = subset
    members: list[tuple[Family, tuple]] = []
    conflict: list[Rule] = []
    for i in iis_rows:
        con = lp.rows[i][0]
        family = BY_COMPONENT.get(con.parent_component().local_name)
        key = family.key(con.index()) if family is not None else ()
        if family is not None and not family.bound and (family, key) not in members:
            members.append((family, key))
            conflict.append(_rule(family, ix, key))
    for j in iis_columns:
        var = lp.columns[j]
        family = BY_COMPONENT.get(var.parent_component().local_name)
        # bounds of other variables (purchases and stock are never negative) are physical
        if family is not None and family.bound:
            rule = _rule(family, ix, family.key(var.index()))
            if rule not in conflict:
                conflict.append(rule)
    bends = [Bend(_rule(f, ix, k), _bend_alone(data, ix, f, k))
             for f, k in members if f.relaxable]
    return Diagnosis(False, conflict, bends, [])


def _bend_alone(data: ScenarioData, ix: ModelIndex, family: Family, key: tuple) -> float | None:
    """How far one rule must bend, every other rule holding: an elastic re-solve."""
    m = build_model(data, ix)
    con = family.rows(m)[key if len(key) > 1 else key[0]]
    m.elastic = pyo.Var(domain=pyo.NonNegativeReals)
    lower, body, upper = con.lower, con.body, con.upper
    # A >= rule is loosened by adding the slack to its body, a <= rule by taking it off.
    con.set_value((lower, body + family.sense.loosening * m.elastic, upper))
    m.total_cost.deactivate()
    m.bend = pyo.Objective(expr=m.elastic, sense=pyo.minimize)
    return objective_of(compile_lp(m), data.settings.time_limit_s)
