"""SPEC 3.1 family 8: transfers between partners only where the data allows sharing, each
within its limit per period, at its cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.data import ScenarioData
from optimizer.solving.checks.common import Flow, Labels, Violation, find, in_row_order, tol
from optimizer.solving.checks.tables import Transfers


@dataclass(frozen=True)
class Moved:
    """What the transfers allowed move: into the receivers' stock, out of the givers', and
    their cost (present value)."""

    received: Flow
    given: Flow
    cost: float


def check_transfers(data: ScenarioData, labels: Labels, moves: Transfers,
                    out: list[Violation]) -> Moved:
    rules = data.sharing
    rule = find([labels.of(rules, c) for c in ("giver", "receiver", "material")],
                [moves.giver.code, moves.receiver.code, moves.material.code])
    allowed = rule >= 0
    limit = np.full(len(rule), np.nan)  # NaN: no limit, never exceeded
    limit[allowed] = np.array([np.nan if s.limit is None else s.limit for s in rules],
                              dtype=float)[rule[allowed]]
    q, where = moves.quantity, moves.where
    out += in_row_order([
        (~allowed, lambda i: Violation("transfer not allowed", where(i), float(q[i]), 0.0)),
        (q > limit + tol(limit), lambda i: Violation("transfer limit", where(i), float(q[i]),
                                                     float(limit[i]))),
    ])
    ok = np.flatnonzero(allowed)
    period = labels.position(moves.period.code[ok], required=True)
    cost = np.array([s.cost for s in rules], dtype=float)[rule[ok]]
    return Moved(Flow(moves.receiver[ok], moves.material[ok], period, q[ok]),
                 Flow(moves.giver[ok], moves.material[ok], period, q[ok]),
                 float(np.sum(labels.discount[period] * cost * q[ok])))
