"""Why a scenario is infeasible, in the workbook's words, and the smallest change to the
workbook that makes it plannable.

1. The conflict: an irreducible infeasible subset (IIS) from HiGHS, the smallest set of
   rules that cannot hold together (Pyomo's own IIS writer needs a commercial solver).
   The default `iis_strategy` returns nothing on this kind of LP; the elasticity filter
   followed by the deletion filter (strategy 6) returns an irreducible set (PITFALLS).
2. What one workbook row can do alone. A planner changes a cell, not one period's copy
   of it: a `*` Supply row, a Stockpile row, a Policies row expanded per period, buyer,
   material or target are many rows of the model, and all of them move when the cell
   does. So the rows of a family that share a workbook row (``Row.workbook_row``) bend as
   one: a single elastic column loosens every one of them by the same amount, the amount
   the cell would change by. Each workbook row of the IIS is re-solved so, alone; those
   that are enough are the fixes on their own.
3. When none is (two separate conflicts, say, each needing its own change): the smallest
   set of workbook rows that resolves it together. The candidates grow by IIS: with every
   candidate free to bend, what conflict is left has an IIS of its own, whose workbook rows
   join the candidates, until bending all of them is enough. Then subsets are tried by
   increasing size, each hitting every IIS found: the first size with a feasible subset is
   the smallest count, and among its subsets the one that changes its cells by the
   smallest fraction in total wins. This exhaustive search is exact and needs no big-M:
   a mixed-integer model (one binary per workbook row, fewest binaries on) would need a
   bound on each bend, which nothing in the data gives, and a guessed one makes the
   answer wrong or the MIP numerically weak. The LPs solve in milliseconds and the
   candidates are a handful of rows: the shipped scenario with both partners' budgets
   out of reach and Japan's Tb ceiling under its initial stock (two IISs, six
   candidate rows, 17 re-solves) is diagnosed in 0.26 s, model build included. Past
   ``MAX_SUBSETS`` re-solves the search settles for a deletion filter, a set from which
   no row can be dropped.

Amounts are in the cell's unit: quantity for capacities, offtakes, floors, ceilings and
sharing limits, money for budgets, a share for diversification caps. A cap's share
multiplies purchases, so it cannot be an elastic column: its rows bend in tonnes, the
share the resulting plan needs is read off that plan, and bisection (the LP stays
feasible as the share rises) brings it down to the smallest share. In a combination
the elastic columns cost 1 / (the cell's value) each, a split by relative change; then
each row in turn is brought down to the least it can bend with the others at theirs, by
an LP of its own elastic alone at cost 1, so every amount is exact whatever the weights
did. (Elastic columns are never scaled by the cell's value instead: HiGHS's presolve
returned an "optimal" bend 1e-4 too large on such a column, measured on the template
with a 60,000 t offtake.) Amounts are rounded up, quantities and money to 4 significant
digits and shares to 0.1 percentage point, so that the change printed is enough as
printed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyomo.environ as pyo
from scipy import sparse

from models.build import build_model
from models.constraints.budget import BUDGET
from models.constraints.diversification import SHARE_CAP
from models.data import ScenarioData
from models.families import BY_COMPONENT
from models.family import Family
from models.index import CapRow, ModelIndex, build_index
from optimizer.solving.highs import (
    CompiledLP,
    compile_lp,
    infeasible_subset,
    optimum,
    solve_model,
)

SHARE = "share"  # the unit of a cap's bend: a fraction, shown in percentage points
MAX_SUBSETS = 256  # re-solves the exact search may spend before a deletion filter
MAX_CONFLICTS = 20  # IISs gathered before giving up on a combination
DIGITS = 4  # significant digits of a quantity or money bend, rounded up
SHARE_STEP = 0.001  # a share's bend is rounded up to 0.1 percentage point
_BISECTION = 1e-5  # width of the share interval where bisection stops


@dataclass(frozen=True)
class Rule:
    family: str  # which kind of rule, in planner terms
    text: str  # what the rule says, with its numbers
    workbook_row: str  # e.g. "Stockpile!4", or "" for a built-in rule
    bend: str  # what bending it means: "lower the floor", ...


@dataclass(frozen=True)
class Bend:
    """One workbook row loosened by one amount: every rule of the model it holds moves."""

    rule: Rule  # the first of the row's rules
    action: str  # "lower the floor of Stockpile!4"
    amount: float  # how far the cell moves, rounded up so that it is enough, in `unit`
    start: float | None  # the cell's value now; None when its rules' limits differ
    end: float | None  # the value it would take
    unit: str  # the quantity unit, the currency, or SHARE
    rules: int  # how many rules of the model the row holds


@dataclass
class Diagnosis:
    feasible: bool
    conflict: list[Rule]
    bends: list[Bend]  # workbook rows any one of which resolves it alone
    impossible: list[tuple[str, str]]
    # when no row is enough alone: the smallest set of rows that resolves it together
    together: list[Bend] = field(default_factory=list)

    @property
    def resolvable(self) -> bool:
        return bool(self.bends or self.together)


def diagnose(data: ScenarioData) -> Diagnosis:
    ix = build_index(data)
    if ix.impossible:
        return Diagnosis(False, [], [], list(ix.impossible))
    m = build_model(data, ix)
    # deals relaxed (signing between 0 and 1): a conflict there holds whatever is signed,
    # and every bend keeps its meaning in the workbook's cells
    lp = replace(compile_lp(m), integrality=np.zeros(0, dtype=np.int32))
    limit = data.settings.time_limit_s
    subset = infeasible_subset(lp, limit)
    if subset is None:
        if ix.deals and not solve_model(m, limit).status.has_plan:
            return Diagnosis(False, [], [], [(
                "the rules can be met only with part of a deal signed: a deal is all or "
                "nothing (lower a deal's minimum, or the rules that its whole volume or cost "
                "breaks, such as a budget or a cap)", "")])
        return Diagnosis(True, [], [], [])
    model = _Bendable(data, ix, m, lp, limit)
    members = model.members(*subset)
    conflict = [model.rule(f, k) for f, k in members]
    first = model.groups(members)
    alone = [bend for g in first if (bend := model.bend([g])) is not None]
    if alone:
        return Diagnosis(False, conflict, [b[0] for b in alone], [])
    candidates, hits = list(first), [set(range(len(first)))]
    for _ in range(MAX_CONFLICTS):
        elastic = _Elastic(lp, candidates)
        if elastic.solve(range(len(candidates)), limit) is not None:
            break
        rest = infeasible_subset(elastic.lp, limit)
        more = model.members(*rest) if rest is not None else []
        conflict += [r for r in (model.rule(f, k) for f, k in more) if r not in conflict]
        found = model.groups(more)
        if not found:  # a conflict no workbook row can bend (or the time limit)
            return Diagnosis(False, conflict, [], [])
        candidates += [g for g in found if g not in candidates]
        hits.append({candidates.index(g) for g in found})
    else:
        return Diagnosis(False, conflict, [], [])
    chosen = _smallest(_Elastic(lp, candidates, weighed=True), hits, limit)
    together = model.bend([candidates[k] for k in chosen]) or []
    return Diagnosis(False, conflict, [], [], together)


@dataclass(eq=False)
class _Group:
    """The rules of the model that one workbook row of one family holds (or one rule,
    when it has no workbook row: typed data built in code)."""

    family: Family
    rule: Rule  # the first of them
    rows: list[int]  # their LP rows (families of rows)
    columns: list[int]  # the LP columns whose upper bound they are (families of bounds)
    limits: list[float]
    caps: list[tuple[int, list[int], list[int]]]  # a cap's (row, capped, counted columns)
    scale: float  # the cell's size, for weighing a bend by relative change

    @property
    def share(self) -> bool:
        return self.family is SHARE_CAP

    @property
    def start(self) -> float | None:
        return self.limits[0] if len(set(self.limits)) == 1 else None


class _Bendable:
    """The compiled model and its rules grouped by workbook row."""

    def __init__(self, data: ScenarioData, ix: ModelIndex, model: pyo.ConcreteModel,
                 lp: CompiledLP, limit: float | None):
        self.ix, self.model, self.lp, self.limit = ix, model, lp, limit
        self.currency = data.settings.currency
        self._by_row: dict[str, dict[str, list]] = {}
        self._groups: dict[tuple, _Group] = {}

    def rule(self, family: Family, key: tuple) -> Rule:
        row = family.row(self.ix, key)
        return Rule(row.rule, row.says, row.workbook_row, row.bend)

    def members(self, rows: Iterable[int], columns: Iterable[int]) -> list[tuple[Family, tuple]]:
        """The rules of the model behind IIS rows and column bounds; rows and columns beyond
        the compiled LP's are an elastic LP's own."""
        out: list[tuple[Family, tuple]] = []
        for i in rows:
            if i < len(self.lp.rows):
                con = self.lp.rows[i][0]
                family = BY_COMPONENT.get(con.parent_component().local_name)
                if family is not None and not family.bound:
                    out.append((family, family.key(con.index())))
        for j in columns:
            if j < len(self.lp.columns):
                var = self.lp.columns[j]
                family = BY_COMPONENT.get(var.parent_component().local_name)
                # bounds of other variables (purchases and stock are never negative) are
                # physical
                if family is not None and family.bound:
                    out.append((family, family.key(var.index())))
        return list(dict.fromkeys(out))

    def groups(self, members: Iterable[tuple[Family, tuple]]) -> list[_Group]:
        """The bendable workbook rows of ``members``, each once."""
        out: list[_Group] = []
        for family, key in members:
            group = self._group(family, key)
            if group is not None and group not in out:
                out.append(group)
        return out

    def _group(self, family: Family, key: tuple) -> _Group | None:
        rule = self.rule(family, key)
        if not family.relaxable or (family.bound and not rule.workbook_row):
            return None  # a balance, or a bound built into the model
        ident = (family.component, rule.workbook_row or key)
        if ident not in self._groups:
            keys = self._instances(family)[rule.workbook_row] if rule.workbook_row else [key]
            self._groups[ident] = self._make(family, keys)
        return self._groups[ident]

    def _instances(self, family: Family) -> dict[str, list]:
        if family.component not in self._by_row:
            by_row: dict[str, list] = {}
            for index in family.rows(self.model):
                key = family.key(index)
                by_row.setdefault(family.row(self.ix, key).workbook_row, []).append(key)
            self._by_row[family.component] = by_row
        return self._by_row[family.component]

    def _make(self, family: Family, keys: list[tuple]) -> _Group:
        component = family.rows(self.model)
        rows, columns, limits, caps = [], [], [], []
        for key in keys:
            item = component[key if len(key) > 1 else key[0]]
            limit = family.row(self.ix, key).limit
            if family.bound:
                j = self.lp.column_of.get(id(item))
                if j is None or limit is None:
                    continue
                columns.append(j)
            else:
                i = self.lp.row_of.get(id(item))
                if i is None:
                    continue
                rows.append(i)
                if family is SHARE_CAP:
                    cap = self.ix.caps[key[0]]
                    caps.append((i, self._columns(cap.capped), self._columns(cap.counted)))
            limits.append(0.0 if limit is None else float(limit))
        if family is SHARE_CAP:
            scale = float(np.mean([_cap_scale(self.ix, self.ix.caps[k[0]]) for k in keys]))
        else:
            scale = float(np.mean(np.abs(limits))) if limits else 1.0
        return _Group(family, self.rule(family, keys[0]), rows, columns, limits, caps,
                      scale if scale > 0 else 1.0)

    def _columns(self, arcs: Sequence[int]) -> list[int]:
        found = (self.lp.column_of.get(id(self.model.purchases[a])) for a in arcs)
        return [j for j in found if j is not None]

    def bend(self, groups: list[_Group]) -> list[Bend] | None:
        """How far ``groups`` must bend together, each by the least it can given the
        others; None when bending them is not enough."""
        x = _Elastic(self.lp, groups, weighed=True).solve(range(len(groups)), self.limit)
        if x is None:
            return None
        n = len(self.lp.columns)
        values = [_share_of(g, x) if g.share else _round_up(x[n + k])
                  for k, g in enumerate(groups)]
        for k, g in enumerate(groups):
            if g.share:
                values[k] = self._least_share(groups, values, k)
            elif len(groups) > 1:
                values[k] = self._least_amount(groups, values, k)
        return [self._bend(g, v) for g, v in zip(groups, values, strict=True)]

    def _least_amount(self, groups: list[_Group], values: list[float], k: int) -> float:
        """The least group ``k`` can bend with the others at their values."""
        others = self._applied(groups, [0.0 if h == k else v for h, v in enumerate(values)])
        x = _Elastic(others, [groups[k]]).solve([0], self.limit)
        return values[k] if x is None else _round_up(x[len(self.lp.columns)])

    def _least_share(self, groups: list[_Group], values: list[float], k: int) -> float:
        lo, hi = groups[k].limits[0], min(1.0, values[k])
        if not self._feasible(groups, [*values[:k], hi, *values[k + 1:]]):
            hi = 1.0  # a rounding of the plan's shares fell short: a share of 1 never does
        while hi - lo > _BISECTION:
            mid = (lo + hi) / 2
            if self._feasible(groups, [*values[:k], mid, *values[k + 1:]]):
                hi = mid
            else:
                lo = mid
        return min(1.0, _round_up_to(hi, SHARE_STEP))

    def _feasible(self, groups: list[_Group], values: list[float]) -> bool:
        return optimum(self._applied(groups, values), self.limit) is not None

    def _applied(self, groups: list[_Group], values: list[float]) -> CompiledLP:
        """The LP, without costs, with each group's cell at its value (a share for caps,
        an amount of loosening for the others; 0 leaves it as it is)."""
        lp = self.lp
        row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        col_upper = lp.col_upper.copy()
        entries: list[tuple[int, int, float]] = []
        for g, value in zip(groups, values, strict=True):
            if g.share:
                if not value:
                    continue
                # the row is capped - share x counted <= 0: a higher share lowers every
                # counted purchase's coefficient by the same step
                step = value - g.limits[0]
                entries += [(i, j, -step) for i, _, counted in g.caps for j in counted]
                continue
            for i in g.rows:
                if lp.rows[i][1] == 1:
                    row_upper[i] += value
                else:
                    row_lower[i] -= value
            col_upper[g.columns] += value
        matrix = lp.matrix
        if entries:
            r, c, v = zip(*entries, strict=True)
            matrix = sparse.csc_array(matrix + sparse.csc_array((v, (r, c)), shape=matrix.shape))
        return replace(lp, cost=np.zeros(len(lp.columns)), offset=0.0, matrix=matrix,
                       row_lower=row_lower, row_upper=row_upper, col_upper=col_upper)

    def _bend(self, g: _Group, value: float) -> Bend:
        rules = len(g.rows) + len(g.columns)
        where = g.rule.workbook_row
        if g.share:
            share = g.limits[0]
            return Bend(g.rule, f"raise the share of {where}" if where else
                        "raise the share of this cap", _clean(value - share), share, value,
                        SHARE, rules)
        unit = self.currency if g.family is BUDGET else self.ix.unit
        start = g.start
        # the sign the elastic takes in the row's body: the limit moves the other way
        end = None if start is None else _clean(start - g.family.sense.loosening * value)
        action = f"{g.rule.bend} of {where}" if where else g.rule.bend
        return Bend(g.rule, action, value, start, end, unit, rules)


class _Elastic:
    """The compiled LP with one elastic column per group, each loosening every rule of its
    group by the same amount, in the cell's unit. A bound becomes a row (x - e <= limit)
    so that its limit can move too. With ``weighed``, an elastic costs 1 / its cell's size
    (relative to the largest such cost), else 1."""

    def __init__(self, lp: CompiledLP, groups: Sequence[_Group], weighed: bool = False):
        n, m, k = len(lp.columns), len(lp.rows), len(groups)
        entries: list[tuple[int, int, float]] = []
        bounded: list[tuple[int, int]] = []  # (column, group)
        for g_index, g in enumerate(groups):
            # body - e <= limit loosens a <= row, body + e >= limit a >= row
            entries += [(i, g_index, -1.0 if lp.rows[i][1] == 1 else 1.0) for i in g.rows]
            bounded += [(j, g_index) for j in g.columns]
        r, c, v = zip(*entries, strict=True) if entries else ((), (), ())
        elastic = sparse.csc_array((v, (r, c)), shape=(m, k))
        b = len(bounded)
        pick = sparse.csc_array((np.ones(b), (range(b), [j for j, _ in bounded])), shape=(b, n))
        slack = sparse.csc_array((-np.ones(b), (range(b), [g for _, g in bounded])),
                                 shape=(b, k))
        matrix = sparse.vstack([sparse.hstack([lp.matrix, elastic]),
                                sparse.hstack([pick, slack])], format="csc")
        col_upper = lp.col_upper.copy()
        limits = col_upper[[j for j, _ in bounded]]
        col_upper[[j for j, _ in bounded]] = np.inf
        self.n, self.k = n, k
        weights = np.array([1.0 / g.scale for g in groups]) if weighed else np.ones(k)
        self.weights = weights / weights.max() if k else weights
        self.lp = CompiledLP(
            columns=[*lp.columns, *[None] * k], rows=[*lp.rows, *[(None, 1)] * b],
            column_of=lp.column_of, row_of=lp.row_of, cost=np.zeros(n + k), offset=0.0,
            col_lower=np.concatenate([lp.col_lower, np.zeros(k)]),
            col_upper=np.concatenate([col_upper, np.full(k, np.inf)]),
            row_lower=np.concatenate([lp.row_lower, np.full(b, -np.inf)]),
            row_upper=np.concatenate([lp.row_upper, limits]), matrix=sparse.csc_array(matrix))

    def solve(self, active: Iterable[int], limit: float | None) -> np.ndarray | None:
        """The plan bending only the ``active`` groups, with the least total relative
        bend; None when they cannot bend enough."""
        cost, upper = np.zeros(self.n + self.k), self.lp.col_upper.copy()
        upper[self.n:] = 0.0
        for g in active:
            cost[self.n + g], upper[self.n + g] = self.weights[g], np.inf
        return optimum(replace(self.lp, cost=cost, col_upper=upper), limit)

    def total(self, x: np.ndarray) -> float:
        return float(self.weights @ x[self.n:])


def _smallest(elastic: _Elastic, hits: list[set[int]], limit: float | None) -> list[int]:
    """The fewest groups that bend enough together (each subset hits every IIS found),
    the least relative change breaking ties; a deletion filter past MAX_SUBSETS."""
    tried = 0
    for size in range(1, elastic.k + 1):
        best: tuple[float, list[int]] | None = None
        for subset in itertools.combinations(range(elastic.k), size):
            if not all(hit & set(subset) for hit in hits):
                continue
            tried += 1
            if tried > MAX_SUBSETS:
                return _deletion_filter(elastic, limit)
            x = elastic.solve(subset, limit)
            if x is not None and (best is None or elastic.total(x) < best[0]):
                best = (elastic.total(x), list(subset))
        if best is not None:
            return best[1]
    return list(range(elastic.k))


def _deletion_filter(elastic: _Elastic, limit: float | None) -> list[int]:
    """A set of groups from which none can be dropped: each is tried without, those that
    bend least in the plan with all of them first."""
    keep = list(range(elastic.k))
    x = elastic.solve(keep, limit)
    order = sorted(keep, key=lambda g: 0.0 if x is None else x[elastic.n + g])
    for g in order:
        rest = [h for h in keep if h != g]
        if rest and elastic.solve(rest, limit) is not None:
            keep = rest
    return keep


def _cap_scale(ix: ModelIndex, cap: CapRow) -> float:
    """What a cap allows at full demand: its elastic's unit, so that a combination weighs
    its bend like the others', relative to the rule."""
    pol = cap.policy
    periods = {cap.period} if cap.period else set(ix.periods)
    demand = sum(q for (b, mat, t), q in ix.demand.items()
                 if mat == pol.material and t in periods and pol.buyer in (None, b))
    return max(pol.share * demand, 1.0)


def _share_of(g: _Group, x: np.ndarray) -> float:
    """The share a plan needs under cap group ``g``: its largest share of the target."""
    shares = [g.limits[0]]
    for _, capped, counted in g.caps:
        total = float(x[counted].sum())
        if total > 1e-9:
            shares.append(float(x[capped].sum()) / total)
    return min(1.0, max(shares))


def _round_up(x: float) -> float:
    """``x`` rounded up to DIGITS significant digits: a bend rounded down would fall just
    short. A value within rounding noise of the digits is taken as it is."""
    if x <= 0:
        return 0.0
    return _round_up_to(x, 10.0 ** (math.floor(math.log10(x)) - DIGITS + 1))


def _round_up_to(x: float, step: float) -> float:
    steps = x / step
    nearest = round(steps)
    whole = nearest if abs(steps - nearest) <= 1e-9 * max(1.0, steps) else math.ceil(steps)
    return _clean(whole * step)


def _clean(x: float) -> float:
    """``x`` without the binary noise of its last digits (0.47000000000000003)."""
    return float(f"{x:.12g}")
