r"""Family 15: processing by recipe within shared facility capacity (SPEC 3.2).

.. math::

    \sum_b q_{b,f,o,t} \le \mathit{cap}_{f,o,t}\ (\times\, w_d \text{ for a plant in deal } d)

and in the stock balance (family 3) of partner b, what it processes leaves and arrives:

.. math::

    I_{b,m,t} \mathrel{+}= \sum_{f,o:\ t = \tau + L_{f,o}} [m = o]\, q_{b,f,o,\tau}
        - \sum_{f,o} a_{f,o,t,m}\, q_{b,f,o,t}

Inputs leave the stock in the period processing starts, the output arrives
:math:`L_{f,o}` periods later (lead time 0: a whole chain runs within one period);
processing that would finish after the last period is never started. The toll fee
:math:`\phi_{f,o,t}` per unit of output is paid in the period it starts, discounted like a
purchase, and counts against the partner's budget.

======================  ===================================  ===============================
symbol                  meaning                              Pyomo
======================  ===================================  ===============================
:math:`q_{b,f,o,t}`     output of o started by b at f        ``m.make[i]``, i in
                                                             ``ix.processes``
:math:`a_{f,o,t,m}`     input m per unit of output           ``ix.recipes[f, o, t].inputs``
:math:`\mathit{cap}`    output the facility may start        ``ix.recipes[f, o, t]``
:math:`\phi`, :math:`L` toll fee, lead time                  ``ix.recipes[f, o, t]``
(row)                   facility capacity                    ``m.process_capacity[f, o, t]``
======================  ===================================  ===============================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pyomo.environ as pyo

from models.expr import linear
from models.family import Binding, Family, Row, Sense
from models.index import ModelIndex

Terms = list[tuple[float, Any]]


def add_processing(m: pyo.ConcreteModel, ix: ModelIndex) -> None:
    """The processing variables and the capacity row of each facility, output and period
    that some partner may use."""
    m.processing = add_recourse_processing(m, m, ix, {})


def add_recourse_processing(blk: pyo.Block, m: pyo.ConcreteModel, ix: ModelIndex,
                            factor: Mapping[tuple[str, str, str], Any]) -> list[Any]:
    """The processing variables and capacity rows in ``blk``: the plan's (``blk`` is the
    model, every factor 1), or one world's of the extensive form (:mod:`models.stochastic`),
    where processing is a recourse decision like stock and transfers (a partner may
    process what it holds after a shock) within the facilities' capacity scaled by the
    world's ``factor`` on (facility, output, period). Returns the processing variables."""
    blk.PROCESSES = pyo.RangeSet(0, len(ix.processes) - 1)
    blk.make = pyo.Var(blk.PROCESSES, domain=pyo.NonNegativeReals)
    made = list(blk.make.values())
    users = _users(ix, made)
    blk.PROCESS_CAPACITY = pyo.Set(initialize=list(users), dimen=3, ordered=True)
    blk.process_capacity = pyo.Constraint(blk.PROCESS_CAPACITY,
                                          rule=capacity_rule(ix, users, m, factor))
    return made


def _users(ix: ModelIndex, made: Sequence[Any]) -> dict[tuple[str, str, str], list[Any]]:
    users: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for (_, f, o, t), var in zip(ix.processes, made, strict=True):
        users[(f, o, t)].append(var)
    return users


def capacity_rule(ix: ModelIndex, users: dict[tuple[str, str, str], list[Any]],
                  m: pyo.ConcreteModel, factor: Mapping[tuple[str, str, str], Any] | None = None
                  ) -> Any:
    """The capacity row of (facility, output, period): the plan's, or a scenario's with
    the facility's capacity scaled by ``factor`` (SPEC 5: a disruption naming the
    facility or its country)."""
    factor = factor or {}

    def rule(_: pyo.Block, f: str, o: str, t: str) -> object:
        recipe = ix.recipes[(f, o, t)]
        cap = recipe.capacity * factor.get((f, o, t), 1.0)
        made = [(1.0, v) for v in users[(f, o, t)]]
        if recipe.deal is not None:  # a co-financed plant exists only if its deal is signed
            return linear([*made, (-cap, m.sign[recipe.deal])]) <= 0.0
        return linear(made) <= cap

    return rule


def process_flows(ix: ModelIndex, made: Sequence[Any]
                  ) -> dict[tuple[str, str, str], Terms]:
    """(buyer, material, period) -> (coefficient, variable) pairs of what processing adds to
    that stock balance: the output where it arrives (+1), each input where it starts (-a)."""
    flows: dict[tuple[str, str, str], Terms] = defaultdict(list)
    for (b, f, o, t), end, var in zip(ix.processes, ix.finish, made, strict=True):
        flows[(b, o, end)].append((1.0, var))
        for material, per_unit in ix.recipes[(f, o, t)].inputs:
            flows[(b, material, t)].append((-per_unit, var))
    return flows


def fee_terms(ix: ModelIndex, made: Sequence[Any]) -> Terms:
    """Present value of the toll fees (the objective's `processing` component)."""
    d = ix.discount
    return [(d[p[3]] * ix.recipes[p[1:]].fee, v)
            for p, v in zip(ix.processes, made, strict=True)]


def fee_spend(ix: ModelIndex, made: Sequence[Any]) -> dict[tuple[str, str], Terms]:
    """(buyer, period) -> its fees as budget terms (nominal, paid when processing starts);
    nothing for no ``made`` variables."""
    spend: dict[tuple[str, str], Terms] = defaultdict(list)
    if not made:
        return spend
    for p, v in zip(ix.processes, made, strict=True):
        spend[(p[0], p[3])].append((ix.recipes[p[1:]].fee, v))
    return spend


def _capacity_row(ix: ModelIndex, k: tuple) -> Row:
    f, o, t = k
    cap = ix.recipes[k].capacity
    return Row("processing capacity", f"{f} can start at most {cap:,.6g} {ix.unit} of {o} in "
               f"{t}", ix.src.get(("recipe", *k), ""), "raise the facility's capacity", None,
               o, t, cap)


def _capacity_binding(ix: ModelIndex, k: tuple, price: float, b: Binding) -> str:
    f, o, t = k
    return (f"{f}'s capacity to make {o} in {t} ({ix.recipes[k].capacity:,.0f} {ix.unit}) is "
            f"used up: one more {ix.unit} of it would save {price:,.0f} {b.currency}")


PROCESS_CAPACITY = Family("processing capacity", "15", "process_capacity", Sense.LE,
                          "Processing", add_processing, _capacity_row, _capacity_binding)
