"""Binding rules and their shadow prices, said in the planner's words.

A shadow price is what one more unit of a rule's limit would change the total cost by
(present value when a discount rate is set). HiGHS reports d(objective)/d(bound): a
binding `<=` row has a dual <= 0 and a binding `>=` row a dual >= 0; the sign is turned
here into "saves" or "costs" so that nobody has to know the convention.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.data import ScenarioData
from optimizer.solve import Outcome

EPS = 1e-7
COLUMNS = ["rule", "workbook_row", "buyer", "material", "period", "limit", "shadow_price",
           "explanation"]


def constraint_table(data: ScenarioData, m: pyo.ConcreteModel, outcome: Outcome) -> pd.DataFrame:
    if outcome.row_dual is None:
        return pd.DataFrame(columns=COLUMNS)
    ix = m.ix
    bought = outcome.values(m.buy)
    cur, unit = data.settings.currency, data.settings.unit
    rows: list[dict] = []

    def add(rule: str, src: str, buyer, material, period, limit, price: float, text: str):
        rows.append({"rule": rule, "workbook_row": src, "buyer": buyer, "material": material,
                     "period": period, "limit": limit, "shadow_price": price,
                     "explanation": text})

    for key, dual in _binding(m.CAPACITY, -outcome.duals(m.capacity)):
        if dual > EPS:
            s, mat, t, k = key
            add("supplier capacity", ix.src.get(("offer", *key), ""), None, mat, t,
                ix.capacity[key], dual,
                f"{s}'s {mat} capacity in {t} (tier {k}, {ix.capacity[key]:,.0f} {unit}) is "
                f"used up: one more {unit} would save {dual:,.0f} {cur}")
    for key, dual in _binding(m.OFFTAKE, outcome.duals(m.min_offtake)):
        if dual > EPS:
            s, mat, t = key
            add("minimum offtake", "", None, mat, t, ix.offtake[key], dual,
                f"the minimum offtake of {ix.offtake[key]:,.0f} {unit} of {mat} from {s} in {t}"
                f" costs {dual:,.0f} {cur} per {unit} more than buying elsewhere")
    for key, dual in _binding(m.FLOOR, outcome.duals(m.floor)):
        if dual > EPS:
            b, mat, t = key
            add("stockpile floor", ix.src.get(("stock", *key), ""), b, mat, t,
                ix.floor[key], dual,
                f"{b}'s {mat} reserve floor in {t} ({ix.floor[key]:,.1f} {unit}) costs "
                f"{dual:,.0f} {cur} per {unit} of reserve")
    for key, dual in _binding(m.CEILING, -outcome.duals(m.ceiling)):
        if dual > EPS:
            b, mat, t = key
            add("storage ceiling", ix.src.get(("stock", *key), ""), b, mat, t,
                ix.ceiling[key], dual,
                f"{b}'s {mat} storage ceiling in {t} ({ix.ceiling[key]:,.0f} {unit}) binds: "
                f"one more {unit} of storage would save {dual:,.0f} {cur}")
    for p, dual in _binding(m.CAPS, -outcome.duals(m.share_cap)):
        cap = ix.caps[p]
        pol = cap.policy
        counted = float(bought[list(cap.counted)].sum())
        whose = f"{pol.buyer}'s" if pol.buyer else "the coalition's"
        when = f"in {cap.period}" if cap.period else "over the horizon"
        add(f"{pol.kind} '{pol.name}'", pol.src, pol.buyer or "coalition", pol.material,
            cap.period or "horizon", pol.share, dual,
            f"{whose} {pol.share:.0%} cap on {pol.target} for {pol.material} {when} costs "
            f"{dual:,.0f} {cur} per {unit} it moves away from {pol.target}; loosening it by one "
            f"percentage point saves about {dual * 0.01 * counted:,.0f} {cur}")
    for key, dual in _binding(m.BUDGETS, -outcome.duals(m.budget)):
        if dual > EPS:
            b, t = key
            add("budget", ix.src.get(("budget", *key), ""), b, None, t, ix.budgets[key], dual,
                f"{b}'s budget in {t} ({ix.budgets[key]:,.0f} {cur}) is spent: one more {cur} "
                f"of budget would save {dual:,.2f} {cur}")
    return pd.DataFrame(rows, columns=COLUMNS)


def _binding(index, duals: np.ndarray) -> list[tuple]:
    """(key, dual) for the members of a constraint family whose dual is not zero."""
    keys = list(index)
    return [(keys[i], float(duals[i])) for i in np.flatnonzero(duals > EPS)]
