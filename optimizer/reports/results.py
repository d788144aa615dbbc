"""The results workbook of one plan (SPEC 7): Summary, Purchases, Stockpile, Shortfalls,
Supply, Transfers, Discounts, Deals, Processing and Facilities (when the workbook has
them), Constraints, Run.
Written completely or not at all."""

from __future__ import annotations

import dataclasses
import platform
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.version

from optimizer import __version__
from optimizer.planning.stages import UNTRACKED, stage_table
from optimizer.reports.pages import PageHeading
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter
from optimizer.solving.extract import PlanResult
from optimizer.solving.highs import solver_version
from optimizer.solving.plan import PlanRun
from optimizer.xlsx import atomic_workbook

COST_LABELS = {"purchase": "purchases at offer prices", "tariff": "tariffs",
               "freight": "freight", "deal": "deals signed (upfront and fixed costs)",
               "processing": "toll fees of processing",
               "closing_stock_value": "stock left at the end, credited (closing stock value)",
               "holding": "holding stock",
               "transfer": "transfers between partners", "shortfall": "shortfall penalty",
               "reserve": "reserve below the floor (penalty)",
               "policy": "soft-rule penalties"}


def run_facts(run: PlanRun, prov: Provenance) -> list[tuple[str, Any]]:
    """What the Run sheet and `--json` state about how a plan was made."""
    data = run.result.scenario if run.result else None
    facts: list[tuple[str, Any]] = [
        ("tool", f"coprocure {__version__}"),
        ("solver", solver_version()),
        ("pyomo", pyomo.version.version),
        ("python", platform.python_version()),
        ("created (UTC)", prov.created),
        ("input file", prov.input_file),
        ("input sha256", prov.sha256),
        ("strategy", prov.strategy),
        ("status", str(run.status)),
        ("objective (present value)", run.objective),
        ("independent check", "passed" if not run.violations else
         f"{len(run.violations)} violation(s)"),
    ]
    if run.result is not None and run.result.mip_gap is not None:
        facts += [("MIP gap reached", run.result.mip_gap),
                  ("shadow prices", "of the LP with every deal fixed as signed or not")]
    facts += [(f"time: {k.removesuffix('_s')} (s)", round(v, 4)) for k, v in run.timings.items()]
    facts += [(f"HiGHS option {k}", v) for k, v in run.options.items()]
    if data is not None:
        facts += [(f"setting {k}", v) for k, v in dataclasses.asdict(data.settings).items()]
    return facts


def write_results(path: str | Path, run: PlanRun, prov: Provenance,
                  cost_to_sign: dict[str, float | None] | None = None) -> None:
    """The results workbook; ``cost_to_sign``: for each deal left unsigned, what signing
    it would have added (optimizer.planning.deals.cost_to_sign)."""
    result = run.result
    assert result is not None, "only a plan can be reported"
    s = result.scenario.settings
    heading = PageHeading(s.name, f"strategy {prov.strategy}", prov.created,
                          Path(prov.input_file).name)
    with atomic_workbook(path) as wb:
        w = SheetWriter(wb, s.unit, s.currency, heading)
        _summary(w, run, prov)
        w.sheet("Purchases", result.purchases)
        stock = result.stock.drop(columns=["holding_cost"])
        w.sheet("Stockpile", stock)
        w.sheet("Shortfalls", result.shortfalls,
                note="Unmet demand per buyer, material and period (empty: none).")
        w.sheet("Supply", _annotated(result.supply, prov),
                note="Offers, how much of each was bought, and what one more unit of capacity "
                     "would save.")
        w.sheet("Transfers", result.transfers)
        if len(result.brackets):
            w.sheet("Discounts", discount_summary(result),
                    note="Volume discounts: the units of each discounted purchase by price "
                         "bracket (0: below the first break, at the Supply price), at the "
                         "bracket's price, and what that saved against the Supply price.")
        if len(result.deals):
            deals = result.deals.assign(cost_to_sign=[
                None if signed else (cost_to_sign or {}).get(name)
                for name, signed in zip(result.deals["deal"], result.deals["signed"],
                                        strict=True)])
            deals["signed"] = deals["signed"].map({True: "yes", False: "no"})
            w.sheet("Deals", _annotated(deals, prov),
                    note="Deals signed or not, by whom, what they cost (present value of "
                         "upfront and fixed costs) and the volume taken; for a deal left "
                         "unsigned, how much more the plan would cost if it had to sign it.")
        if result.scenario.stages:
            w.sheet("Stages", stage_table(result),
                    note=f"What each partner and the coalition acquire at each stage, by "
                         f"country, and its share of the stage. {UNTRACKED}")
        if result.scenario.recipes:
            w.sheet("Processing", result.processing,
                    note="What each partner processed: output started at each facility, when "
                         "it finishes, the inputs drawn from its stock, and the toll fee paid "
                         "when it starts (nominal).")
            w.sheet("Facilities", _annotated(result.facilities, prov),
                    note="Each facility's capacity per output and period, the output started "
                         "there by all partners, and what one more unit of capacity would "
                         "save (present value).")
        constraints = _annotated(result.constraints, prov)
        w.sheet("Constraints", constraints,
                note="Binding rules and their shadow prices (present value).",
                kinds={"limit": [limit_kind(r) for r in constraints["rule"]]})
        w.run_sheet(run_facts(run, prov))
        w.finish()


def discount_summary(result: PlanResult) -> pd.DataFrame:
    """Units by schedule row, buyer, period and bracket, with the bracket's price and the
    money it saved against the Supply price (before tariff, nominal)."""
    data = result.scenario
    price_of = {(s.supplier, s.material, t): (0.0, *s.prices[i]) for s in data.discounts
                for i, t in enumerate(s.periods)}
    supply = {(o.supplier, o.material, o.period): o.price for o in data.offers if o.tier == 1}
    rows = []
    for r in result.brackets.itertuples(index=False):
        key = (r.supplier, r.material, r.period)
        price = supply[key] if r.bracket == 0 else price_of[key][int(r.bracket)]
        rows.append({"supplier": r.supplier, "material": r.material, "period": r.period,
                     "buyer": r.buyer, "bracket": int(r.bracket),
                     "from_quantity": r.from_quantity, "quantity": r.quantity,
                     "price": price, "saved": (supply[key] - price) * r.quantity,
                     "source_row": r.schedule})
    return pd.DataFrame(rows)


def limit_kind(rule: object) -> str:
    """How a binding rule's limit reads: a share cap in percent, a budget in money,
    every other limit in the quantity unit."""
    text = str(rule)
    if "share" in text:
        return "pct"
    return "money" if text.startswith("budget") else "qty"


def _annotated(df: pd.DataFrame, prov: Provenance) -> pd.DataFrame:
    """Add the workbook row's own source and note beside each output row."""
    key = "source_row" if "source_row" in df.columns else "workbook_row"
    if key not in df.columns or not prov.annotations:
        return df
    out = df.copy()
    out["source"] = out[key].map(lambda r: prov.annotations.get(r, (None, None))[0])
    out["note"] = out[key].map(lambda r: prov.annotations.get(r, (None, None))[1])
    return out


def _summary(w: SheetWriter, run: PlanRun, prov: Provenance) -> None:
    result = run.result
    assert result is not None  # checked by write_results
    s = result.scenario.settings
    ws = w.add_sheet("Summary")
    w.heading(ws, 0, f"{s.name}: strategy {prov.strategy}", len(result.buyers.columns) - 1)
    check = "passed" if not run.violations else "FAILED: " + "; ".join(
        str(v) for v in run.violations[:5])
    lines = [
        ("status", str(run.status)),
        (f"total cost ({s.currency}, present value, without penalties, net of the stock left "
         "at the end)", result.total_cost),
        (f"objective ({s.currency}, present value, with penalties)", run.objective),
        (f"of which stock left at the end, credited ({s.currency}, present value)",
         -result.cost_breakdown.get("closing_stock_value", 0.0)),
        ("coordination", s.coordination),
        ("discount rate per period", s.discount_rate),
        ("independent check of every rule", check),
    ]
    robust = result.extra.get("robust")
    if robust is not None:
        lines += [
            (f"robust planning ({robust.risk}): expected cost under the disruption scenarios "
             f"({s.currency}, PV)", robust.expected_cost),
            (f"worst-case cost under disruption ({s.currency}, PV)", robust.stress.worst_cost),
            (f"worst-case shortfall under disruption ({s.unit})", robust.stress.worst_shortfall),
        ]
    formats = [None, w.fmt["money"], w.fmt["money"], w.fmt["money"], None, w.fmt["pct"], None]
    formats += [w.fmt["money"], w.fmt["money"], w.fmt["qty"]] if robust is not None else []
    w.facts(ws, lines, row=2, formats=formats)
    w.keep_together(ws, 0, len(lines) + 1)
    row = len(lines) + 3
    ws.write_string(row, 0, "Per buyer and for the coalition", w.bold)
    end = w.table(ws, result.buyers, row=row + 1, freeze=False, autofilter=False)
    w.keep_together(ws, row, end - 2)
    ws.write_string(end, 0, "Cost breakdown (present value)", w.bold)
    breakdown = pd.DataFrame([{"component": COST_LABELS.get(k, k), "cost": v}
                              for k, v in result.cost_breakdown.items()
                              if k != "processing" or result.scenario.recipes])
    last = w.table(ws, breakdown, row=end + 1, freeze=False, autofilter=False)
    w.keep_together(ws, end, last - 2)
