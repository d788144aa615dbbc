"""Rules across rows and sheets: duplicates, references, and consistency of the data.

These run on typed :class:`~optimizer.workbook.cells.Tables`, for the base workbook and again
for every strategy's overridden tables, so a strategy that breaks a reference is caught
like a base workbook that does.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from optimizer.errors import Issue, error, warning
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.fields import STAR, label
from optimizer.workbook.read import suggest
from optimizer.workbook.schema import SHEETS, SheetName


def check_tables(tables: Tables) -> list[Issue]:
    issues: list[Issue] = []
    for check in (_check_nonempty, _check_keys, _check_refs, _check_supply, _check_stockpile,
                  _check_policies, _check_sharing, _check_disruptions, _check_demand):
        check(tables, issues)
    return issues


def _check_nonempty(tables: Tables, issues: list[Issue]) -> None:
    for spec in SHEETS:
        if spec.required and spec.name in tables.rows and not tables[spec.name] \
                and spec.name != SheetName.SETTINGS:
            issues.append(error("sheet-empty", f"sheet {spec.name} has no rows", sheet=spec.name))


def _check_keys(tables: Tables, issues: list[Issue]) -> None:
    for spec in SHEETS:
        if not spec.key:
            continue
        first: dict[tuple, Row] = {}
        for row in tables[spec.name]:
            key = tuple(label(row.values.get(k)) for k in spec.key)
            if key in first:
                other = first[key]
                what = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key, strict=True)
                                 if v != "None")
                at = f"row {other.row}" if other.row is not None else "a strategy"
                issues.append(error("key-duplicate", f"{what} is given twice (also {at}): "
                                    "keep one row", **row.where(spec.key[0]), value=key[0]))
            else:
                first[key] = row


def _check_refs(tables: Tables, issues: list[Issue]) -> None:
    for spec in SHEETS:
        for col in spec.columns:
            if col.ref is None:
                continue
            known = tables.names(col.ref.sheet, col.ref.column)
            allowed = set(known) | set(col.ref.also) | ({STAR} if col.ref.star else set())
            for row in tables[spec.name]:
                value = row.values.get(col.name)
                if value is None or value in allowed:
                    continue
                issues.append(error(
                    "ref-unknown", f"{col.name} {value!r} is not on the {col.ref.sheet} sheet"
                    f"{suggest(str(value), known)}", **row.where(col.name), value=value,
                    expected=col.expected()))


def _countries(tables: Tables, origin: bool) -> list[str]:
    out = []
    for row in tables[SheetName.SUPPLIERS]:
        country = row.values.get("country")
        place = (row.values.get("origin") or country) if origin else country
        if place and place not in out:
            out.append(place)
    return out


def _check_supply(tables: Tables, issues: list[Issue]) -> None:
    tiers: dict[tuple, list[Row]] = defaultdict(list)
    for row in tables[SheetName.SUPPLY]:
        v = row.values
        if v.get("min_offtake") is not None and v.get("capacity") is not None \
                and v["min_offtake"] > v["capacity"]:
            issues.append(error("offtake-above-capacity", f"min_offtake {v['min_offtake']:g} is "
                                f"above the capacity {v['capacity']:g}", **row.where("min_offtake"),
                                value=v["min_offtake"], expected="at most the capacity"))
        tiers[(v.get("supplier"), v.get("material"), v.get("period"))].append(row)
    for rows in tiers.values():
        ordered = sorted((r for r in rows if r.values.get("price") is not None),
                         key=lambda r: r.values.get("tier") or 1)
        for lower, higher in pairwise(ordered):
            if higher.values["price"] < lower.values["price"]:
                issues.append(warning(
                    "tier-price-decreasing", f"tier {higher.values['tier']} is cheaper than tier "
                    f"{lower.values['tier']} (row {lower.row}); tiers are bought cheapest first, "
                    "so their order has no effect", **higher.where("price"),
                    value=higher.values["price"]))


def _check_stockpile(tables: Tables, issues: list[Issue]) -> None:
    for row in tables[SheetName.STOCKPILE]:
        lo, hi = row.values.get("min_level"), row.values.get("max_level")
        if lo is not None and hi is not None and lo > hi:
            issues.append(error("level-min-above-max", f"min_level {lo:g} is above max_level "
                                f"{hi:g}", **row.where("min_level"), value=lo,
                                expected="at most max_level"))


def _check_policies(tables: Tables, issues: list[Issue]) -> None:
    options = {
        "max_supplier_share": ("supplier", tables.names(SheetName.SUPPLIERS, "supplier")),
        "max_country_share": ("country", _countries(tables, origin=False)),
        "max_origin_share": ("country of origin", _countries(tables, origin=True)),
    }
    for row in tables[SheetName.POLICIES]:
        kind, target = row.values.get("kind"), row.values.get("target")
        if kind not in options or target in (None, STAR):
            continue
        what, known = options[kind]
        if target not in known:
            issues.append(error("share-target-unknown", f"target {target!r} is not a {what} of "
                                f"any supplier{suggest(target, known)}", **row.where("target"),
                                value=target, expected=f"a {what} from Suppliers or *"))


def _check_sharing(tables: Tables, issues: list[Issue]) -> None:
    for row in tables[SheetName.SHARING]:
        if row.values.get("from") is not None and row.values.get("from") == row.values.get("to"):
            issues.append(error("sharing-self", "a partner cannot share stock with itself",
                                **row.where("to"), value=row.values["to"]))


def _check_disruptions(tables: Tables, issues: list[Issue]) -> None:
    order: dict[str | None, int] = {
        p: i for i, p in enumerate(tables.names(SheetName.PERIODS, "period"))}
    places = set(_countries(tables, False)) | set(_countries(tables, True))
    probability: dict[str, tuple[float, Row]] = {}
    for row in tables[SheetName.DISRUPTIONS]:
        v = row.values
        if (v.get("supplier") is None) == (v.get("country") is None):
            issues.append(error("disruption-target", "give exactly one of supplier and country",
                                **row.where("supplier" if v.get("supplier") else "country"),
                                value=v.get("supplier") or v.get("country")))
        elif v.get("country") is not None and v["country"] not in places:
            issues.append(error("ref-unknown", f"country {v['country']!r} is not the country or "
                                f"origin of any supplier{suggest(v['country'], sorted(places))}",
                                **row.where("country"), value=v["country"]))
        start, end = order.get(v.get("start")), order.get(v.get("end"))
        if start is not None and end is not None and end < start:
            issues.append(error("disruption-period-order", f"end {v['end']} is before start "
                                f"{v['start']}", **row.where("end"), value=v["end"]))
        name, p = v.get("scenario"), v.get("probability")
        if name is None or p is None:
            continue
        if name in probability and abs(probability[name][0] - p) > 1e-12:
            issues.append(error(
                "probability-inconsistent", f"scenario {name!r} has probability "
                f"{probability[name][0]:g} in row {probability[name][1].row}", **row.where(
                    "probability"), value=p, expected=f"{probability[name][0]:g}"))
        probability.setdefault(name, (p, row))
    total = sum(p for p, _ in probability.values())
    if total > 1 + 1e-9:
        last = list(probability.values())[-1][1]
        issues.append(error("probability-sum", f"disruption probabilities add up to {total:g}",
                            **last.where("probability"), value=total, expected="at most 1"))


def _check_demand(tables: Tables, issues: list[Issue]) -> None:
    if SheetName.DEMAND in tables.rows and tables[SheetName.DEMAND] and not any(
            (r.values.get("demand") or 0) > 0 for r in tables[SheetName.DEMAND]):
        issues.append(warning("no-demand", "every demand is zero: there is nothing to plan",
                              sheet=SheetName.DEMAND))
