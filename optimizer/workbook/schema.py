"""The scenario workbook, declared once, as data (SPEC section 4).

Every sheet and column name of the format is spelled here and nowhere else: the
reader, the validator, the template writer and the format reference in ``docs/`` all
iterate over :data:`SHEETS` and :data:`SETTINGS`. Example rows double as the template's
worked example, so they must form a valid scenario together.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from optimizer.workbook.fields import Column, Kind, Ref, Setting, Sheet


class SheetName(StrEnum):
    """Every sheet of the format, spelled once: code names a sheet as ``SheetName.SUPPLY``,
    so a misspelt name fails at import and in the type check, never at run time."""

    SETTINGS = "Settings"
    PERIODS = "Periods"
    STAGES = "Stages"
    MATERIALS = "Materials"
    BUYERS = "Buyers"
    SUPPLIERS = "Suppliers"
    SUPPLY = "Supply"
    DEMAND = "Demand"
    ROUTES = "Routes"
    STOCKPILE = "Stockpile"
    POLICIES = "Policies"
    BUDGETS = "Budgets"
    SHARING = "Sharing"
    STRATEGIES = "Strategies"
    DISRUPTIONS = "Disruptions"
    DEALS = "Deals"
    DISCOUNTS = "Discounts"
    PROCESSING = "Processing"

Q = "quantity"  # in the workbook's `unit` (default t)
MONEY = "money"  # in the workbook's `currency` (default USD)
PRICE = "money/quantity"

def _name(name: str, description: str, **kw: Any) -> Column:
    return Column(name, Kind.NAME, description, required=True, **kw)


def _qty(name: str, description: str, unit: str = Q, **kw: Any) -> Column:
    return Column(name, Kind.NUMBER, description, unit=unit, minimum=0.0, **kw)


def _ref(name: str, sheet: str, column: str, description: str, **kw: Any) -> Column:
    star = kw.pop("star", False)
    also = kw.pop("also", ())
    or_from = kw.pop("or_from", ())
    names_itself = kw.pop("names_itself", False)
    required = kw.pop("required", True)
    return Column(name, Kind.NAME, description, required=required,
                  ref=Ref(sheet, column, star=star, also=also, or_from=or_from,
                          names_itself=names_itself), **kw)


# Columns every sheet may carry: kept with the row, shown in outputs, never warned about.
ANNOTATIONS = (
    Column("source", Kind.TEXT, "Where the numbers of this row come from (publication, "
           "table, edition)."),
    Column("note", Kind.TEXT, "Assumptions or remarks about this row."),
)

PERIOD_STAR = dict(star=True)
# a facility of the Processing sheet may stand where a supplier is named (SPEC 3.2 family
# 15: a disruption or a deal naming a plant)
FACILITIES = ((SheetName.PROCESSING, "facility"),)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        SheetName.SETTINGS,
        "Scenario-wide settings, one per row. Blank or absent settings take their default.",
        (
            Column("setting", Kind.NAME, "Name of the setting (see the list below).",
                   required=True),
            Column("value", Kind.TEXT, "Its value."),
        ),
        key=("setting",),
        examples=(
            {"setting": "name", "value": "Example: Japan-EU joint purchase"},
            {"setting": "unit", "value": "t"},
            {"setting": "currency", "value": "USD"},
            {"setting": "coordination", "value": "joint"},
        ),
    ),
    Sheet(
        SheetName.PERIODS,
        "Planning periods in time order, as listed.",
        (
            _name("period", "Label of the period, e.g. 2026."),
            Column("days", Kind.NUMBER, "Length of the period in days; converts days of "
                   "cover into quantities.", default=365.0, unit="days", minimum=0.0,
                   min_exclusive=True),
        ),
        required=True,
        key=("period",),
        examples=({"period": 2026, "days": 365}, {"period": 2027, "days": 365}),
    ),
    Sheet(
        SheetName.STAGES,
        "Processing stages in order, from mine to product (e.g. concentrate, oxide, metal, "
        "magnet). Optional: without it, the stages are those of the Materials sheet in the "
        "order they first appear. A recipe's inputs are at its output's stage or an "
        "earlier one.",
        (_name("stage", "Label of the stage."),),
        key=("stage",),
        illustration=tuple({"stage": s} for s in ("oxide", "metal", "magnet")),
    ),
    Sheet(
        SheetName.MATERIALS,
        "Materials bought or made, e.g. NdPr oxide.",
        (
            _name("material", "Name of the material."),
            Column("description", Kind.TEXT, "What the material is (grade, form)."),
            Column("shortage_penalty", Kind.NUMBER, "Money per unit of this material short, "
                   "where it differs from the setting (a tonne of Tb short stops far more "
                   "magnet output than a tonne of NdPr). Blank: the setting.", unit=PRICE,
                   minimum=0.0),
            _ref("stage", SheetName.STAGES, "stage", "The processing stage the material is "
                 "at (oxide, metal, magnet...): a cap at a stage counts it, and recipes turn "
                 "materials of one stage into the same or a later one. Blank: no stage (a "
                 "workbook without stages).", required=False, names_itself=True),
        ),
        required=True,
        key=("material",),
        examples=(
            {"material": "NdPr oxide", "description": "Neodymium-praseodymium oxide, 99 %"},
            {"material": "Dy oxide", "description": "Dysprosium oxide, 99.5 %"},
        ),
        illustration=(
            {"material": "NdPr oxide", "description": "Neodymium-praseodymium oxide, 99 %",
             "stage": "oxide"},
            {"material": "Dy oxide", "description": "Dysprosium oxide, 99.5 %",
             "stage": "oxide"},
            {"material": "NdPr metal", "description": "Neodymium-praseodymium metal",
             "stage": "metal"},
            {"material": "NdFeB magnet", "description": "Sintered NdFeB permanent magnet",
             "stage": "magnet"},
        ),
    ),
    Sheet(
        SheetName.BUYERS,
        "Coalition partners. The row order is the planning order of sequential mode.",
        (
            _name("buyer", "Name of the partner."),
            Column("description", Kind.TEXT, "Who buys for this partner."),
        ),
        required=True,
        key=("buyer",),
        examples=(
            {"buyer": "Japan", "description": "JOGMEC and Japanese industry"},
            {"buyer": "EU", "description": "EU Raw Materials Platform members"},
        ),
    ),
    Sheet(
        SheetName.SUPPLIERS,
        "Sellers, each in one country.",
        (
            _name("supplier", "Name of the supplier."),
            Column("country", Kind.NAME, "Country where the supplier processes or ships the "
                   "material; diversification caps and disruptions name it.", required=True),
            Column("origin", Kind.NAME, "Country where the material was mined, when different "
                   "(e.g. Australian ore refined in Malaysia). Blank: same as country."),
            Column("active", Kind.BOOL, "Whether new contracts with this supplier are allowed.",
                   default=True),
            Column("description", Kind.TEXT, "Who the supplier is."),
        ),
        required=True,
        key=("supplier",),
        examples=(
            {"supplier": "Lynas Malaysia", "country": "Malaysia", "origin": "Australia",
             "active": "yes"},
            {"supplier": "China refiners", "country": "China", "active": "yes"},
            {"supplier": "MP Materials", "country": "United States", "active": "yes"},
        ),
    ),
    Sheet(
        SheetName.DEALS,
        "All-or-nothing commitments: a long-term offtake with a bankable minimum, a "
        "prepayment or stake in a new mine or plant. A deal is signed whole or not at all; "
        "its offers are the Supply rows naming it, its term the periods of those rows (for "
        "a co-financed plant, the Processing rows naming it: their capacity exists only if "
        "it is signed). "
        "Partners planning alone take deals in Buyers order; jointly, the coalition signs "
        "and splits the costs by the partners' shares of demand for the deal's materials.",
        (
            _name("deal", "Name of the deal."),
            _ref("supplier", SheetName.SUPPLIERS, "supplier", "The supplier offering it (its "
                 "Supply rows name this supplier), or the facility it finances (its "
                 "Processing rows name this facility).", or_from=FACILITIES),
            _qty("upfront_cost", "Paid once, in the first period of the term (a prepayment, "
                 "an equity stake).", unit=MONEY, default=0.0),
            _qty("fixed_cost", "Paid in every period of the term.", unit=MONEY, default=0.0),
            Column("signable_by", Kind.TEXT, "Who may sign it: blank for any planning unit; "
                   "partner names separated by commas (a unit holding one of them); "
                   "coalition for all partners together only."),
            Column("description", Kind.TEXT, "What the deal is."),
        ),
        key=("deal",),
        illustration=(
            {"deal": "separation-offtake", "supplier": "Caremag", "upfront_cost": 120_000_000,
             "fixed_cost": 0, "signable_by": "",
             "description": "Prepayment for a Dy/Tb separation plant; its offer is the "
                            "Supply row with deal = separation-offtake"},
        ),
    ),
    Sheet(
        SheetName.SUPPLY,
        "Offers: capacity and price per supplier, material and period. Several rows for "
        "the same supplier, material and period with different tiers are successive "
        "tranches. Wide layout: instead of period and capacity, one column per period "
        "label holding that period's capacity.",
        (
            _ref("supplier", SheetName.SUPPLIERS, "supplier", "Supplier making the offer."),
            _ref("material", SheetName.MATERIALS, "material", "Material offered."),
            _ref("period", SheetName.PERIODS, "period", "Period of the offer; * for every period.",
                 **PERIOD_STAR),
            _qty("capacity", "Most that all buyers together can buy in the period.",
                 required=True),
            _qty("price", "Price per unit.", unit=PRICE, required=True),
            Column("tier", Kind.INTEGER, "Tranche number (1, 2, ...): higher tiers are "
                   "further capacity at a higher price.", default=1, minimum=1.0),
            _qty("min_offtake", "Least that must be bought (take-or-pay, existing contract)."),
            Column("buyers", Kind.TEXT, "Partners who may buy this offer (an entitlement, e.g. "
                   "a tranche agreed for Japan only), separated by commas. Blank or *: every "
                   "partner. Others may still receive its material through Sharing."),
            _ref("deal", SheetName.DEALS, "deal", "The deal this offer belongs to (Deals "
                 "sheet): it exists only if the deal is signed, and its min_offtake is the "
                 "deal's bankable minimum. Blank: an ordinary offer.", required=False),
        ),
        required=True,
        key=("supplier", "material", "period", "tier"),
        wide_value="capacity",
        examples=(
            {"supplier": "Lynas Malaysia", "material": "NdPr oxide", "period": "*",
             "capacity": 6000, "price": 75000, "tier": 1},
            {"supplier": "Lynas Malaysia", "material": "Dy oxide", "period": "*",
             "capacity": 40, "price": 300000, "tier": 1},
            {"supplier": "China refiners", "material": "NdPr oxide", "period": "*",
             "capacity": 60000, "price": 69000, "tier": 1},
            {"supplier": "China refiners", "material": "Dy oxide", "period": "*",
             "capacity": 1500, "price": 239000, "tier": 1},
            {"supplier": "MP Materials", "material": "NdPr oxide", "period": "*",
             "capacity": 1300, "price": 110000, "tier": 1},
        ),
        illustration=(
            {"supplier": "Caremag", "material": "Dy oxide", "period": "*", "capacity": 250,
             "price": 215000, "tier": 1, "min_offtake": 225, "deal": "separation-offtake",
             "note": "exists only if the deal is signed; 225 t a year is its bankable minimum"},
            {"supplier": "Lynas Malaysia", "material": "Dy oxide", "period": "*",
             "capacity": 20, "price": 290000, "tier": 2, "buyers": "Japan",
             "note": "an entitlement: a tranche for Japan only"},
        ),
    ),
    Sheet(
        SheetName.DISCOUNTS,
        "Volume discounts: price breaks on the volume the planning unit buys from one "
        "supplier of one material (the coalition when planning jointly, each partner when "
        "alone). The Supply price applies below the first break; a row for one period "
        "replaces the * rows for that period. Spot purchases after a disruption never count.",
        (
            _ref("supplier", SheetName.SUPPLIERS, "supplier", "Supplier giving the discount."),
            _ref("material", SheetName.MATERIALS, "material", "Material discounted."),
            _ref("period", SheetName.PERIODS, "period", "Period; * for every period.",
                 **PERIOD_STAR),
            Column("basis", Kind.CHOICE, "period: the volume ordered in each period sets its "
                   "bracket; horizon: the total over all periods sets one bracket for all "
                   "(same breaks every period). The same on every row of the supplier and "
                   "material.", default="period", choices=("period", "horizon")),
            Column("type", Kind.CHOICE, "all-units: the price of the bracket reached applies "
                   "to every unit; incremental: each bracket's price applies to the units "
                   "inside it. The same on every row of the supplier and material.",
                   default="all-units", choices=("all-units", "incremental")),
            _qty("from_quantity", "The break: this price applies from this volume on "
                 "(inclusive).", required=True),
            _qty("price", "Unit price from the break on; falls as the breaks rise.",
                 unit=PRICE, required=True),
        ),
        key=("supplier", "material", "period", "from_quantity"),
        illustration=(
            {"supplier": "China refiners", "material": "NdPr oxide", "period": "*",
             "basis": "period", "type": "all-units", "from_quantity": 8000, "price": 67000,
             "note": "every tonne at 67,000 once 8,000 t are bought in a period"},
            {"supplier": "China refiners", "material": "NdPr oxide", "period": "*",
             "basis": "period", "type": "all-units", "from_quantity": 12000, "price": 65500},
        ),
    ),
    Sheet(
        SheetName.PROCESSING,
        "Facilities that turn materials into another (oxide into metal, metal into "
        "magnets) by a recipe: one row per input, the rows of one facility, output and "
        "period making one recipe. Every partner may use every facility, within its "
        "capacity shared by all; inputs leave the partner's stock when processing starts "
        "and the output arrives lead_time periods later. No route: no freight, tariff or "
        "route lead time. A row for one period replaces the * rows of that facility and "
        "output for that period; a period with no row has no capacity.",
        (
            _name("facility", "Name of the plant; it differs from every supplier's name."),
            Column("country", Kind.NAME, "Country where the facility is: caps at a stage and "
                   "disruptions name it. The same on every row of the facility.",
                   required=True),
            _ref("output", SheetName.MATERIALS, "material", "Material made."),
            _ref("input", SheetName.MATERIALS, "material", "One material the recipe uses, at "
                 "the output's stage or an earlier one."),
            Column("input_per_output", Kind.NUMBER, "Units of this input per unit of output "
                   "(e.g. 0.31 t of NdPr metal per t of magnet).", required=True,
                   unit="quantity/quantity", minimum=0.0, min_exclusive=True),
            _qty("capacity", "Most output all partners together may start in the period. "
                 "The same on every row of the recipe.", required=True),
            _qty("fee", "Toll fee per unit of output, paid when processing starts. The same "
                 "on every row of the recipe.", unit=PRICE, default=0.0),
            Column("lead_time", Kind.INTEGER, "Whole periods from the start of processing to "
                   "the output (0: within the period). The same on every row of the recipe.",
                   default=0, unit="periods", minimum=0.0),
            _ref("period", SheetName.PERIODS, "period", "Period the row applies to; * (default) "
                 "for every period.", required=False, default="*", **PERIOD_STAR),
            _ref("deal", SheetName.DEALS, "deal", "The deal financing the facility (Deals "
                 "sheet, its supplier this facility): the capacity exists only if the deal is "
                 "signed. Blank: the facility exists. The same on every row of the recipe.",
                 required=False),
        ),
        key=("facility", "output", "period", "input"),
        illustration=(
            {"facility": "Less Common Metals", "country": "United Kingdom",
             "output": "NdPr metal", "input": "NdPr oxide", "input_per_output": 1.17,
             "capacity": 1000, "fee": 8000, "lead_time": 0, "period": "*",
             "note": "illustrative figures"},
            {"facility": "Neo Narva", "country": "Estonia", "output": "NdFeB magnet",
             "input": "NdPr metal", "input_per_output": 0.31, "capacity": 2000, "fee": 25000,
             "lead_time": 0, "period": "*",
             "note": "illustrative figures; one row per input of the recipe"},
            {"facility": "Neo Narva", "country": "Estonia", "output": "NdFeB magnet",
             "input": "Dy oxide", "input_per_output": 0.02, "capacity": 2000, "fee": 25000,
             "lead_time": 0, "period": "*",
             "note": "illustrative figures; capacity, fee and lead time repeated"},
        ),
    ),
    Sheet(
        SheetName.DEMAND,
        "What each buyer needs per material and period. Wide layout: one column per "
        "period label holding that period's demand.",
        (
            _ref("buyer", SheetName.BUYERS, "buyer", "Buyer with the demand."),
            _ref("material", SheetName.MATERIALS, "material", "Material needed."),
            _ref("period", SheetName.PERIODS, "period", "Period; * for every period.",
                 **PERIOD_STAR),
            _qty("demand", "Quantity needed in the period.", required=True),
        ),
        required=True,
        key=("buyer", "material", "period"),
        wide_value="demand",
        examples=(
            {"buyer": "Japan", "material": "NdPr oxide", "period": "*", "demand": 5000},
            {"buyer": "Japan", "material": "Dy oxide", "period": "*", "demand": 300},
            {"buyer": "EU", "material": "NdPr oxide", "period": "*", "demand": 6000},
            {"buyer": "EU", "material": "Dy oxide", "period": "*", "demand": 250},
        ),
    ),
    Sheet(
        SheetName.ROUTES,
        "Supplier-to-buyer routes. Pairs not listed are open, free and immediate.",
        (
            _ref("supplier", SheetName.SUPPLIERS, "supplier", "Supplier shipping."),
            _ref("buyer", SheetName.BUYERS, "buyer", "Buyer receiving."),
            _qty("freight", "Freight per unit.", unit=PRICE, default=0.0),
            Column("tariff", Kind.NUMBER, "Tariff as a fraction of the price (0.05 = 5 %).",
                   default=0.0, unit="fraction", minimum=0.0, percent_ok=True),
            Column("lead_time", Kind.INTEGER, "Whole periods between order and arrival.",
                   default=0, unit="periods", minimum=0.0),
            Column("open", Kind.BOOL, "Whether the route can be used.", default=True),
        ),
        key=("supplier", "buyer"),
        examples=(
            {"supplier": "China refiners", "buyer": "EU", "freight": 1500, "tariff": 0.0,
             "lead_time": 0, "open": "yes"},
            {"supplier": "MP Materials", "buyer": "Japan", "freight": 2500, "tariff": 0.0,
             "lead_time": 0, "open": "yes"},
        ),
    ),
    Sheet(
        SheetName.STOCKPILE,
        "Strategic stock rules per buyer and material. Rows for a specific period "
        "override the * row for that period, column by column (blank cells keep the * "
        "row's value), so a reserve can be built up over time. The floor in a period is "
        "max(min_level, min_days x that period's demand / days).",
        (
            _ref("buyer", SheetName.BUYERS, "buyer", "Buyer holding the stock."),
            _ref("material", SheetName.MATERIALS, "material", "Material stocked."),
            _ref("period", SheetName.PERIODS, "period", "Period the row applies to; * (default) "
                 "for every period.", required=False, default="*", **PERIOD_STAR),
            _qty("initial", "Stock at the start of the first period (taken from the * row or "
                 "the first period's row)."),
            _qty("min_days", "Floor as days of the buyer's own demand.", unit="days"),
            _qty("min_level", "Floor as an absolute quantity."),
            _qty("max_level", "Ceiling: storage capacity."),
            _qty("holding_cost", "Cost of holding one unit of closing stock for one period.",
                 unit=PRICE),
        ),
        key=("buyer", "material", "period"),
        examples=(
            {"buyer": "Japan", "material": "Dy oxide", "period": "*", "initial": 40,
             "min_days": 60, "holding_cost": 3000},
            {"buyer": "EU", "material": "Dy oxide", "period": "*", "initial": 0,
             "min_days": 0, "holding_cost": 3000},
        ),
    ),
    Sheet(
        SheetName.POLICIES,
        "Diversification caps: the share of purchases of a material from one supplier, "
        "one country of processing, or one country of mining is at most `share`. A cap at "
        "a stage counts what is bought (by supplier country) plus what is processed (by "
        "facility country) of the materials at that stage.",
        (
            _name("policy", "Name of the rule; strategies switch rules on by this name."),
            Column("kind", Kind.CHOICE, "What is capped.", required=True,
                   choices=("max_supplier_share", "max_country_share", "max_origin_share")),
            Column("target", Kind.NAME, "The supplier (max_supplier_share) or country capped; "
                   "* for each one separately. A cap at a stage may also name a facility "
                   "(max_supplier_share) or a facility's country.", required=True),
            _ref("buyer", SheetName.BUYERS, "buyer", "Whose purchases: a buyer, * for each buyer "
                 "separately, or coalition for all partners together.", star=True,
                 also=("coalition",)),
            _ref("material", SheetName.MATERIALS, "material", "Material; * for each material "
                 "separately.", star=True),
            Column("share", Kind.NUMBER, "Largest allowed share, 0 to 1 (65% is accepted).",
                   required=True, unit="fraction", minimum=0.0, maximum=1.0, percent_ok=True),
            Column("scope", Kind.CHOICE, "period: the cap holds in every period; horizon: "
                   "over all periods together.", default="period",
                   choices=("period", "horizon")),
            _qty("penalty", "Blank: a hard rule. A number: a soft rule, costing this much "
                 "per unit over the cap.", unit=PRICE),
            Column("active", Kind.BOOL, "Whether the rule applies.", default=True),
            _ref("stage", SheetName.STAGES, "stage", "The cap applies at that stage: purchases "
                 "by supplier country plus processing output by facility country, of the "
                 "material (* : each material of that stage). Blank: purchases only.",
                 required=False, or_from=((SheetName.MATERIALS, "stage"),)),
        ),
        key=("policy", "kind", "target", "buyer", "material", "scope", "stage"),
        examples=(
            {"policy": "country-cap", "kind": "max_country_share", "target": "China",
             "buyer": "*", "material": "*", "share": 0.65, "scope": "horizon",
             "active": "no", "note": "EU CRMA benchmark; switched on by strategy crma-65"},
        ),
        illustration=(
            {"policy": "magnet-cap", "kind": "max_country_share", "target": "*",
             "buyer": "coalition", "material": "*", "share": 0.65, "scope": "horizon",
             "active": "no", "stage": "magnet",
             "note": "magnets bought from or made in one country: at most 65 %; on once "
                     "magnets come from two countries (a strategy switches it on)"},
        ),
    ),
    Sheet(
        SheetName.BUDGETS,
        "Spending limits per buyer and period.",
        (
            _ref("buyer", SheetName.BUYERS, "buyer", "Buyer."),
            _ref("period", SheetName.PERIODS, "period", "Period; * for every period.",
                 **PERIOD_STAR),
            _qty("budget", "Most the buyer may spend on purchases in the period.", unit=MONEY,
                 required=True),
        ),
        key=("buyer", "period"),
        examples=({"buyer": "Japan", "period": "*", "budget": 2_000_000_000},),
    ),
    Sheet(
        SheetName.SHARING,
        "Stock transfers between partners (joint coordination only).",
        (
            _ref("from", SheetName.BUYERS, "buyer", "Partner giving stock."),
            _ref("to", SheetName.BUYERS, "buyer", "Partner receiving stock."),
            _ref("material", SheetName.MATERIALS, "material", "Material; * for every material.",
                 star=True),
            _qty("cost", "Cost per unit transferred.", unit=PRICE, default=0.0),
            _qty("max", "Most that can be transferred per period. Blank: no limit."),
        ),
        key=("from", "to", "material"),
        examples=(
            {"from": "Japan", "to": "EU", "material": "*", "cost": 2000, "max": 100},
            {"from": "EU", "to": "Japan", "material": "*", "cost": 2000, "max": 100},
        ),
    ),
    Sheet(
        SheetName.STRATEGIES,
        "Named sets of overrides on this workbook. Each row sets one column of the rows "
        "of `sheet` that match `where` (key=value; key=value, blank = every row). For the "
        "Settings sheet, `column` names the setting. The base workbook is always the "
        "strategy 'base'.",
        (
            _name("strategy", "Name of the strategy."),
            Column("sheet", Kind.NAME, "Sheet whose rows are overridden.", required=True),
            Column("where", Kind.TEXT, "Which rows: key=value; key=value. Blank: every row."),
            Column("column", Kind.NAME, "Column (or setting) overridden.", required=True),
            Column("value", Kind.TEXT, "New value."),
        ),
        examples=(
            {"strategy": "independent", "sheet": SheetName.SETTINGS, "column": "coordination",
             "value": "pro-rata"},
            {"strategy": "crma-65", "sheet": SheetName.POLICIES, "where": "policy=country-cap",
             "column": "active", "value": "yes"},
            {"strategy": "stock-90d", "sheet": SheetName.STOCKPILE, "column": "min_days",
             "value": 90},
            {"strategy": "no-china", "sheet": SheetName.SUPPLIERS, "where": "country=China",
             "column": "active", "value": "no"},
        ),
    ),
    Sheet(
        SheetName.DISRUPTIONS,
        "Supply shocks for stress tests and robust planning. Several rows with the same "
        "scenario build one scenario. Probabilities add up to at most 1; the rest is 'no "
        "disruption'. `country` matches suppliers processing or mining there and the "
        "facilities there; a facility hit loses that share of its processing capacity for "
        "the outputs hit.",
        (
            _name("scenario", "Name of the disruption scenario."),
            Column("probability", Kind.NUMBER, "Probability of the scenario, 0 to 1.",
                   required=True, unit="fraction", minimum=0.0, maximum=1.0,
                   percent_ok=True),
            _ref("supplier", SheetName.SUPPLIERS, "supplier", "Supplier or facility "
                 "(Processing sheet) hit (or give country).", required=False,
                 or_from=FACILITIES),
            Column("country", Kind.NAME, "Country hit (or give supplier): its suppliers and "
                   "its facilities."),
            _ref("material", SheetName.MATERIALS, "material", "Material hit; * for every material.",
                 star=True),
            _ref("start", SheetName.PERIODS, "period", "First period hit."),
            _ref("end", SheetName.PERIODS, "period", "Last period hit (inclusive)."),
            Column("capacity_factor", Kind.NUMBER, "Share of capacity left, 0 to 1.",
                   required=True, unit="fraction", minimum=0.0, maximum=1.0,
                   percent_ok=True),
            Column("price_factor", Kind.NUMBER, "Multiplier on the price of purchases made "
                   "after the fact.", default=1.0, unit="factor", minimum=0.0),
            _ref("buyer", SheetName.BUYERS, "buyer", "The partner whose deliveries it hits "
                 "(an embargo aimed at one country). Blank: every partner's.", required=False),
        ),
        examples=(
            {"scenario": "china-hree-controls", "probability": 0.1, "country": "China",
             "material": "Dy oxide", "start": 2027, "end": 2027, "capacity_factor": 0.5,
             "price_factor": 2.5},
        ),
    ),
)

SHEET_BY_NAME = {s.name: s for s in SHEETS}
if set(SHEET_BY_NAME) != set(SheetName):  # the enum and the declarations name the same sheets
    raise ImportError(f"schema sheets {sorted(SHEET_BY_NAME)} != SheetName {sorted(SheetName)}")

# Sheets that carry explanations for people (the template's README); skipped silently.
INFORMATION_SHEETS = ("README",)


def _setting(name: str, kind: Kind, description: str, **kw: Any) -> Setting:
    return Setting(name, Column("value", kind, description, **kw))


SETTINGS: tuple[Setting, ...] = (
    _setting("name", Kind.TEXT, "Name of the scenario, shown in every output.",
             default="Unnamed scenario"),
    _setting("unit", Kind.TEXT, "Unit of every quantity.", default="t"),
    _setting("currency", Kind.TEXT, "Currency of every amount of money.", default="USD"),
    _setting("coordination", Kind.CHOICE, "joint: one plan for all partners; pro-rata: each "
             "partner alone on its pro-rata share of every offer; sequential: partners plan "
             "alone in Buyers order.", default="joint",
             choices=("joint", "pro-rata", "sequential")),
    _setting("shortage_penalty", Kind.NUMBER, "Cost per unit of unmet demand. Blank: 10 x "
             "the highest offered price.", unit=PRICE, minimum=0.0),
    _setting("discount_rate", Kind.NUMBER, "Discount rate per period (0.03 = 3 %).",
             default=0.0, unit="fraction", minimum=0.0, maximum=1.0, percent_ok=True),
    _setting("time_limit_s", Kind.NUMBER, "Solver time limit in seconds. Blank: none.",
             unit="seconds", minimum=0.0, min_exclusive=True),
    _setting("robust", Kind.CHOICE, "no: plan for the expected case; expected: minimise "
             "expected cost over the disruption scenarios; cvar: expected cost plus "
             "risk_weight x CVaR.", default="no", choices=("no", "expected", "cvar")),
    _setting("cvar_alpha", Kind.NUMBER, "CVaR level (0.95: the worst 5 % of outcomes).",
             default=0.95, unit="fraction", minimum=0.0, maximum=1.0, percent_ok=True),
    _setting("risk_weight", Kind.NUMBER, "Weight lambda of the CVaR term.", default=1.0,
             minimum=0.0),
    _setting("spot_premium", Kind.NUMBER, "Fraction added to the disrupted price for spot "
             "purchases after a disruption.", default=0.25, unit="fraction", minimum=0.0,
             percent_ok=True),
    _setting("reserve_gap_penalty", Kind.NUMBER, "Share of the shortage penalty charged per "
             "unit and year below a stockpile floor (pro rata for the period's days): the "
             "floor is a reserve to draw on before running short.", default=0.1,
             unit="fraction", minimum=0.0, percent_ok=True),
    _setting("closing_stock_value", Kind.NUMBER, "Share of its credit price at which stock "
             "left at the end of the last period is credited: the lowest landed price at "
             "which any partner could buy the material in the last period. 1: a strategy "
             "costs what it consumes, not what it leaves in the warehouse; 0: stock left "
             "is worth nothing.", default=1.0, unit="fraction", minimum=0.0, maximum=1.0,
             percent_ok=True),
    _setting("mip_gap", Kind.NUMBER, "Relative gap at which a plan with all-or-nothing "
             "decisions (deals, discount brackets) is accepted as optimal; the gap reached "
             "is reported with the plan. A workbook without them is a pure LP.",
             default=1e-4, unit="fraction", minimum=0.0, maximum=1.0),
)

SETTING_BY_NAME = {s.name: s for s in SETTINGS}
