"""SPEC 3.2 family 15, processing: every run is a recipe of the data started by a partner
(its plant's deal signed), finishing within the horizon, and the runs of a facility,
output and period fit its capacity; its inputs leave the partner's stock when it starts,
its output arrives when it finishes, its fee is paid when it starts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from models.data import ScenarioData
from optimizer.solving.checks.common import (
    ABS_TOL,
    Flow,
    Labels,
    Money,
    Violation,
    find,
    groups,
    in_row_order,
    objects,
    tol,
)
from optimizer.solving.checks.tables import Runs


@dataclass(frozen=True)
class Processed:
    """What the runs that pass these rules move: the output made (by the period it
    arrives), the inputs drawn (by the period it starts), the fees by buyer and period."""

    made: Flow
    drawn: Flow
    fees: Money


def check_processing(data: ScenarioData, labels: Labels, runs: Runs, signed: Collection[str],
                     out: list[Violation]) -> Processed:
    recipes = data.recipes
    recipe = find([labels.of(recipes, c) for c in ("facility", "output", "period")],
                  [runs.facility.code, runs.output.code, runs.period.code])
    partner = find([labels.codes(data.buyers)], [runs.buyer.code]) >= 0
    known = (recipe >= 0) & partner
    rows = np.flatnonzero(known)  # the runs of a recipe by a partner: their start and end
    start = labels.position(runs.period.code[rows], required=True)
    end = np.full(len(runs.quantity), -1)
    end[rows] = start + np.array([r.lead_time for r in recipes], dtype=np.int64)[recipe[rows]]
    late = end >= len(labels.periods)
    q, where = runs.quantity, runs.where
    out += in_row_order([
        (q < -ABS_TOL, lambda i: Violation("negative processing", where(i), float(q[i]), 0.0)),
        (~known, lambda i: Violation("processing without a recipe", where(i), float(q[i]),
                                     0.0)),
        (late, lambda i: Violation("processing finishing after the horizon", where(i),
                                   int(end[i]), len(labels.periods) - 1)),
    ])

    keep = ~late[rows]  # the runs that count
    ok, start, recipe = rows[keep], start[keep], recipe[rows[keep]]
    _check_capacity(data, runs, signed, ok, recipe, out)
    fee = np.array([r.fee for r in recipes], dtype=float)[recipe]
    return Processed(Flow(runs.buyer[ok], runs.output[ok], end[ok], q[ok]),
                     _drawn(data, labels, runs, ok, recipe, start),
                     Money.grouped(runs.buyer.code[ok], start, fee * q[ok]))


def _check_capacity(data: ScenarioData, runs: Runs, signed: Collection[str], ok: np.ndarray,
                    recipe: np.ndarray, out: list[Violation]) -> None:
    """The runs ``ok`` (of ``recipe``) of each facility, output and period within its
    capacity, in the order of its first run; a plant of a deal not signed has none."""
    group, first = groups(recipe)
    started = np.bincount(group, weights=runs.quantity[ok], minlength=len(first))
    plants = [data.recipes[r] for r in recipe[first]]
    cap = np.array([r.capacity if r.deal is None or r.deal in signed else 0.0
                    for r in plants], dtype=float)
    for k in np.flatnonzero(started > cap + tol(cap)):
        deal = plants[k].deal
        what = "processing capacity" if cap[k] or not deal else \
            f"processing in deal {deal!r}, not signed"
        i = ok[first[k]]
        key = (runs.facility.labels[i], runs.output.labels[i], runs.period.labels[i])
        out.append(Violation(what, " ".join(key), float(started[k]), float(cap[k])))


def _drawn(data: ScenarioData, labels: Labels, runs: Runs, ok: np.ndarray,
           recipe: np.ndarray, start: np.ndarray) -> Flow:
    """The inputs the runs ``ok`` (of ``recipe``, started at ``start``) draw, run by run
    and in the order of each recipe's inputs."""
    sizes = np.array([len(r.inputs) for r in data.recipes], dtype=np.int64)
    begin = np.cumsum(sizes) - sizes  # where each recipe's inputs begin among all inputs
    inputs = [i for r in data.recipes for i in r.inputs]
    material = labels.column(objects([m for m, _ in inputs]))
    per_unit = np.array([a for _, a in inputs], dtype=float)
    count = sizes[recipe]
    run = np.repeat(np.arange(len(ok)), count)  # each run once per input, and the input:
    used = begin[recipe[run]] + np.arange(len(run)) - np.repeat(np.cumsum(count) - count, count)
    return Flow(runs.buyer[ok[run]], material[used], start[run],
                per_unit[used] * runs.quantity[ok[run]])
