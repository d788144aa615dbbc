r"""Contracts and recourse under disruption (SPEC 5): the two-stage extensive form.

First stage (decided before anyone knows whether a disruption comes): contracts
:math:`x_a` on every purchase arc, within offer capacity, minimum offtake, every
diversification cap and budget (the families of :mod:`models.constraints`, unchanged).

Second stage, per scenario :math:`\omega` with probability :math:`p_\omega` (the
"no disruption" scenario has every factor 1):

.. math::

    I^\omega_{b,m,t} = I^\omega_{b,m,t-1}
        + \sum_{a \to (b,m,t)} f^\omega_a x_a + \sum_{a \to (b,m,t)} y^\omega_a
        + \sum_g z^\omega_{g,b,m,t} - \sum_r z^\omega_{b,r,m,t} - (d_{b,m,t} - u^\omega_{b,m,t})

    \sum_b y^\omega_{b,s,m,t,k} + f^\omega_{s,m,t} \sum_b x_{b,s,m,t,k}
        \le f^\omega_{s,m,t}\, \mathit{cap}_{s,m,t,k}
        \qquad (t \ge t^\omega_0)

    y^\omega_{b,s,m,t,k} + g^\omega_{b,s,m,t} f^\omega_{s,m,t} \sum_{b'} x_{b',s,m,t,k}
        \le g^\omega_{b,s,m,t} f^\omega_{s,m,t}\, \mathit{cap}_{s,m,t,k}
        \qquad (g^\omega_{b,s,m,t} < 1)

Each contract delivers its quantity times the capacity factor of its offer,
:math:`f^\omega_a = f^\omega_{s,m,t}\, g^\omega_{b,s,m,t}`, where :math:`g` is the factor
of a Disruptions row aimed at partner b alone (1 for everybody else), and is paid at the
contract price (plus tariff and freight) on what is delivered. A partner hit by such a
row also gets only g of what is left of the offer spot; the others may then share stock
with it where Sharing allows. From the first
period of the disruption :math:`t^\omega_0` on, spot purchases :math:`y^\omega` may take
what each offer has left, at price x price factor x (1 + spot premium). The same rules
hold in every world (SPEC 5): stock may go below its floor at the reserve-gap cost, as in
planning; caps and budgets count contracts and spot together. Processing (SPEC 3.2) is
decided in each world, like stock and transfers, within each facility's capacity times
the world's factor on it (a disruption naming the facility or its country; rows aimed at
one partner do not touch facilities), its fees paid in that world. Ceilings, routes, lead
times and sharing apply as in planning.

.. math::

    C^\omega = \sum_t \delta_t \Big( \sum_a c_a f^\omega_a x_a + \sum_a c^{\omega}_a y^\omega_a
        + \sum h I^\omega + \sum c\, z^\omega + \pi \sum u^\omega \Big)
        + \delta_T \pi \sum g^\omega

Objective: soft-cap penalties (first stage) + :math:`\sum_\omega p_\omega C^\omega`
(``expected``), plus :math:`\lambda (\eta + \frac{1}{1-\alpha} \sum_\omega p_\omega
s_\omega)` with :math:`s_\omega \ge C^\omega - \eta,\ s_\omega \ge 0` (``cvar``,
Rockafellar-Uryasev). The extensive form grows linearly with the number of scenarios:
one block each.

=========================  ==================================  ==========================
symbol                     meaning                             Pyomo
=========================  ==================================  ==========================
:math:`x_a`                contract on arc a                   ``m.buy[i]``
:math:`y^\omega_a`         spot purchase                       ``m.scenario[w].spot[i]``
:math:`I, u, z`            stock, shortfall, transfers         ``m.scenario[w].stock`` ...
:math:`g^\omega`           reserve gap at the end              ``m.scenario[w].gap``
:math:`C^\omega`           scenario cost                       ``m.scenario[w].cost``
:math:`\eta, s_\omega`     VaR and excess (cvar)               ``m.var_level``, ``m.excess``
=========================  ==================================  ==========================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import pyomo.environ as pyo

from models.constraints.budget import add_budgets, budget_rule
from models.constraints.deals import add_signing, deal_spend, deal_terms
from models.constraints.discounts import add_discounts
from models.constraints.diversification import add_diversification, cap_rule
from models.constraints.processing import (
    add_recourse_processing,
    fee_spend,
    fee_terms,
    process_flows,
)
from models.constraints.stock import balance_rule
from models.constraints.stockpile import ceiling_rule, floor_rule
from models.constraints.supply import add_supply
from models.data import ScenarioData
from models.expr import linear
from models.index import ArcCost, ModelIndex, build_index
from models.objective import (
    credit_terms,
    holding_terms,
    policy_terms,
    reserve_terms,
    shortfall_terms,
    transfer_terms,
)
from models.world import Outlook, World, WorldParameters, cap_rows, paid_rows, tranches


def build_extensive_form(data: ScenarioData, scenarios: list[Outlook],
                         contracts: list[float] | None = None, risk: str = "expected",
                         ix: ModelIndex | None = None,
                         signed: Collection[str] = (),
                         rebates: Sequence[float] | None = None) -> pyo.ConcreteModel:
    """Contracts (and deals signed) plus one recourse block per scenario.

    With ``contracts`` given (one quantity per arc of ``ix.arcs``), the contracts are
    fixed, and so are the deals (``signed``: those the plan signed) and the volume
    discounts the contracts earned (``rebates``: money off each arc's contract at its
    Supply landed price): the model is then the stress test of that plan in each scenario.
    """
    ix = ix if ix is not None else build_index(data)
    m = _first_stage(data, ix, contracts, signed, rebates)
    m.SCENARIOS = pyo.Set(initialize=range(len(scenarios)), ordered=True)
    m.scenario = pyo.Block(m.SCENARIOS)
    for w, outlook in enumerate(scenarios):
        add_recourse(m.scenario[w], m, ix, data, World.of(ix, outlook))
    add_expected_objective(m, scenarios, risk, data)
    return m


def build_any_world(data: ScenarioData, ix: ModelIndex, contracts: list[float] | None,
                    aimed: Collection[int] = (), signed: Collection[str] = (),
                    rebates: Sequence[float] | None = None) -> pyo.ConcreteModel:
    """Contracts (fixed as in :func:`build_extensive_form`, or decided) and one recourse
    block that ``m.world.set(outlook)`` turns into any scenario's (``aimed``: the arcs
    the scenarios to come aim a shock at): the model of a batch of stress tests or
    hindsight plans, built and compiled once (:class:`models.world.WorldParameters`)."""
    m = _first_stage(data, ix, contracts, signed, rebates)
    m.world = WorldParameters(m, ix, aimed)
    m.SCENARIOS = pyo.Set(initialize=[0], ordered=True)
    m.scenario = pyo.Block(m.SCENARIOS)
    add_recourse(m.scenario[0], m, ix, data, m.world.world)
    m.world.block = m.scenario[0]
    m.total_cost = pyo.Objective(expr=m.scenario[0].cost)
    return m


def _first_stage(data: ScenarioData, ix: ModelIndex, contracts: list[float] | None,
                 signed: Collection[str], rebates: Sequence[float] | None
                 ) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=f"{data.settings.name} (extensive form)")
    m.ix = ix
    m.ARCS = pyo.RangeSet(0, len(ix.arcs) - 1)
    m.buy = pyo.Var(m.ARCS, domain=pyo.NonNegativeReals)
    m.purchases = list(m.buy.values())
    add_signing(m, ix)  # signing is a first-stage decision (SPEC 5)
    if contracts is not None:
        # A plan's contracts already keep every first-stage rule; written again as rows of
        # fixed numbers they are constants that rounding can make "trivially infeasible".
        for var, q in zip(m.purchases, contracts, strict=True):
            var.fix(max(float(q), 0.0))
        for name, w in m.sign.items():
            w.fix(1 if name in signed else 0)
        m.rebates = list(rebates) if rebates is not None else [0.0] * len(ix.arcs)
    else:
        add_discounts(m, ix)         # brackets, first stage like the contracts they price
        add_supply(m, ix)            # contracts within capacity and minimum offtake
        add_diversification(m, ix, soft=False)  # hard caps and budgets bind contracts;
        add_budgets(m, ix)           # soft caps are charged in each world (add_recourse)
    return m


def add_recourse(blk: pyo.Block, m: pyo.ConcreteModel, ix: ModelIndex, data: ScenarioData,
                 world: World) -> None:
    """Stock, spot purchases, transfers, reserve gaps and shortfall of one world, its
    caps and budgets on contracts and spot together, and its cost."""
    d = ix.discount
    premium = data.settings.spot_premium
    spot_arcs = world.spot_arcs
    blk.SPOT = pyo.Set(initialize=spot_arcs, ordered=True)
    blk.spot = pyo.Var(blk.SPOT, domain=pyo.NonNegativeReals)
    blk.STOCK = pyo.Set(initialize=[(b, mat, t) for b, mat in ix.stock_keys for t in ix.periods],
                        dimen=3, ordered=True)
    blk.stock = pyo.Var(blk.STOCK, domain=pyo.NonNegativeReals)
    blk.SHORT = pyo.Set(initialize=list(ix.demand), dimen=3, ordered=True)
    blk.short = pyo.Var(blk.SHORT, bounds=lambda _, b, mat, t: (0, ix.demand[b, mat, t]))
    blk.TRANSFERS = pyo.Set(initialize=ix.transfers, dimen=4, ordered=True)
    blk.transfer = pyo.Var(blk.TRANSFERS, domain=pyo.NonNegativeReals,
                           bounds=lambda _, g, r, mat, t: (0, ix.transfer_limit[g, r, mat]))
    blk.FLOOR = pyo.Set(initialize=list(ix.floor), dimen=3, ordered=True)
    blk.reserve_gap = pyo.Var(blk.FLOOR, domain=pyo.NonNegativeReals)
    # processing (SPEC 3.2) is recourse: decided in each world, its facilities cut by a
    # disruption naming them or their country (their shocks carry the facility's name)
    made = add_recourse_processing(blk, m, ix, world.offer)

    x = m.purchases
    factor = world.delivered
    spot_of = dict(zip(spot_arcs, blk.spot.values(), strict=True))
    spot_unit = {i: spot_unit_cost(ix.arc_cost[ix.arcs[i]], world.price[i], premium)
                 for i in spot_arcs}
    arrivals = defaultdict(list)
    for i, a in enumerate(ix.arcs):
        key = (a[0], a[2], ix.arrival[a])
        arrivals[key].append((factor[i], x[i]))
        if i in spot_of:
            arrivals[key].append((1.0, spot_of[i]))
    for key, flows in process_flows(ix, made).items():
        arrivals[key] += flows
    tranche = tranches(ix, spot_arcs)

    def offered(k: tuple, factor: Any) -> list:
        """factor x the tranche's capacity, on the left: times the signing of its deal."""
        deal = ix.deal_of.get(k[:3])
        return [] if deal is None else [(-factor * ix.capacity[k], m.sign[deal])]

    def room(k: tuple, factor: Any) -> Any:
        return 0.0 if k[:3] in ix.deal_of else factor * ix.capacity[k]

    def spot_row(k: tuple, arcs: list[int], factor: Any) -> tuple:
        """Spot purchases on ``arcs`` + factor x the contracts on the tranche <= factor x
        its capacity: what the offer has left."""
        return (None, linear([(1.0, spot_of[i]) for i in arcs]
                             + [(factor, x[i]) for i in tranche[k]] + offered(k, factor)),
                room(k, factor))

    blk.spot_capacity = pyo.Constraint(list(tranche), rule=lambda _, *k: spot_row(
        k, tranche[k], world.factor(k[:3])))
    # A row aimed at one partner leaves it g of what is left of the offer: its spot
    # purchases y_b + g f sum_b' x_b' <= g f cap; the others keep the whole remainder.
    blk.AIMED = pyo.Set(initialize=[i for i in spot_arcs if i in world.aimed], ordered=True)
    blk.aimed_spot_capacity = pyo.Constraint(blk.AIMED, rule=lambda _, i: spot_row(
        ix.arcs[i][1:], [i], world.aimed[i]))  # a tranche's arcs share its period

    stock = dict(zip(blk.STOCK, blk.stock.values(), strict=True))
    short = dict(zip(blk.SHORT, blk.short.values(), strict=True))
    moved = dict(zip(blk.TRANSFERS, blk.transfer.values(), strict=True))
    gap = dict(zip(blk.FLOOR, blk.reserve_gap.values(), strict=True))
    blk.balance = pyo.Constraint(blk.STOCK, rule=balance_rule(ix, stock, short, moved,
                                                              arrivals))
    # The same rules in every world (SPEC 5): the reserve may be drawn in any scenario at
    # the same gap cost as in planning; caps count contracts (at their contracted quantity,
    # so a cut never makes a hard cap impossible) and spot purchases together; budgets
    # count what is paid, delivered contracts and spot.
    blk.floor = pyo.Constraint(blk.FLOOR, rule=floor_rule(ix, stock, gap))
    blk.ceiling = pyo.Constraint(list(ix.ceiling), rule=ceiling_rule(ix, stock))
    _add_scenario_caps(blk, ix, x, spot_of, made)
    # what is paid for a contract is what is delivered of it at its price, volume
    # discounts included: the rebates scale with the delivered share too
    rebate_vars, rebate_fixed = _rebates(m, ix, factor)
    spend = defaultdict(list)
    for i, a in enumerate(ix.arcs):
        spend[(a[0], a[3])].append((ix.arc_cost[a].unit * factor[i], x[i]))
    for (b, t), terms in rebate_vars.items():
        spend[(b, t)] += terms
    for i, var in spot_of.items():
        spend[(ix.arcs[i][0], ix.arcs[i][3])].append((spot_unit[i], var))
    for due, owed in deal_spend(ix, zip(m.DEALS, m.sign.values(), strict=True)).items():
        spend[due] += owed
    for due, fees in fee_spend(ix, made).items():
        spend[due] += fees
    blk.budget = pyo.Constraint(paid_rows(ix, spot_arcs),  # rows unlike the first stage's
                                rule=budget_rule(ix, spend, rebate_fixed))

    terms = [(d[a[3]] * ix.arc_cost[a].unit * factor[i], x[i]) for i, a in enumerate(ix.arcs)]
    terms += [(d[t] * c, v) for (_, t), owed in rebate_vars.items() for c, v in owed]
    terms += [(d[ix.arcs[i][3]] * spot_unit[i], var) for i, var in spot_of.items()]
    terms += deal_terms(ix, zip(m.DEALS, m.sign.values(), strict=True))  # every world pays
    terms += fee_terms(ix, made)
    terms += holding_terms(ix, stock.items())
    terms += credit_terms(ix, stock.items())  # at the base credit price in every world
    terms += transfer_terms(ix, moved.items())
    terms += shortfall_terms(ix, short.items())
    terms += reserve_terms(ix, gap.items())
    terms += policy_terms(ix, zip(blk.SOFT_CAPS, blk.cap_excess.values(), strict=True))
    blk.cost = pyo.Expression(expr=linear(terms, constant=sum(
        d[t] * money for (_, t), money in rebate_fixed.items())))


def _rebates(m: pyo.ConcreteModel, ix: ModelIndex, factor: Sequence[float]
             ) -> tuple[dict[tuple[str, str], list], dict[tuple[str, str], float]]:
    """(buyer, period) -> the discounts on its delivered contracts (negative money,
    nominal): terms on the bracket variables when the contracts are decided here, amounts
    when they are a plan's (a stress test)."""
    terms: dict[tuple[str, str], list] = defaultdict(list)
    fixed: dict[tuple[str, str], float] = defaultdict(float)
    if hasattr(m, "rebates"):
        for i, money in enumerate(m.rebates):
            if money:
                a = ix.arcs[i]
                fixed[(a[0], a[3])] -= factor[i] * money
        return terms, dict(fixed)
    for (g, k, i), var in zip(m.BRACKET_BUYS, m.bracket_buy.values(), strict=True):
        r = ix.brackets[g].rebate.get((i, k), 0.0)
        if r:
            a = ix.arcs[i]
            terms[(a[0], a[3])].append((-factor[i] * r, var))
    return dict(terms), dict(fixed)


def spot_unit_cost(cost: ArcCost, price_factor: float, premium: float) -> float:
    """Landed cost of one unit bought spot: the disrupted price with the premium, the
    route's tariff rate on it, and freight."""
    spot_price = cost.price * price_factor * (1.0 + premium)
    tariff_rate = cost.tariff / cost.price if cost.price else 0.0
    return spot_price * (1.0 + tariff_rate) + cost.freight


def _add_scenario_caps(blk: pyo.Block, ix: ModelIndex, x: list, spot: dict[int, object],
                       made: list) -> None:
    """Every soft cap (its excess is this world's to pay), every hard cap that spot
    purchases enter and every cap at a stage that counts processing (decided here); a hard
    cap on contracts alone already holds from the first stage."""
    rows = cap_rows(ix, spot)
    blk.CAPS = pyo.Set(initialize=rows, ordered=True)
    blk.SOFT_CAPS = pyo.Set(initialize=[p for p in rows if ix.caps[p].policy.penalty is not None],
                            ordered=True)
    blk.cap_excess = pyo.Var(blk.SOFT_CAPS, domain=pyo.NonNegativeReals)
    excess = dict(zip(blk.SOFT_CAPS, blk.cap_excess.values(), strict=True))
    blk.share_cap = pyo.Constraint(blk.CAPS, rule=cap_rule(ix, x, spot, excess, made))


def add_expected_objective(m: pyo.ConcreteModel, scenarios: list[Outlook], risk: str,
                           data: ScenarioData) -> None:
    """Expected scenario cost (+ lambda x CVaR for ``cvar``); each scenario's cost holds
    every cost of its world, soft-cap penalties included."""
    m.expected_cost = pyo.Expression(expr=sum(
        o.probability * m.scenario[w].cost for w, o in enumerate(scenarios)))
    if risk == "cvar":
        alpha, lam = data.settings.cvar_alpha, data.settings.risk_weight
        m.var_level = pyo.Var()
        m.excess = pyo.Var(m.SCENARIOS, domain=pyo.NonNegativeReals)
        m.excess_def = pyo.Constraint(m.SCENARIOS, rule=lambda m, w: (
            None, m.scenario[w].cost - m.var_level - m.excess[w], 0.0))
        m.cvar = pyo.Expression(expr=m.var_level + sum(
            o.probability * m.excess[w] for w, o in enumerate(scenarios)) / (1.0 - alpha))
        m.total_cost = pyo.Objective(expr=m.expected_cost + lam * m.cvar)
    else:
        m.total_cost = pyo.Objective(expr=m.expected_cost)
