"""The value of coordination and its fair split (SPEC 3).

The savings game: for every sub-coalition S of the partners, c(S) is the cost (the
objective, penalties included) of S planning jointly on its members' pro-rata share of
every ordinary offer, with every deal S may sign available whole (its stand-alone cost,
SPEC 3.1), and v(S) = sum of c({b}) for b in S - c(S) what S saves by planning together.
The grand coalition plans on the whole of every offer, so c(N) is the joint plan.

The Shapley value splits v(N) by each partner's average marginal contribution over all
orders in which the coalition could have formed; it is computed exactly from all 2^n - 1
sub-coalitions (n <= 8: at most 255 plans). The split is stable when it lies in the
core: no sub-coalition S gets less than v(S), which it could save on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import combinations
from math import factorial
from typing import cast

from models.data import Offer, ScenarioData
from optimizer.planning.shares import offer_shares, recipe_shares

MAX_PARTNERS = 8
CORE_TOL = 1e-6


def coalition_scenario(data: ScenarioData, members: Iterable[str]) -> ScenarioData:
    """``members`` planning jointly on their pro-rata share of every offer and facility."""
    members = [b for b in data.buyers if b in set(members)]
    if len(members) == len(data.buyers):
        return replace(data, settings=replace(data.settings, coordination="joint"))
    shares, plant_shares = offer_shares(data), recipe_shares(data)
    inside = set(members)

    def part(o: Offer) -> float:
        return sum(shares[(b, (o.supplier, o.material, o.period, o.tier))] for b in members)

    # c(S) is S's stand-alone cost: every deal S may sign, whole (SPEC 3.1)
    deals = {d.name for d in data.deals if d.signable(members, data.buyers)}

    return replace(
        data,
        settings=replace(data.settings, coordination="joint"),
        buyers=tuple(members),
        offers=tuple(o if o.deal is not None else replace(
            o, capacity=o.capacity * part(o), min_offtake=o.min_offtake * part(o))
            for o in data.offers if o.deal is None or o.deal in deals),
        recipes=tuple(r if r.deal is not None else replace(r, capacity=r.capacity * sum(
            plant_shares[(b, (r.facility, r.output, r.period))] for b in members))
            for r in data.recipes if r.deal is None or r.deal in deals),
        deals=tuple(d for d in data.deals if d.name in deals),
        credit=tuple(data.credit_prices().items()),  # the coalition's, in every mode
        demand=tuple(d for d in data.demand if d.buyer in inside),
        routes=tuple(r for r in data.routes if r.buyer in inside),
        initial_stock=tuple(i for i in data.initial_stock if i.buyer in inside),
        stock_rules=tuple(r for r in data.stock_rules if r.buyer in inside),
        policies=tuple(p for p in data.policies if p.buyer is None or p.buyer in inside),
        budgets=tuple(b for b in data.budgets if b.buyer in inside),
        sharing=tuple(s for s in data.sharing if s.giver in inside and s.receiver in inside),
    )


def sub_coalitions(players: tuple[str, ...]) -> list[frozenset[str]]:
    return [frozenset(c) for k in range(1, len(players) + 1)
            for c in combinations(players, k)]


@dataclass
class CoordinationValue:
    players: tuple[str, ...]
    cost: dict[frozenset[str], float | None]  # c(S); None where S has no plan
    savings: dict[frozenset[str], float]  # v(S)
    shapley: dict[str, float]  # each partner's share of v(N)
    unstable: list[tuple[frozenset[str], float]]  # coalitions that would gain by leaving

    @property
    def total_savings(self) -> float:
        return self.savings[frozenset(self.players)]

    @property
    def stable(self) -> bool:
        return not self.unstable

    def alone(self, player: str) -> float | None:
        return self.cost[frozenset([player])]


def coordination_value(data: ScenarioData,
                       solve_all: Callable[[list[ScenarioData]], list[float | None]]
                       ) -> CoordinationValue:
    """Solve every sub-coalition (as one batch through ``solve_all``) and split the savings."""
    players = tuple(data.buyers)
    if len(players) > MAX_PARTNERS:
        raise ValueError(f"the exact Shapley split is computed for up to {MAX_PARTNERS} "
                         f"partners; this scenario has {len(players)}")
    coalitions = sub_coalitions(players)
    costs = dict(zip(coalitions, solve_all([coalition_scenario(data, c) for c in coalitions]),
                     strict=True))
    savings = savings_game(costs, players)
    phi = shapley_value(savings, players)
    return CoordinationValue(players, costs, savings, phi, core_violations(savings, phi))


def savings_game(cost: dict[frozenset[str], float | None],
                 players: tuple[str, ...]) -> dict[frozenset[str], float]:
    """v(S) = sum of the members' costs alone - c(S); coalitions without a plan save 0."""
    out = {}
    for s, c in cost.items():
        alone = [cost[frozenset([b])] for b in s]
        out[s] = 0.0 if c is None or any(a is None for a in alone) else (
            sum(cast("list[float]", alone)) - c)
    return out


def shapley_value(v: dict[frozenset[str], float], players: tuple[str, ...]) -> dict[str, float]:
    n = len(players)
    phi = {}
    for b in players:
        others = [p for p in players if p != b]
        total = 0.0
        for k in range(n):
            weight = factorial(k) * factorial(n - k - 1) / factorial(n)
            for members in combinations(others, k):
                s = frozenset(members)
                total += weight * (v[s | {b}] - v.get(s, 0.0))
        phi[b] = total
    return phi


def core_violations(v: dict[frozenset[str], float], phi: dict[str, float]
                    ) -> list[tuple[frozenset[str], float]]:
    """Coalitions S whose members together get less than v(S), and by how much."""
    out = []
    for s, value in v.items():
        got = sum(phi[b] for b in s)
        if value - got > CORE_TOL * max(1.0, abs(value)):
            out.append((s, value - got))
    return sorted(out, key=lambda item: -item[1])
