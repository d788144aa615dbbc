"""Typed scenario data -> a scenario workbook in the project's format.

    from scenario_workbook import write_scenario_workbook
    write_scenario_workbook(bench_lp.make_scenario("medium"), Path("medium.xlsx"))

The inverse of ``optimizer.workbook.scenario_data.build_scenario`` for the records a
:class:`~models.data.ScenarioData` holds, so that a benchmark can run ``coprocure`` on
a workbook whose plan is the plan of the in-memory data. Every record goes to its sheet
in the long layout (one row per period, tier, buyer...); a stock rule that is the same
in every period is written once as a ``*`` row. Written the way
``scenarios/build_japan_eu_2030.py`` writes the shipped scenario: each sheet's header is
the schema's column list plus ``source`` and ``note`` (``header``), records are ordered
by it (``rows_for``) and the file is written whole with ``optimizer.xlsx``'s
``atomic_workbook`` and ``write_table``. ``src`` is not written: the reader sets it to
the row the record is read from.

One thing is left out: a diversification cap on a supplier or country that no supplier
(or facility, at a stage) is or is in (:func:`vacuous_caps`). It caps purchases that
cannot exist, so it binds nothing, but the format refuses it as a likely typo
(``share-target-unknown``); bench_lp's small scenario caps DR Congo's origin share with
none of its five suppliers mining there. The plan is the same without it.

What the format cannot say is refused with ``ValueError``: a discount schedule priced on
some partners' volume only (``DiscountSchedule.buyers``, set by the pooling analysis, never
read from a workbook), a disruption scenario without shocks, and a credit price for closing
stock that differs from the one the reader derives from the offers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from pathlib import Path
from typing import Any

from models import data as md
from optimizer.workbook.schema import ANNOTATIONS, SETTINGS, SHEET_BY_NAME
from optimizer.xlsx import atomic_workbook, write_table

Sheet = tuple[list[str], list[dict[str, Any]]]

STAR = "*"


def header(sheet: str) -> list[str]:
    """The sheet's columns as the schema declares them, then source and note."""
    return [*SHEET_BY_NAME[sheet].column_names, *(c.name for c in ANNOTATIONS)]


def rows_for(columns: list[str], records: list[dict[str, Any]]) -> list[list[Any]]:
    """Order each record's values as ``columns``; a key that is not a column is a bug."""
    out = []
    for rec in records:
        unknown = set(rec) - set(columns)
        if unknown:
            raise KeyError(f"not a column of this sheet: {sorted(unknown)}")
        out.append([rec.get(c) for c in columns])
    return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _names(names: tuple[str, ...] | None) -> str | None:
    return None if names is None else ", ".join(names)


def _settings(s: md.Settings) -> list[dict[str, Any]]:
    values = {f.name: getattr(s, f.name) for f in fields(s)}
    return [{"setting": setting.name, "value": values[setting.name]}
            for setting in SETTINGS if values[setting.name] is not None]


def _stockpile(data: md.ScenarioData) -> list[dict[str, Any]]:
    """One ``*`` row per buyer and material whose rule is the same in every period, else
    one row per period that has a rule; the initial stock on the ``*`` row or the first
    period's row (a row of its own when there is no rule: every value blank is the
    default rule, which constrains nothing)."""
    labels = data.period_labels
    rules: dict[tuple[str, str], dict[str, md.StockRule]] = defaultdict(dict)
    for r in data.stock_rules:
        rules[(r.buyer, r.material)][r.period] = r
    initial = {(s.buyer, s.material): s for s in data.initial_stock}
    out = []
    for key in dict.fromkeys([*rules, *initial]):
        by_period = rules.get(key, {})
        values = {(r.min_days, r.min_level, r.max_level, r.holding_cost)
                  for r in by_period.values()}
        star = len(by_period) == len(labels) and len(values) == 1
        periods = [STAR] if star or not by_period else [t for t in labels if t in by_period]
        if key in initial and periods[0] not in (STAR, labels[0]):
            periods.insert(0, labels[0])
        for t in periods:
            rule = by_period.get(labels[0] if t == STAR else t)
            rec: dict[str, Any] = {"buyer": key[0], "material": key[1], "period": t}
            if rule is not None:
                rec |= {"min_days": rule.min_days, "min_level": rule.min_level,
                        "max_level": rule.max_level, "holding_cost": rule.holding_cost}
            if key in initial and t in (STAR, labels[0]):
                rec["initial"] = initial[key].quantity
            out.append(rec)
    return out


def _discounts(data: md.ScenarioData) -> list[dict[str, Any]]:
    out = []
    for d in data.discounts:
        if d.buyers is not None:
            raise ValueError(f"discount of {d.supplier}/{d.material} on the volume of "
                             f"{d.buyers} only: a workbook cannot say it")
        for t, prices in zip(d.periods, d.prices, strict=True):
            out += [{"supplier": d.supplier, "material": d.material, "period": t,
                     "basis": d.basis, "type": d.kind, "from_quantity": q, "price": p}
                    for q, p in zip(d.breaks, prices, strict=True)]
    return out


def _disruptions(data: md.ScenarioData) -> list[dict[str, Any]]:
    out = []
    for d in data.disruptions:
        if not d.shocks:
            raise ValueError(f"disruption scenario {d.name!r} hits nothing: a workbook "
                             "cannot say it")
        out += [{"scenario": d.name, "probability": d.probability, "supplier": s.supplier,
                 "material": s.material, "start": s.period, "end": s.period,
                 "capacity_factor": s.capacity_factor, "price_factor": s.price_factor,
                 "buyer": s.buyer} for s in d.shocks]
    return out


def vacuous_caps(data: md.ScenarioData) -> list[md.Policy]:
    """Caps whose target no supplier (or, at a stage, no facility) is or is in: they count
    purchases that cannot exist, and the workbook format refuses their target."""
    facilities = {r.facility: r.country for r in data.recipes}
    known = {
        "max_supplier_share": ({s.name for s in data.suppliers}, set(facilities)),
        "max_country_share": ({s.country for s in data.suppliers}, set(facilities.values())),
        "max_origin_share": ({s.origin for s in data.suppliers}, set()),
    }
    return [p for p in data.policies
            if p.target not in known[p.kind][0]
            and (p.stage is None or p.target not in known[p.kind][1])]


def sheets_of(data: md.ScenarioData) -> dict[str, Sheet]:
    """Every sheet the data needs, in the format's order: (header, records); without the
    :func:`vacuous_caps`."""
    vacuous = set(map(id, vacuous_caps(data)))
    penalties = dict(data.material_penalties)
    stage_of = dict(data.material_stage)
    records: dict[str, list[dict[str, Any]]] = {
        "Settings": _settings(data.settings),
        "Periods": [{"period": p.label, "days": p.days} for p in data.periods],
        "Stages": [{"stage": s} for s in data.stages],
        "Materials": [{"material": m, "shortage_penalty": penalties.get(m),
                       "stage": stage_of.get(m)} for m in data.materials],
        "Buyers": [{"buyer": b} for b in data.buyers],
        "Suppliers": [{"supplier": s.name, "country": s.country, "origin": s.origin,
                       "active": _yes(s.active)}
                      for s in data.suppliers],
        "Deals": [{"deal": d.name, "supplier": d.supplier, "upfront_cost": d.upfront_cost,
                   "fixed_cost": d.fixed_cost, "signable_by": _names(d.signable_by)}
                  for d in data.deals],
        "Supply": [{"supplier": o.supplier, "material": o.material, "period": o.period,
                    "capacity": o.capacity, "price": o.price, "tier": o.tier,
                    "min_offtake": o.min_offtake, "buyers": _names(o.buyers),
                    "deal": o.deal} for o in data.offers],
        "Discounts": _discounts(data),
        "Processing": [{"facility": r.facility, "country": r.country, "output": r.output,
                        "input": m, "input_per_output": per, "capacity": r.capacity,
                        "fee": r.fee, "lead_time": r.lead_time, "period": r.period,
                        "deal": r.deal}
                       for r in data.recipes for m, per in r.inputs],
        "Demand": [{"buyer": d.buyer, "material": d.material, "period": d.period,
                    "demand": d.quantity} for d in data.demand],
        "Routes": [{"supplier": r.supplier, "buyer": r.buyer, "freight": r.freight,
                    "tariff": r.tariff, "lead_time": r.lead_time, "open": _yes(r.open)}
                   for r in data.routes],
        "Stockpile": _stockpile(data),
        "Policies": [{"policy": p.name, "kind": p.kind, "target": p.target,
                      "buyer": "coalition" if p.buyer is None else p.buyer,
                      "material": p.material, "share": p.share, "scope": p.scope,
                      "penalty": p.penalty, "active": "yes", "stage": p.stage}
                     for p in data.policies if id(p) not in vacuous],
        "Budgets": [{"buyer": b.buyer, "period": b.period, "budget": b.amount}
                    for b in data.budgets],
        "Sharing": [{"from": s.giver, "to": s.receiver, "material": s.material,
                     "cost": s.cost, "max": s.limit}
                    for s in data.sharing],
        "Disruptions": _disruptions(data),
    }
    if data.credit is not None and dict(data.credit) != md.credit_prices(data):
        raise ValueError("the data carries credit prices of its own: a workbook cannot say "
                         "them (the reader derives them from the offers)")
    required = {name for name, spec in SHEET_BY_NAME.items() if spec.required}
    return {name: (header(name), recs) for name, recs in records.items()
            if recs or name in required}


def write_scenario_workbook(data: md.ScenarioData, path: Path) -> Path:
    """Every sheet of ``data`` to ``path``, whole or not at all."""
    with atomic_workbook(path) as wb:
        for name, (columns, recs) in sheets_of(data).items():
            write_table(wb, name, columns, rows_for(columns, recs))
    return path
