"""Rules across rows and sheets: duplicates, references, and consistency of the data.

These run on typed :class:`~optimizer.workbook.cells.Tables`, for the base workbook and again
for every strategy's overridden tables, so a strategy that breaks a reference is caught
like a base workbook that does.

:func:`check_plausible` then warns about valid values far outside what the rest of the
workbook makes possible (a demand no offer could ever meet, a budget that buys nothing),
which are most often a typo: it reads the workbook as the formulation will, so it runs on
a base workbook without errors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from itertools import accumulate, pairwise

from models.data import COALITION, ScenarioData
from models.index import build_index
from optimizer.errors import Issue, as_typed, error, warning
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.fields import STAR, label
from optimizer.workbook.processing_rules import check_processing
from optimizer.workbook.read import suggest
from optimizer.workbook.scenario_data import (
    expand_periods,
    facility_countries,
    partners,
    signers,
)
from optimizer.workbook.schema import SHEET_BY_NAME, SHEETS, SheetName


def check_tables(tables: Tables) -> list[Issue]:
    return checked_tables(tables).issues


@dataclass(frozen=True)
class Checked:
    """The issues each check found in some tables, and the sheets each one looked at."""

    found: tuple[tuple[tuple[Issue, ...], frozenset[str]], ...]  # per check, in CHECKS order

    @property
    def issues(self) -> list[Issue]:
        return [i for issues, _ in self.found for i in issues]


def checked_tables(tables: Tables, like: Checked | None = None,
                   changed: Collection[str] = ()) -> Checked:
    """Every check of ``tables``. With ``like``, the checks of tables that differ from
    these only on the sheets ``changed`` (a strategy's or a sweep point's overrides): a
    check that looked at none of those sheets finds what it found there, so it is not run
    again. Sound because a check is a function of the sheets it reads: up to its first
    look at a changed sheet it reads what it read before, so it takes the same path and
    looks at that sheet there too. At the medium benchmark size the checks took about
    0.6 s a sweep point, most of it rules over sheets the point does not change."""
    found = []
    for k, check in enumerate(CHECKS):
        if like is not None:
            issues, seen = like.found[k]
            if ANY_SHEET not in seen and seen.isdisjoint(changed):
                found.append((issues, seen))
                continue
        looked: set[str] = set()
        out: list[Issue] = []
        check(Tables(_Looked(tables.rows, looked), tables.unreadable), out)
        found.append((tuple(out), frozenset(looked)))
    return Checked(tuple(found))


ANY_SHEET = "*"  # a check that went through every sheet


class _Looked(dict):
    """The sheets of some tables, noting which ones a check looks at (in ``looked``)."""

    def __init__(self, rows: dict[str, list[Row]], looked: set[str]):
        super().__init__(rows)
        self.looked = looked

    def __getitem__(self, sheet: str) -> list[Row]:
        self.looked.add(sheet)
        return super().__getitem__(sheet)

    def get(self, sheet: str, default: object = None) -> object:
        self.looked.add(sheet)
        return super().get(sheet, default)

    def __contains__(self, sheet: object) -> bool:
        self.looked.add(str(sheet))
        return super().__contains__(sheet)


def _looking_at_every_sheet(name: str) -> object:
    def method(self: _Looked) -> object:
        self.looked.add(ANY_SHEET)
        return getattr(dict, name)(self)
    return method


for _name in ("__iter__", "keys", "values", "items"):  # each goes through every sheet
    setattr(_Looked, _name, _looking_at_every_sheet(_name))


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
            absent = [sheet for sheet, _ in col.ref.sources if sheet not in tables.rows]
            if any(SHEET_BY_NAME[sheet].required or sheet in tables.unreadable
                   for sheet in absent) or (col.ref.names_itself
                                            and len(absent) == len(col.ref.sources)):
                # a required sheet missing or a sheet unreadable is reported once, as such;
                # without its sheet a column may name things itself (Materials `stage`)
                continue
            known = list(dict.fromkeys(name for sheet, column in col.ref.sources
                                       for name in tables.names(sheet, column)))
            allowed = set(known) | set(col.ref.also) | ({STAR} if col.ref.star else set())
            for row in tables[spec.name]:
                value = row.values.get(col.name)
                if value is None or value in allowed:
                    continue
                none = " (the workbook has no such sheet)" if len(absent) == len(
                    col.ref.sources) else ""
                issues.append(error(
                    "ref-unknown", f"{col.name} {value!r} is not on the "
                    f"{col.ref.sheets_text()} sheet{none}{suggest(str(value), known)}",
                    **row.where(col.name), value=value, expected=col.expected()))


def _countries(tables: Tables, origin: bool) -> list[str]:
    out = []
    for row in tables[SheetName.SUPPLIERS]:
        country = row.values.get("country")
        place = (row.values.get("origin") or country) if origin else country
        if place and place not in out:
            out.append(place)
    return out


def _check_deals(tables: Tables, issues: list[Issue]) -> None:
    """A deal has offers of its own supplier (Supply rows, or the Processing rows of the
    facility it finances); one supplier's offer of a material in a period is either all
    one deal's or all ordinary (SPEC 3.1); who may sign it is known."""
    deals = {r.values["deal"]: r for r in tables[SheetName.DEALS] if r.values.get("deal")}
    known = tables.names(SheetName.BUYERS, "buyer")
    for row in deals.values():
        named = signers(row.values.get("signable_by"))  # read as the scenario reads it
        if named is not None and named != (COALITION,):
            for who in [n for n in named if n not in known]:
                issues.append(error(
                    "ref-unknown", f"signable_by names {who!r}, which is not on the Buyers "
                    f"sheet{suggest(who, known)}", **row.where("signable_by"),
                    value=row.values["signable_by"], expected="partners from the Buyers "
                    "sheet separated by commas, coalition, or blank for anyone"))
    offered: dict[str, int] = defaultdict(int)
    kinds: dict[tuple, dict[object, Row]] = defaultdict(dict)
    labels = tables.names(SheetName.PERIODS, "period")
    complete = [r for r in tables[SheetName.SUPPLY] if r.values.get("period") in (*labels, STAR)
                and r.values.get("supplier") and r.values.get("material")]
    # offers mix only where some row names a deal (expanding the sheet costs seconds at large)
    for t, row in expand_periods(complete, ("supplier", "material", "tier"), labels) \
            if any(r.values.get("deal") for r in complete) else ():
        kinds[(row.values["supplier"], row.values["material"], t)].setdefault(
            row.values.get("deal"), row)
    for sheet, who in ((SheetName.SUPPLY, "supplier"), (SheetName.PROCESSING, "facility")):
        for row in tables[sheet]:
            v = row.values
            deal = deals.get(v.get("deal"))
            if deal is None:
                continue
            offered[v["deal"]] += 1
            if v.get(who) != deal.values.get("supplier"):
                issues.append(error(
                    "deal-supplier-mismatch", f"deal {v['deal']!r} is offered by "
                    f"{deal.values.get('supplier')!r} (Deals row {deal.row}), not by "
                    f"{v.get(who)!r}", **row.where("deal"), value=v["deal"],
                    expected=f"a deal of {v.get(who)!r}"))
    for (s, mat, t), by_deal in kinds.items():
        if len(by_deal) > 1:
            first, *others = sorted(by_deal.values(), key=lambda r: r.row or 0)
            what = ", ".join(f"row {r.row}: {r.values.get('deal') or 'ordinary'}"
                             for r in (first, *others))
            issues.append(error(
                "deal-mixed-offers", f"{s}'s {mat} in {t} mixes deal and ordinary rows or "
                f"two deals ({what}): a deal's offer is its own", **others[0].where("deal"),
                value=others[0].values.get("deal")))
    for name, row in deals.items():
        if not offered[name]:
            issues.append(error(
                "deal-without-offers", f"deal {name!r} has no offers: no Supply or "
                "Processing row names it in its deal column", **row.where("deal"), value=name,
                expected="Supply or Processing rows with this deal"))


def _check_discounts(tables: Tables, issues: list[Issue]) -> None:
    """SPEC 3.1's precise rules on discount schedules: an offer to discount, of one tier;
    breaks rising and prices falling below the Supply price; one basis and type per
    supplier and material; with basis horizon, the same breaks in every period."""
    if not tables[SheetName.DISCOUNTS]:
        return  # nothing to check, and expanding the Supply sheet costs seconds at large
    labels = tables.names(SheetName.PERIODS, "period")
    complete = [r for r in tables[SheetName.SUPPLY] if r.values.get("period") in (*labels, STAR)
                and r.values.get("supplier") and r.values.get("material")]
    tiers: dict[tuple, list[Row]] = defaultdict(list)
    for t, row in expand_periods(complete, ("supplier", "material", "tier"), labels):
        tiers[(row.values["supplier"], row.values["material"], t)].append(row)
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in tables[SheetName.DISCOUNTS]:
        v = row.values
        if v.get("supplier") and v.get("material") and v.get("period") in (*labels, STAR):
            groups[(v["supplier"], v["material"])].append(row)
    for (s, mat), rows in groups.items():
        for col in ("basis", "type"):
            kinds = {r.values.get(col) for r in rows}
            if len(kinds) > 1:
                issues.append(error(
                    "discount-inconsistent", f"{s}'s {mat} discounts mix {col}s "
                    f"{', '.join(sorted(map(str, kinds)))}: one {col} per supplier and material",
                    **rows[-1].where(col), value=rows[-1].values.get(col)))
        schedules: dict[str, list[Row]] = {}
        unoffered: dict[int, tuple[Row, list[str]]] = {}  # one issue per Discounts row
        rising: set[int] = set()
        for t in labels:
            own = [r for r in rows if r.values.get("period") == t] or [
                r for r in rows if r.values.get("period") == STAR]
            if not own:
                continue
            if (s, mat, t) not in tiers:
                unoffered.setdefault(id(own[0]), (own[0], []))[1].append(t)
                continue
            if len(tiers[(s, mat, t)]) > 1:
                issues.append(error(
                    "discount-on-tiers", f"{s}'s {mat} offer in {t} has "
                    f"{len(tiers[(s, mat, t)])} tiers: a discounted offer has one (its price "
                    "below the first break)", **own[0].where("supplier"), value=s))
                continue
            schedules[t] = sorted(own, key=lambda r: r.values.get("from_quantity") or 0.0)
            price = tiers[(s, mat, t)][0].values.get("price")
            previous = price
            for r in schedules[t]:
                p = r.values.get("price")
                if p is not None and previous is not None and p >= previous \
                        and id(r) not in rising:
                    rising.add(id(r))
                    issues.append(error(
                        "discount-not-falling", f"from {as_typed(r.values['from_quantity'])} "
                        f"the price {as_typed(p)} is not below {as_typed(previous)} (the "
                        "Supply price or the break before): prices fall as the breaks rise",
                        **r.where("price"), value=p))
                previous = p
        for row, missing in unoffered.values():
            issues.append(error(
                "discount-without-offer", f"{s} offers no {mat} in {', '.join(missing)} "
                "(Supply sheet): there is nothing to discount", **row.where("period"),
                value=row.values.get("period")))
        if rows[0].values.get("basis") == "horizon" and len(
                {tuple(r.values.get("from_quantity") for r in sch)
                 for sch in schedules.values()}) > 1:
            issues.append(error(
                "discount-inconsistent", f"{s}'s {mat} discounts have basis horizon but "
                "different breaks in different periods: one bracket holds for the whole "
                "horizon, so every period needs the same breaks", **rows[-1].where(
                    "from_quantity"), value=rows[-1].values.get("from_quantity")))


def _check_supply(tables: Tables, issues: list[Issue]) -> None:
    tiers: dict[tuple, list[Row]] = defaultdict(list)
    for row in tables[SheetName.SUPPLY]:
        v = row.values
        if v.get("min_offtake") is not None and v.get("capacity") is not None \
                and v["min_offtake"] > v["capacity"]:
            issues.append(error("offtake-above-capacity",
                                f"min_offtake {as_typed(v['min_offtake'])} is above the "
                                f"capacity {as_typed(v['capacity'])}", **row.where("min_offtake"),
                                value=v["min_offtake"], expected="at most the capacity"))
        tiers[(v.get("supplier"), v.get("material"), v.get("period"))].append(row)
        named = partners(v.get("buyers"))
        known = tables.names(SheetName.BUYERS, "buyer")
        for name in [n for n in named or () if n not in known]:
            issues.append(error("ref-unknown", f"buyers names {name!r}, which is not on the "
                                f"Buyers sheet{suggest(name, known)}", **row.where("buyers"),
                                value=v["buyers"], expected="partners from the Buyers sheet, "
                                "separated by commas, or * for every partner"))
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
            issues.append(error("level-min-above-max", f"min_level {as_typed(lo)} is above "
                                f"max_level {as_typed(hi)}", **row.where("min_level"), value=lo,
                                expected="at most max_level"))


def _check_policies(tables: Tables, issues: list[Issue]) -> None:
    facilities = facility_countries(tables)
    options = {
        "max_supplier_share": ("supplier", tables.names(SheetName.SUPPLIERS, "supplier")),
        "max_country_share": ("country", _countries(tables, origin=False)),
        "max_origin_share": ("country of origin", _countries(tables, origin=True)),
    }
    # at a stage each facility is a source and its country a place of processing too
    # (SPEC 3.2 family 16); origin caps count purchases only
    made = {"max_supplier_share": list(facilities),
            "max_country_share": list(facilities.values()), "max_origin_share": []}
    if SheetName.SUPPLIERS not in tables.rows:
        return  # missing or unreadable: already reported
    for row in tables[SheetName.POLICIES]:
        kind, target = row.values.get("kind"), row.values.get("target")
        if kind not in options or target in (None, STAR):
            continue
        what, known = options[kind]
        staged = row.values.get("stage") is not None
        sources = known + made[kind] if staged else known
        if target in sources:
            continue
        hint = (": a facility counts only in a cap at a stage (give the cap a stage)"
                if target in made[kind] else suggest(target, sources))
        who, sheets = (("supplier or facility", "Suppliers or Processing")
                       if staged and made[kind] else ("supplier", "Suppliers"))
        issues.append(error("share-target-unknown", f"target {target!r} is not a {what} of "
                            f"any {who}{hint}", **row.where("target"), value=target,
                            expected=f"a {what} from {sheets} or *"))


def _check_sharing(tables: Tables, issues: list[Issue]) -> None:
    for row in tables[SheetName.SHARING]:
        if row.values.get("from") is not None and row.values.get("from") == row.values.get("to"):
            issues.append(error("sharing-self", "a partner cannot share stock with itself",
                                **row.where("to"), value=row.values["to"]))


def _check_disruptions(tables: Tables, issues: list[Issue]) -> None:
    order: dict[str | None, int] = {
        p: i for i, p in enumerate(tables.names(SheetName.PERIODS, "period"))}
    plants = set(facility_countries(tables).values())
    places = set(_countries(tables, False)) | set(_countries(tables, True)) | plants
    probability: dict[str, tuple[float, Row]] = {}
    for row in tables[SheetName.DISRUPTIONS]:
        v = row.values
        if (v.get("supplier") is None) == (v.get("country") is None):
            issues.append(error("disruption-target", "give exactly one of supplier and country",
                                **row.where("supplier" if v.get("supplier") else "country"),
                                value=v.get("supplier") or v.get("country")))
        elif v.get("country") is not None and v["country"] not in places \
                and SheetName.SUPPLIERS in tables.rows:
            issues.append(error("ref-unknown", f"country {v['country']!r} is not the country or "
                                f"origin of any supplier{' or facility' if plants else ''}"
                                f"{suggest(v['country'], sorted(places))}",
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
                f"{as_typed(probability[name][0])} in row {probability[name][1].row}",
                **row.where("probability"), value=p,
                expected=as_typed(probability[name][0])))
        probability.setdefault(name, (p, row))
    total = sum(p for p, _ in probability.values())
    if total > 1 + 1e-9:
        last = list(probability.values())[-1][1]
        issues.append(error("probability-sum", "disruption probabilities add up to "
                            f"{as_typed(total)}",
                            **last.where("probability"), value=total, expected="at most 1"))


def _check_demand(tables: Tables, issues: list[Issue]) -> None:
    if SheetName.DEMAND in tables.rows and tables[SheetName.DEMAND] and not any(
            (r.values.get("demand") or 0) > 0 for r in tables[SheetName.DEMAND]):
        issues.append(warning("no-demand", "every demand is zero: there is nothing to plan",
                              sheet=SheetName.DEMAND))


def check_plausible(tables: Tables, data: ScenarioData) -> list[Issue]:
    """Warnings for valid values far outside what the rest of the workbook makes possible.

    ``tables`` must hold no errors; ``data`` is the scenario built from them, as the
    formulation will see it.
    """
    issues: list[Issue] = []
    _check_demand_beyond_supply(tables, data, issues)
    _check_budgets_buy_something(tables, data, issues)
    return issues


def _rows_of(tables: Tables, sheet: str, records: list) -> list[tuple[Row, list]]:
    """The workbook row behind each record (``src`` and period), with its records in
    period order: a `*` row stands behind every period it was not overridden in."""
    at = {(r.src, r.values.get("period")): r for r in tables[sheet]}
    out: dict[int, tuple[Row, list]] = {}
    for record in records:
        row = at.get((record.src, record.period)) or at[(record.src, STAR)]
        out.setdefault(id(row), (row, []))[1].append(record)
    return list(out.values())


def _check_demand_beyond_supply(tables: Tables, data: ScenarioData,
                                issues: list[Issue]) -> None:
    """A demand above all of its material that could be anywhere by its period: every
    offer up to then, of every supplier and tier, bought and delivered at once, plus every
    partner's initial stock. Lead times, closed routes, inactive suppliers and the other
    partners' needs only lower what can be had, so such a demand is short whatever the
    plan: most often a typo (10,000,000 for 10,000). What facilities can make of it, by
    their capacity, counts too (the inputs they would need only lower it further)."""
    order = {p.label: i for i, p in enumerate(data.periods)}
    unit = data.settings.unit
    stock: dict[str, float] = defaultdict(float)
    for held in data.initial_stock:
        stock[held.material] += held.quantity
    offered: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(order))
    for offer in data.offers:
        offered[offer.material][order[offer.period]] += offer.capacity
    made = {r.output for r in data.recipes}
    for recipe in data.recipes:
        done = order[recipe.period] + recipe.lead_time
        if done < len(order):  # processing that would finish after the horizon never starts
            offered[recipe.output][done] += recipe.capacity
    by_then = {m: list(accumulate(q)) for m, q in offered.items()}
    for row, demands in _rows_of(tables, SheetName.DEMAND, list(data.demand)):
        beyond = [d for d in demands if d.quantity > stock[d.material] + by_then.get(
            d.material, [0.0] * len(order))[order[d.period]]]
        if not beyond:
            continue
        d = beyond[0]
        supply = by_then.get(d.material, [0.0] * len(order))[order[d.period]]
        most = supply + stock[d.material]
        later = f" (and in {len(beyond) - 1} later period(s))" if len(beyond) > 1 else ""
        sources = ("all suppliers and tiers together, and every facility's capacity to make "
                   "it" if d.material in made else "all suppliers and tiers together")
        issues.append(warning(
            "demand-beyond-supply",
            f"{d.buyer} needs {_amount(d.quantity)} {unit} of {d.material} in {d.period}"
            f"{later}, more than all of it that could be there by then: every offer up to "
            f"{d.period}, {sources} ({_amount(supply)} {unit}), plus all "
            f"initial stock ({_amount(stock[d.material])} {unit}); at least "
            f"{_amount(d.quantity - most)} {unit} will be short whatever the plan",
            **row.where("demand"), value=row.values.get("demand"),
            expected=f"at most {_amount(most)} {unit}"))


def _check_budgets_buy_something(tables: Tables, data: ScenarioData,
                                 issues: list[Issue]) -> None:
    """A budget below the landed unit price (price, tariff and freight) of everything its
    buyer can order in the period: it buys less than one unit, most often a budget typed
    in millions or thousands of the currency."""
    if not data.budgets:
        return  # nothing to check, and the index costs about a second at large
    ix = build_index(data)
    cheapest: dict[tuple[str, str], tuple[float, tuple]] = {}
    for arc in ix.arcs:
        key, unit_cost = (arc[0], arc[3]), ix.arc_cost[arc].unit
        if key not in cheapest or unit_cost < cheapest[key][0]:
            cheapest[key] = (unit_cost, arc)
    s = data.settings
    for row, budgets in _rows_of(tables, SheetName.BUDGETS, list(data.budgets)):
        short = [b for b in budgets if (b.buyer, b.period) in cheapest
                 and b.amount < cheapest[(b.buyer, b.period)][0]]
        if not short:
            continue
        b = short[0]
        price, (_, supplier, material, _, _) = cheapest[(b.buyer, b.period)]
        later = f" (and in {len(short) - 1} later period(s))" if len(short) > 1 else ""
        issues.append(warning(
            "budget-buys-nothing",
            f"{b.buyer}'s budget of {_amount(b.amount)} {s.currency} in {b.period}{later} buys "
            f"less than one {s.unit} of anything {b.buyer} can order then: the cheapest is "
            f"{material} from {supplier} at {_amount(price)} {s.currency}/{s.unit} landed "
            "(price, tariff and freight)", **row.where("budget"),
            value=row.values.get("budget"),
            expected=f"at least {_amount(price)} {s.currency} to buy one {s.unit}"))


def _amount(x: float) -> str:
    """A computed quantity or amount: thousands separators, no trailing zeros."""
    return f"{x:,.6f}".rstrip("0").rstrip(".")


# every check of check_tables, in the order their issues are listed
CHECKS = (_check_nonempty, _check_keys, _check_refs, _check_supply, _check_deals,
          _check_discounts, _check_stockpile, _check_policies, _check_sharing,
          _check_disruptions, _check_demand, check_processing)
