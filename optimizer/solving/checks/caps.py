"""SPEC 3.1 families 5 and 9, diversification caps: per policy and window (each period,
or the horizon), the capped target's share of the purchases stays within the cap (a hard
cap), or its excess pays the policy's penalty (a soft one). A cap at a stage (SPEC 3.2
family 16) also counts the output processed, by the facility's country (a supplier cap:
the facility; origin caps count purchases only), in the period processing starts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from models.data import Policy, ScenarioData
from optimizer.solving.checks.common import Column, Labels, Violation, find, take, tol
from optimizer.solving.checks.tables import Purchases, Runs

SUPPLIER = {"max_supplier_share": "name", "max_country_share": "country",
            "max_origin_share": "origin"}  # what each kind of cap targets in a supplier


@dataclass(frozen=True)
class _Counted:
    """The rows a cap counts (purchases or processing runs), and per kind of cap each
    row's target (a code; -1 where the data does not know the supplier or facility it
    looks the target up by: a KeyError if such a row is in a cap's scope)."""

    material: np.ndarray
    buyer: np.ndarray
    period: np.ndarray  # positions; -1: not a period
    quantity: np.ndarray
    target: dict[str, np.ndarray]
    looked_up: Column  # the supplier or facility

    def by_period(self, pol: Policy, labels: Labels) -> tuple[np.ndarray, np.ndarray]:
        """The quantity in the policy's scope, and that of its target, by period."""
        scope = (self.material == labels.code(pol.material)) & (self.period >= 0)
        if pol.buyer is not None:
            scope &= self.buyer == labels.code(pol.buyer)
        target = self.target[pol.kind]
        unknown = scope & (target < 0)
        if unknown.any():
            raise KeyError(self.looked_up.labels[unknown][0])
        capped = scope & (target == labels.code(pol.target))
        n = len(labels.periods)
        return (np.bincount(self.period[scope], weights=self.quantity[scope], minlength=n),
                np.bincount(self.period[capped], weights=self.quantity[capped], minlength=n))


def check_caps(data: ScenarioData, labels: Labels, buys: Purchases, runs: Runs,
               out: list[Violation]) -> float:
    """The hard caps' violations, policy by policy and window by window; returns the soft
    caps' penalty (present value)."""
    if not data.policies:
        return 0.0
    kinds = {pol.kind for pol in data.policies}
    bought, made = _purchases(data, labels, buys, kinds), _runs(data, labels, runs, kinds)
    penalty = 0.0
    for pol in data.policies:
        staged = pol.stage is not None and pol.kind != "max_origin_share"
        total, capped = np.zeros(len(labels.periods)), np.zeros(len(labels.periods))
        for rows in (bought, made) if staged else (bought,):
            scope, target = rows.by_period(pol, labels)
            total, capped = total + scope, capped + target
        if pol.scope == "period":
            windows, weight = [[t] for t in labels.periods], labels.discount
        else:
            windows, weight = [list(labels.periods)], np.ones(1)
            total, capped = total.sum(keepdims=True), capped.sum(keepdims=True)
        excess = capped - pol.share * total
        over = np.flatnonzero(~(excess <= tol(total)))  # not within it (NaN: over)
        if pol.penalty is not None:
            penalty += float(np.sum(weight[over] * pol.penalty * excess[over]))
            continue
        for k in over:
            window = windows[k]
            where = f"{pol.name}: {pol.buyer or 'coalition'} {pol.material} {pol.target} " \
                    f"{window[0] if len(window) == 1 else 'horizon'}"
            out.append(Violation("diversification cap", where,
                                 float(capped[k]) / float(total[k]), pol.share))
    return penalty


def _purchases(data: ScenarioData, labels: Labels, buys: Purchases, kinds: Collection[str]
               ) -> _Counted:
    """The purchases, each targeted by its supplier's name, country or origin."""
    suppliers = data.suppliers
    at = find([labels.of(suppliers, "name")], [buys.supplier.code])
    target = {kind: take(labels.of(suppliers, SUPPLIER[kind]), at, -1) for kind in kinds}
    return _Counted(buys.material.code, buys.buyer.code, labels.position(buys.period.code),
                    buys.quantity, target, buys.supplier)


def _runs(data: ScenarioData, labels: Labels, runs: Runs, kinds: Collection[str]) -> _Counted:
    """The processing runs, each targeted by its facility, or the facility's country."""
    recipes = data.recipes
    at = find([labels.of(recipes, "facility")], [runs.facility.code])
    country = take(labels.of(recipes, "country"), at, -1)
    target = {kind: runs.facility.code if kind == "max_supplier_share" else country
              for kind in kinds}
    return _Counted(runs.output.code, runs.buyer.code, labels.position(runs.period.code),
                    runs.quantity, target, runs.facility)
