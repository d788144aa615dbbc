"""Build the shipped near-term crisis scenario ``scenarios/japan-eu-crisis-2026.xlsx``.

The base scenario's suppliers, prices, recipes and demand (``build_japan_eu_2030.py``),
seen quarter by quarter over 2026-2028, with what a planner fears now: Chinese export
licences for Dy and Tb taking a quarter, shipping from Asia to Europe taking one, stocks
as they stand today, and the disruptions of 2025-26 coming back (licences frozen, the
October 2025 measures on magnets returning after their suspension ends on 10 Nov 2026,
China's January 2026 ban on Japan widening). Every figure is the base scenario's unless
the tables below say otherwise; annual capacities, demand, holding costs and sharing
limits are divided by four (a year's figure spread evenly over its quarters).

Deals are left out: financing a plant is a decade's decision, and a crisis plan buys what
exists. Caremag's Dy and Tb appear as the term contract JOGMEC and Iwatani already hold
(Japan only); the CRMA cap, a benchmark for 2030, is not applied.

Run from anywhere (the output lands beside this script unless a path is given)::

    python scenarios/build_japan_eu_crisis_2026.py [OUTPUT.xlsx]
"""

from __future__ import annotations

import math
import runpy
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

OUTPUT = HERE / "japan-eu-crisis-2026.xlsx"
# the base scenario's tables and helpers, read from its build script (not a package)
B = runpy.run_path(str(HERE / "build_japan_eu_2030.py"), run_name="japan_eu_2030")
NDPR, DY, TB, METAL, MAGNET = B["NDPR"], B["DY"], B["TB"], B["METAL"], B["MAGNET"]
ASSUMPTION = B["ASSUMPTION"]
CHINA, CHINA_MM, LYNAS = B["CHINA"], B["CHINA_MM"], B["LYNAS"]

# --------------------------------------------------------------------------- periods
YEARS = (2026, 2027, 2028)
PERIODS = [f"{y}-Q{q}" for y in YEARS for q in range(1, 5)]


def days(label: str) -> int:
    year, q = int(label[:4]), int(label[-1])
    leap = year % 4 == 0
    return (90 + leap, 91, 92, 92)[q - 1]


def year_of(label: str) -> int:
    return int(label[:4])


QUARTER = 4  # quarters a year: annual figures are divided by it
ANNUAL_RATE = 0.03
RATE = round((1 + ANNUAL_RATE) ** (1 / QUARTER) - 1, 6)  # the base's 3 % a year, per quarter

# --------------------------------------------------------------------------- Suppliers
# China's Dy and Tb need an export licence (45 working days, about a quarter), its NdPr,
# metal and magnets do not (today): the licensed oxides are a supplier of their own, so
# that their route can carry the licence's delay
CHINA_HRE = "China refiners (Dy/Tb, licensed)"
LICENCE_SOURCE = ("MOFCOM licensing since 4 Apr 2025: 'export permits ... can take about 45 "
                  "working days' (https://mexicobusiness.news/trade-and-investment/news/"
                  "chinas-rare-earth-export-permits-may-take-45-days); in practice 1-1.5 "
                  "months per shipment (https://mugglehead.com/?p=1437173)")
EUROPE = {B["SILMET"], B["SOLVAY"], B["CAREMAG"], B["EU_REC"]}
AMERICAS = {B["MP"], B["SERRA"]}


def suppliers() -> list[tuple]:
    out = []
    for row in B["SUPPLIERS"]:
        if row[0] == CHINA:
            out.append(row)
            out.append((CHINA_HRE, "China", None, "Chinese separators' Dy and Tb from "
                        "domestic ore, under export licence", LICENCE_SOURCE,
                        "The base scenario's China refiners' Dy and Tb rows, split off so "
                        "that the licence's delay can sit on their route"))
        else:
            out.append(row)
    return out


# --------------------------------------------------------------------------- Routes
# lead time in whole quarters (SPEC 4.8): sea freight Asia-Europe takes 5-7 weeks with
# customs, a quarter on this grid (assumed); a Dy/Tb licence takes another; Serra Verde's
# concentrate is toll-separated first (as in the base scenario, a year there)
def lead_time(supplier: str, buyer: str) -> tuple[int, str]:
    if supplier in (CHINA_HRE, CHINA_MM):
        return (1, "licence") if buyer == "Japan" else (2, "licence and sea freight")
    if supplier == B["SERRA"]:
        return 2, "toll separation and sea freight"
    home = "EU" if supplier in EUROPE else "Japan" if supplier not in AMERICAS else None
    if buyer == home:
        return 0, "delivered within the quarter"
    return 1, "sea freight between Asia, Europe and the Americas"


def freight(supplier: str, buyer: str) -> float:
    source = CHINA if supplier == CHINA_HRE else supplier
    return B["FREIGHT"][source][B["BUYER_NAMES"].index(buyer)]


# --------------------------------------------------------------------------- Supply
def quarterly(values: Any) -> Any:
    """An annual figure (a number, or a list from 2026 on) as a quarter's, period by
    period: None and numbers stay plain, a ramp becomes one value per quarter."""
    if values is None:
        return None
    if not isinstance(values, list):
        return values / QUARTER
    return [values[min(YEARS.index(year_of(p)), len(values) - 1)] / QUARTER
            for p in PERIODS]


JOGMEC_CONTRACT = {DY: 250, TB: 45}  # t/yr from 2027 (CAREMAG_JOGMEC)


def supply() -> list[tuple]:
    """The base scenario's Supply tuples, quarterly; China's Dy and Tb under the licensed
    supplier; Caremag's Dy and Tb as JOGMEC's contract instead of the deal."""
    out = []
    for supplier, material, tier, capacity, price, least, source, note in B["SUPPLY"]:
        if supplier == B["CAREMAG"] and material in JOGMEC_CONTRACT:
            volume = JOGMEC_CONTRACT[material]
            out.append((supplier, material, tier, quarterly([0, volume]), price, None,
                        B["CAREMAG_JOGMEC"],
                        f"JOGMEC and Iwatani's term contract, {volume} t a year from 2027 "
                        "(Japan only); the rest of the plant's output would need the "
                        "base scenario's deal, left out of a three-year crisis plan. "
                        "Price as in the base scenario"))
            continue
        if supplier == CHINA and material in (DY, TB):
            supplier = CHINA_HRE
        out.append((supplier, material, tier, quarterly(capacity), price, quarterly(least),
                    source, note + ("; a year's figure / 4 a quarter"
                                    if capacity or least else "")))
    return out


SUPPLY = supply()
JAPAN_ONLY = B["JAPAN_ONLY"] | {(B["CAREMAG"], DY, 1), (B["CAREMAG"], TB, 1)}


def supply_records() -> list[dict[str, Any]]:
    """The base's Supply rows from the quarterly tables; no offer belongs to a deal here."""
    return B["supply_records"](SUPPLY, PERIODS, JAPAN_ONLY, {})


# --------------------------------------------------------------------------- Demand
# buyer, material, first quarter's demand, growth a year, source, note: the base rows
DEMAND = [(b, m, base / QUARTER, g, src, note + "; a year's demand / 4 a quarter")
          for b, m, base, g, src, note in B["DEMAND"]]


def demand(base: float, growth: float, period: str) -> float:
    """A quarter's demand: the first quarter's, grown once a year as in the base."""
    return round(base * (1 + growth) ** (year_of(period) - YEARS[0]), 1)


# --------------------------------------------------------------------------- Stockpile
# stock today (1 Jan 2026): the base scenario's levels, plus what is already on its way
# for the routes that take a quarter or two, so the first quarters are not short only
# because orders placed in 2025 are outside the model
IN_TRANSIT_DAYS = {("EU", NDPR): 91, ("EU", DY): 182, ("EU", TB): 182, ("EU", MAGNET): 91,
                   ("Japan", DY): 91, ("Japan", TB): 91}


def stockpile_records() -> list[dict[str, Any]]:
    out = []
    for rec in B["stockpile_records"]():
        rec = dict(rec)
        key = (rec["buyer"], rec["material"])
        if rec.get("holding_cost") is not None:
            rec["holding_cost"] = rec["holding_cost"] / QUARTER
        if rec["period"] != "*":  # the base's build-up years: every quarter of that year
            for period in PERIODS:
                if year_of(period) == rec["period"]:
                    out.append({**rec, "period": period})
            continue
        transit = IN_TRANSIT_DAYS.get(key, 0)
        if transit and rec.get("initial") is not None:
            base_demand = next(d for b, m, d, *_ in B["DEMAND"] if (b, m) == key)
            rec["initial"] = rec["initial"] + math.ceil(transit * base_demand / B["DAYS"])
            rec["note"] = (rec["note"] + f". Initial also holds {transit} days of deliveries "
                           "already in transit on 1 Jan 2026 (the route's lead time)")
        rec["note"] = rec["note"] + "; holding cost a quarter (a year's / 4)"
        out.append(rec)
    return out


# --------------------------------------------------------------------------- Strategies
# the base scenario's strategies that make sense over three years: no CRMA cap (a 2030
# benchmark), no plant deal, no China-free world
STRATEGIES = [row for row in B["STRATEGIES"]
              if row[0] in ("joint", "pro-rata", "sequential", "stock-90d", "robust")]

# --------------------------------------------------------------------------- Disruptions
SCMP_MAGNETS = ("SCMP / WSJ: China's magnet exports -74 % y/y in May 2025 (1,238 t) after the "
                "April controls (https://www.automotiveworld.com/news/chinese-rare-earth-"
                "exports-collapsed-74-yoy-in-may/); the October 2025 measures (Nos. 55-58, "
                "61, 62) suspended until 10 Nov 2026 (https://rawmaterials.net/china-"
                "officially-suspends-october-export-tightening)")
MAY_2025 = ("Dy and Tb exports fell to zero in May 2025 (https://rawmaterials.net/rare-earths-"
            "chinese-exports-of-terbium-and-dysprosium-plummet-to-zero-in-may/)")
HRE_SPIKE = B["HRE_SPIKE"]


def outside(scenario: str, p: float, material: str, start: str, end: str, factor: float,
            note: str, buyer: str | None = None) -> list[tuple]:
    return [(scenario, p, None, country, material, start, end, 1.0, factor,
             B["BENCHMARK_JUL_2025"], note, buyer) for country in B["OUTSIDE_CHINA"]]


DISRUPTIONS = [
    ("licence-freeze", 0.20, None, "China", DY, "2026-Q3", "2026-Q4", 0.0, 3.0, MAY_2025,
     "Dy and Tb licences frozen for two quarters, as in May 2025 (zero exported); price x3 "
     "for what is found later (probability assumed)"),
    ("licence-freeze", 0.20, None, "China", TB, "2026-Q3", "2026-Q4", 0.0, 3.0, MAY_2025,
     "As for Dy"),
    *outside("licence-freeze", 0.20, DY, "2026-Q3", "2026-Q4", 2.0, HRE_SPIKE),
    *outside("licence-freeze", 0.20, TB, "2026-Q3", "2026-Q4", 2.0, HRE_SPIKE),
    ("october-measures-return", 0.25, None, "China", MAGNET, "2026-Q4", "2027-Q2", 0.26,
     1.5, SCMP_MAGNETS, "The October 2025 measures back when their suspension ends (10 Nov "
     "2026): magnets shipped fall by 74 % for three quarters, as in May 2025; price x1.5 "
     "(assumed); probability assumed"),
    ("october-measures-return", 0.25, None, "China", DY, "2026-Q4", "2027-Q2", 0.3, 3.0,
     SCMP_MAGNETS, "Heavy rare earths held back with the magnets (assumed)"),
    ("october-measures-return", 0.25, None, "China", TB, "2026-Q4", "2027-Q2", 0.3, 3.0,
     SCMP_MAGNETS, "As for Dy"),
    *outside("october-measures-return", 0.25, MAGNET, "2026-Q4", "2027-Q2", 1.3,
             "Magnets made outside China dearer (assumed)"),
    ("japan-ban-widens", 0.20, None, "China", "*", "2026-Q2", "2026-Q4", 0.2, 3.0,
     B["JAPAN_BAN_2026"], "China's January 2026 dual-use ban on Japan widened to all "
     "rare earths for three quarters: 20 % still shipped to Japan (assumed), the EU's "
     "Chinese supply untouched, so it may pass stock on through Sharing", "Japan"),
    *outside("japan-ban-widens", 0.20, "*", "2026-Q2", "2026-Q4", 1.5,
             "Japan bidding for what is left outside China pays x1.5 (assumed)", "Japan"),
    ("lynas-outage", 0.05, LYNAS, None, "*", "2027-Q3", "2027-Q4", 0.3, 1.2,
     B["LYNAS_CAPACITY"], "Two quarters at 30 % in Malaysia (licence dispute or plant "
     "failure); factors assumed"),
    ("myanmar-outage", 0.10, None, "Myanmar", "*", "2027-Q1", "2027-Q4", 0.2, 1.5,
     B["USGS_BURMA"], "Conflict in Kachin stops most ore shipments to China for a year; "
     "price factor assumed"),
]

# --------------------------------------------------------------------------- Settings
SETTINGS = [
    ("name", "Japan-EU rare-earth crisis plan 2026-2028 (quarterly)", "",
     "Shipped near-term scenario; rebuild with scenarios/build_japan_eu_crisis_2026.py"),
    ("unit", "t", "", "Tonnes of each material as bought: oxide, metal or magnet"),
    ("currency", "USD", "", "Prices in USD/t, as in the base scenario"),
    ("coordination", "joint", "", "One plan for both partners"),
    ("discount_rate", RATE, ASSUMPTION, f"The base scenario's 3 % a year per quarter: "
     f"1.03^(1/4) - 1 = {RATE}"),
    ("closing_stock_value", 1, ASSUMPTION, "Stock left at the end of 2028 credited at the "
     "lowest price any partner could buy it for then (SPEC 3.1)"),
    ("robust", "no", "", "Deterministic plan; strategy robust plans against the "
     "Disruptions sheet"),
]


# --------------------------------------------------------------------------- writing
def records() -> dict[str, tuple[list[Any], list[dict[Any, Any]]]]:
    header = B["header"]
    sheets: dict[str, tuple[list[Any], list[dict[Any, Any]]]] = {}
    sheets["Settings"] = (header("Settings"), [
        {"setting": s, "value": v, "source": src, "note": note}
        for s, v, src, note in SETTINGS])
    sheets["Periods"] = (header("Periods"), [
        {"period": p, "days": days(p), "note": "Calendar quarter"} for p in PERIODS])
    base = B["records"]()
    for name in ("Stages", "Materials", "Buyers"):
        sheets[name] = base[name]
    sheets["Suppliers"] = (header("Suppliers"), [
        {"supplier": s, "country": c, "origin": o, "active": "yes", "description": d,
         "source": src, "note": note} for s, c, o, d, src, note in suppliers()])
    sheets["Supply"] = (header("Supply"), supply_records())
    sheets["Discounts"] = (header("Discounts"), [
        {**rec, "note": rec["note"] + ". Yearly volumes / 4 a quarter",
         "from_quantity": rec["from_quantity"] / QUARTER} for rec in base["Discounts"][1]])
    wide = header("Demand", middle=list(PERIODS))
    sheets["Demand"] = (wide, [
        {"buyer": b, "material": m, **{p: demand(q, g, p) for p in PERIODS},
         "source": src, "note": note} for b, m, q, g, src, note in DEMAND])
    sheets["Processing"] = (header("Processing"), processing_records())
    sheets["Routes"] = (header("Routes"), [
        {"supplier": s[0], "buyer": b, "freight": freight(s[0], b), "tariff": 0,
         "lead_time": lead_time(s[0], b)[0], "open": "yes", "source": ASSUMPTION,
         "note": f"Lead time {lead_time(s[0], b)[0]} quarter(s): {lead_time(s[0], b)[1]} "
         "(assumed). Freight as in the base scenario. " + B["TARIFF_NOTE"]}
        for s in suppliers() for b in B["BUYER_NAMES"]])
    sheets["Stockpile"] = (header("Stockpile"), stockpile_records())
    sheets["Sharing"] = (header("Sharing"), [
        {**rec, "max": rec["max"] / QUARTER, "note": rec["note"] + "; a year's / 4"}
        for rec in base["Sharing"][1]])
    sheets["Strategies"] = B["table"]("Strategies", STRATEGIES)
    sheets["Disruptions"] = B["table"]("Disruptions", DISRUPTIONS)
    return sheets


def processing_records() -> list[dict[str, Any]]:
    """The base plants that exist without a deal, capacity a quarter, every quarter."""
    out = []
    for rec in B["processing_records"]():
        if rec["deal"]:
            continue
        year = rec["period"]
        for period in PERIODS:
            if year == "*" or year_of(period) == year:
                out.append({**rec, "period": period, "capacity": rec["capacity"] / QUARTER,
                            "note": rec["note"] + "; a year's capacity / 4 a quarter"})
    return out


def build(path: Path = OUTPUT) -> Path:
    return B["write"](path, records())


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"wrote {target}")
