"""Validated tables -> the formulation's typed :class:`~models.data.ScenarioData`.

Every `*`, default and override rule of the workbook format is resolved here, once, so
that the model sees explicit records only:

- Supply, Demand, Budgets, Sharing: a row for a specific period (or material) replaces
  the `*` row for that period (or material).
- Stockpile: a period's row overrides the `*` row column by column; blank cells keep
  the `*` row's value. Initial stock comes from the first period's row, else the `*` row.
- Policies: only active rules; `*` buyer, material and target expand to one rule each;
  `coalition` becomes a rule on all partners together. A cap at a stage expands `*` to
  the materials of that stage, and its targets to the facilities (or their countries) too.
- Disruptions: a country hits every supplier processing or mining there and every
  facility there; several rows hitting the same offer multiply their factors.
- Stages: the Stages sheet's order, else the order of first appearance in Materials.
- Processing: one recipe per facility, output and period, from that period's rows or
  else the `*` rows (a period's rows replace the `*` rows as a whole, inputs included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from models import data as md
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.fields import STAR
from optimizer.workbook.schema import SETTINGS, SheetName


def build_scenario(tables: Tables) -> md.ScenarioData:
    periods = tuple(md.Period(r.values["period"], r.values["days"])
                    for r in tables[SheetName.PERIODS])
    labels = [p.label for p in periods]
    materials = tuple(tables.names(SheetName.MATERIALS, "material"))
    buyers = tuple(tables.names(SheetName.BUYERS, "buyer"))
    suppliers = tuple(
        md.Supplier(v["supplier"], v["country"], v.get("origin") or v["country"],
                    bool(v["active"]), r.src)
        for r in tables[SheetName.SUPPLIERS] for v in [r.values])
    offers = _offers(tables, labels)
    stage_order, material_stage = stages(tables)
    recipes = _recipes(tables, labels)
    data = md.ScenarioData(
        settings=_settings(tables, offers),
        periods=periods,
        materials=materials,
        buyers=buyers,
        suppliers=suppliers,
        offers=offers,
        demand=tuple(md.Demand(v["buyer"], v["material"], t, v["demand"], r.src)
                     for (t, r) in expand_periods(tables[SheetName.DEMAND], ("buyer", "material"),
                                              labels)
                     for v in [r.values]),
        routes=tuple(md.Route(v["supplier"], v["buyer"], v["freight"], v["tariff"],
                              v["lead_time"], bool(v["open"]), r.src)
                     for r in tables[SheetName.ROUTES] for v in [r.values]),
        initial_stock=_initial_stock(tables, labels),
        stock_rules=_stock_rules(tables, labels),
        policies=_policies(tables, materials, buyers, suppliers, dict(material_stage)),
        budgets=tuple(md.Budget(r.values["buyer"], t, r.values["budget"], r.src)
                      for t, r in expand_periods(tables[SheetName.BUDGETS], ("buyer",), labels)),
        sharing=_sharing(tables, materials),
        disruptions=_disruptions(tables, labels, materials, suppliers, recipes),
        material_penalties=tuple((r.values["material"], r.values["shortage_penalty"])
                                 for r in tables[SheetName.MATERIALS]
                                 if r.values.get("shortage_penalty") is not None),
        discounts=discount_schedules(tables, labels, offers),
        deals=tuple(md.Deal(v["deal"], v["supplier"], v.get("upfront_cost") or 0.0,
                            v.get("fixed_cost") or 0.0, signers(v.get("signable_by")), r.src)
                    for r in tables[SheetName.DEALS] for v in [r.values]),
        stages=stage_order,
        material_stage=material_stage,
        recipes=recipes,
    )
    # one credit price per material, for every partner and mode (SPEC 3.1)
    return replace(data, credit=tuple(md.credit_prices(data).items()))


def _settings(tables: Tables, offers: Iterable[md.Offer]) -> md.Settings:
    values: dict[str, Any] = {s.name: s.column.default for s in SETTINGS}
    values.update({name: row.values["value"] for name, row in tables.settings().items()
                   if row.values["value"] is not None})
    if values["shortage_penalty"] is None:
        # SPEC 4.1: 10 x the highest offered price; 1 when nothing has a price, so that a
        # shortfall still costs something and the model prefers to buy.
        highest = max((o.price for o in offers), default=0.0)
        values["shortage_penalty"] = 10.0 * highest if highest > 0 else 1.0
    return md.Settings(**values)


def partners(cell: str | None) -> tuple[str, ...] | None:
    """Supply `buyers`: the partners named, comma-separated; None (every partner) when
    blank or `*`."""
    names = [n.strip() for n in str(cell or "").split(",") if n.strip()]
    return None if not names or names == [STAR] else tuple(names)


def discount_schedules(tables: Tables, labels: list[str], offers: tuple[md.Offer, ...]
                       ) -> tuple[md.DiscountSchedule, ...]:
    """The Discounts sheet as schedules: one per supplier, material and period (basis
    period) or per supplier and material (basis horizon, over the periods of its offer);
    breaks rising, each period's rows (or the * rows) giving its prices."""
    rows: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in tables[SheetName.DISCOUNTS]:
        rows[(r.values["supplier"], r.values["material"])].append(r)
    offered: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in offers:
        if o.period not in offered[(o.supplier, o.material)]:
            offered[(o.supplier, o.material)].append(o.period)
    out = []
    for (s, m), group in rows.items():
        first = group[0].values
        by_period = {t: sorted((r.values["from_quantity"], r.values["price"], r.src)
                                for r in group if r.values.get("period") == t)
                     for t in (*labels, STAR)}
        periods = [t for t in labels if t in offered[(s, m)]
                   and (by_period[t] or by_period[STAR])]
        breaks = {t: by_period[t] or by_period[STAR] for t in periods}
        blocks = [[t] for t in periods] if first["basis"] == "period" else [periods]
        for block in blocks:
            if not block:
                continue
            schedule = breaks[block[0]]
            out.append(md.DiscountSchedule(
                s, m, first["basis"], first["type"], tuple(block),
                tuple(q for q, _, _ in schedule),
                tuple(tuple(p for _, p, _ in breaks[t]) for t in block), schedule[0][2]))
    return tuple(out)


def signers(cell: str | None) -> tuple[str, ...] | None:
    """Deals `signable_by`: None (any planning unit) when blank, (`coalition`,) for the
    partners together only, else the partners named."""
    names = partners(cell)
    if names is not None and [n.lower() for n in names] == [md.COALITION]:
        return (md.COALITION,)
    return names


def expand_periods(rows: list[Row], keys: tuple[str, ...], labels: list[str],
               column: str = "period") -> list[tuple[str, Row]]:
    """Expand `*` rows over ``labels``; specific rows replace the `*` row of their period."""
    chosen: dict[tuple, Row] = {}
    order: dict[tuple, int] = {}  # workbook order of first appearance, kept in the output
    for star_pass in (True, False):
        for row in rows:
            is_star = row.values.get(column) == STAR
            if is_star != star_pass:
                continue
            ident = tuple(row.values.get(k) for k in keys)
            order.setdefault(ident, row.row or 0)
            for t in labels if is_star else [row.values[column]]:
                chosen[(*ident, t)] = row
    position = {t: i for i, t in enumerate(labels)}
    ranked = sorted(chosen.items(), key=lambda kv: (order[kv[0][:-1]], position[kv[0][-1]]))
    return [(k[-1], r) for k, r in ranked]


def _offers(tables: Tables, labels: list[str]) -> tuple[md.Offer, ...]:
    return tuple(
        md.Offer(v["supplier"], v["material"], t, v["tier"], v["capacity"], v["price"],
                 v.get("min_offtake") or 0.0, r.src, partners(v.get("buyers")), v.get("deal"))
        for t, r in expand_periods(tables[SheetName.SUPPLY], ("supplier", "material", "tier"),
                                   labels)
        for v in [r.values])


def stages(tables: Tables) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The stage labels in order and each staged material's stage (SPEC 3.2 family 14)."""
    material_stage = tuple((r.values["material"], r.values["stage"])
                           for r in tables[SheetName.MATERIALS]
                           if r.values.get("stage") is not None)
    listed = tables.names(SheetName.STAGES, "stage")
    return tuple(listed or dict.fromkeys(s for _, s in material_stage)), material_stage


def facility_countries(tables: Tables) -> dict[str, str]:
    """Facility -> its country (from its first Processing row), in order of appearance."""
    out: dict[str, str] = {}
    for r in tables[SheetName.PROCESSING]:
        if r.values.get("facility") is not None and r.values.get("country") is not None:
            out.setdefault(r.values["facility"], r.values["country"])
    return out


def _recipes(tables: Tables, labels: list[str]) -> tuple[md.Recipe, ...]:
    """One recipe per facility, output and period (SPEC 4.17): the period's own rows, else
    the `*` rows, one row per input; the recipe's other columns are those of its first
    row (the rules make them equal)."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in tables[SheetName.PROCESSING]:
        groups[(r.values["facility"], r.values["output"])].append(r)
    out = []
    for t, chosen in expand_periods(tables[SheetName.PROCESSING], ("facility", "output"),
                                    labels):
        c = chosen.values
        rows = [r for r in groups[(c["facility"], c["output"])]
                if r.values["period"] == c["period"]]
        v = rows[0].values
        out.append(md.Recipe(
            v["facility"], v["country"], v["output"], t,
            tuple((r.values["input"], r.values["input_per_output"]) for r in rows),
            v["capacity"], v["fee"], v["lead_time"], v.get("deal"), rows[0].src))
    return tuple(out)


def _stock_groups(tables: Tables) -> dict[tuple[str, str], dict[str, Row]]:
    groups: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
    for row in tables[SheetName.STOCKPILE]:
        v = row.values
        groups[(v["buyer"], v["material"])][v.get("period") or STAR] = row
    return groups


def _merged(rows: dict[str, Row], period: str, column: str, default: Any) -> tuple[Any, str]:
    for key in (period, STAR):
        row = rows.get(key)
        if row is not None and column in row.given:
            return row.values[column], row.src
    return default, ""


def _stock_rules(tables: Tables, labels: list[str]) -> tuple[md.StockRule, ...]:
    out = []
    for (buyer, material), rows in _stock_groups(tables).items():
        for t in labels:
            if t not in rows and STAR not in rows:
                continue
            src = (rows.get(t) or rows[STAR]).src
            min_days, _ = _merged(rows, t, "min_days", 0.0)
            min_level, _ = _merged(rows, t, "min_level", 0.0)
            max_level, _ = _merged(rows, t, "max_level", None)
            holding, _ = _merged(rows, t, "holding_cost", 0.0)
            out.append(md.StockRule(buyer, material, t, min_days, min_level, max_level, holding,
                                    src))
    return tuple(out)


def _initial_stock(tables: Tables, labels: list[str]) -> tuple[md.InitialStock, ...]:
    out = []
    for (buyer, material), rows in _stock_groups(tables).items():
        qty, src = _merged(rows, labels[0], "initial", 0.0) if labels else (0.0, "")
        if qty:
            out.append(md.InitialStock(buyer, material, qty, src))
    return tuple(out)


def _policies(tables: Tables, materials: tuple[str, ...], buyers: tuple[str, ...],
              suppliers: tuple[md.Supplier, ...], stage_of: dict[str, str]
              ) -> tuple[md.Policy, ...]:
    targets = {
        "max_supplier_share": [s.name for s in suppliers],
        "max_country_share": list(dict.fromkeys(s.country for s in suppliers)),
        "max_origin_share": list(dict.fromkeys(s.origin for s in suppliers)),
    }
    # at a stage, what is processed counts too: each facility is a source and its country
    # a place of processing (SPEC 3.2 family 16); origin caps count purchases only
    facilities = facility_countries(tables)
    at_stage = {
        "max_supplier_share": [*targets["max_supplier_share"], *facilities],
        "max_country_share": list(dict.fromkeys(
            [*targets["max_country_share"], *facilities.values()])),
        "max_origin_share": targets["max_origin_share"],
    }
    out = []
    for row in tables[SheetName.POLICIES]:
        v = row.values
        if not v["active"]:
            continue
        stage = v.get("stage")
        every_material = materials if stage is None else [
            m for m in materials if stage_of.get(m) == stage]
        every_target = (targets if stage is None else at_stage)[v["kind"]]
        for buyer in _each(v["buyer"], buyers, coalition=True):
            for material in _each(v["material"], every_material):
                for target in _each(v["target"], every_target):
                    out.append(md.Policy(v["policy"], v["kind"], target, buyer, material,
                                         v["share"], v["scope"], v.get("penalty"), row.src,
                                         stage))
    return tuple(out)


def _each(value: str, every: Iterable[str], coalition: bool = False) -> list[Any]:
    if coalition and value == "coalition":
        return [None]
    return list(every) if value == STAR else [value]


def _sharing(tables: Tables, materials: tuple[str, ...]) -> tuple[md.Sharing, ...]:
    rows = expand_periods(tables[SheetName.SHARING], ("from", "to"), list(materials),
                          column="material")
    return tuple(md.Sharing(r.values["from"], r.values["to"], m, r.values["cost"],
                            r.values.get("max"), r.src) for m, r in rows)


def _disruptions(tables: Tables, labels: list[str], materials: tuple[str, ...],
                 suppliers: tuple[md.Supplier, ...], recipes: tuple[md.Recipe, ...]
                 ) -> tuple[md.DisruptionScenario, ...]:
    by_name: dict[str, list[Row]] = defaultdict(list)
    for row in tables[SheetName.DISRUPTIONS]:
        by_name[row.values["scenario"]].append(row)
    # a facility hit loses capacity for its outputs: its shocks carry its name (SPEC 3.2)
    outputs: dict[str, list[str]] = defaultdict(list)
    country: dict[str, str] = {}
    for r in recipes:
        country.setdefault(r.facility, r.country)
        if r.output not in outputs[r.facility]:
            outputs[r.facility].append(r.output)
    out = []
    for name, rows in by_name.items():
        # (partner aimed at or None, supplier or facility, material, period): rows hitting
        # the same offer (and partner) multiply their factors
        factors: dict[tuple[str | None, str, str, str], tuple[float, float, str]] = {}
        for row in rows:
            v = row.values
            hit = [(s.name, _each(v["material"], materials)) for s in suppliers
                   if s.name == v.get("supplier") or v.get("country") in (s.country, s.origin)]
            hit += [(f, [m for m in made if v["material"] in (STAR, m)])
                    for f, made in outputs.items()
                    if f == v.get("supplier") or v.get("country") == country[f]]
            window = labels[labels.index(v["start"]):labels.index(v["end"]) + 1]
            for s, hit_materials in hit:
                for m in hit_materials:
                    for t in window:
                        key = (v.get("buyer"), s, m, t)
                        cap, price, _ = factors.get(key, (1.0, 1.0, row.src))
                        factors[key] = (cap * v["capacity_factor"], price * v["price_factor"],
                                        row.src)
        shocks = tuple(md.Shock(s, m, t, cap, price, src, b)
                       for (b, s, m, t), (cap, price, src) in factors.items())
        out.append(md.DisruptionScenario(name, rows[0].values["probability"], shocks))
    return tuple(out)
