"""The comparison workbook (SPEC 7): strategies side by side, differences to base, the
value of coordination and its Shapley split, the Changes each strategy makes, long
tables with a `strategy` column for pivoting, and native Excel charts that answer the
planner's questions (what each strategy costs against base, where the material comes
from, how short each runs, how its stockpile cover differs from base)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pandas as pd

from optimizer.planning.compare import INCOMPLETE, NOT_COMPUTED, Comparison, metrics
from optimizer.planning.stages import UNTRACKED, stage_table
from optimizer.reports.comparison_charts import Cells, charts_sheet
from optimizer.reports.pages import PageHeading
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter
from optimizer.solving.extract import in_reserve
from optimizer.workbook.strategies import BASE
from optimizer.xlsx import atomic_workbook

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from optimizer.planning.sources import CoordinationSources


def long_table(comparison: Comparison, attribute: str) -> pd.DataFrame:
    """A result table of every planned strategy, stacked, with a `strategy` column first."""
    frames = []
    for o in comparison.outcomes:
        if o.run.result is not None:
            df = getattr(o.run.result, attribute).copy()
            df.insert(0, "strategy", o.name)
            frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def deal_table(comparison: Comparison) -> pd.DataFrame:
    """Every strategy's deals (signed or not, by whom), stacked; empty without deals."""
    deals = long_table(comparison, "deals")
    if deals.empty:
        return deals
    deals["signed"] = deals["signed"].map({True: "yes", False: "no"})
    return deals


def supply_mix(purchases: pd.DataFrame) -> pd.DataFrame:
    """Quantity bought per strategy and supplier country (a row per strategy), the
    countries by quantity, largest first."""
    if purchases.empty:
        return pd.DataFrame()
    mix = purchases.pivot_table(index="strategy", columns="country", values="quantity",
                                aggfunc="sum", fill_value=0.0, sort=False)
    mix = mix[mix.sum().sort_values(ascending=False, kind="stable").index]
    mix.columns.name = None
    return mix.reset_index()


def stage_mix(comparison: Comparison) -> pd.DataFrame:
    """The coalition's quantity acquired at each stage by country (bought by supplier
    country, processed by facility country; SPEC 3.2): the rows of one stage together, in
    stage order, a row per strategy (one chart per stage draws them); empty for a workbook
    without stages."""
    tables = {o.name: stage_table(o.run.result) for o in comparison.outcomes
              if o.run.result is not None}
    rows = []
    for stage in comparison.base_data.stages:
        for name, table in tables.items():
            at = table[(table["buyer"] == "coalition") & (table["stage"] == stage)]
            rows.append({"stage": stage, "strategy": name,
                         **dict(zip(at["country"], at["quantity"], strict=True))})
    if not rows:
        return pd.DataFrame()
    mix = pd.DataFrame(rows).fillna(0.0)
    countries = mix.columns[2:]
    ordered = mix[countries].sum().sort_values(ascending=False, kind="stable").index
    return mix[["stage", "strategy", *ordered]]


def cover_over_time(comparison: Comparison) -> pd.DataFrame:
    """Coalition days of cover of the materials held in reserve at the end of each period,
    a column per strategy."""
    periods = list(comparison.base_data.period_labels)
    days = {p.label: p.days for p in comparison.base_data.periods}
    out = pd.DataFrame({"period": periods})
    for o in comparison.outcomes:
        if o.run.result is None:
            continue
        stock = o.run.result.stock
        st = in_reserve(stock, stock).groupby("period")[["closing", "demand"]].sum()
        out[o.name] = [float(st.loc[t, "closing"]) / (float(st.loc[t, "demand"]) / days[t])
                       if t in st.index and st.loc[t, "demand"] > 0 else None for t in periods]
    return out


def coordination_tables(comparison: Comparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    value = comparison.coordination
    if value is None:
        return pd.DataFrame(), pd.DataFrame()
    total = value.total_savings
    partners = pd.DataFrame([{
        "partner": b,
        "alone_cost": value.alone(b),
        "shapley_share": value.shapley[b],
        "savings_share": value.shapley[b] / total if total else None,
        "fair_cost": (cast(float, value.alone(b)) - value.shapley[b])
        if value.alone(b) is not None else None,
    } for b in value.players])
    order = {b: i for i, b in enumerate(value.players)}
    coalitions = pd.DataFrame([{
        "coalition": " + ".join(sorted(s, key=order.__getitem__)),  # members are players
        "partners": len(s),
        "coalition_cost": value.cost[s],
        "coalition_savings": value.savings[s],
        "members_shapley": sum(value.shapley[b] for b in s),
        "gain_by_leaving": max(0.0, value.savings[s] - sum(value.shapley[b] for b in s)),
    } for s in value.cost])
    return partners, coalitions


def write_comparison(path: str | Path, comparison: Comparison, prov: Provenance,
                     extra: Callable[[SheetWriter, Comparison], None] | None = None,
                     subject: str = "compared") -> None:
    """The comparison workbook; ``extra`` adds sheets before the Run sheet (the stress
    test's disruption sheets, :mod:`optimizer.reports.stress`); ``subject`` ends the
    page header ("10 strategies compared")."""
    s = comparison.base_data.settings
    table = base_first(metrics(comparison))
    purchases = long_table(comparison, "purchases")
    mix = supply_mix(purchases)
    cover = cover_over_time(comparison)
    n = len(comparison.outcomes)
    heading = PageHeading(s.name, f"{n} {'strategy' if n == 1 else 'strategies'} {subject}",
                          prov.created, Path(prov.input_file).name)
    with atomic_workbook(path) as wb:
        w = SheetWriter(wb, s.unit, s.currency, heading)
        ws = w.add_sheet("Comparison")
        cells = comparison_sheet(w, ws, comparison, table)
        charts = w.add_sheet("Charts", charts=True)
        _coordination_sheet(w, comparison)
        w.sheet("Partners", long_table(comparison, "buyers"),
                note="Each partner's figures as bought. In joint mode, who signs which contract "
                     "is one of many equally cheap allocations: the fair split of the coalition's"
                     " savings is on the Coordination sheet.")
        w.sheet("Changes", changes_table(comparison),
                note="Exactly which workbook cells each strategy overrides.")
        deals = deal_table(comparison)
        if not deals.empty:
            w.sheet("Deals", deals,
                    note="Which projects each strategy finances: every deal, signed or not "
                         "and by whom (coalition: the partners together), its cost (present "
                         "value) and the volume taken. A deal the coalition signs and no "
                         "partner signs alone is one only pooling finances: the Coordination "
                         "sheet names them.")
        mix_ws = w.sheet("Supply mix", mix, note=f"Quantity bought by supplier country ({s.unit}).",
                         default_kind="qty", headers={c: str(c) for c in mix.columns[1:]})
        stages = stage_mix(comparison)
        stage_ws = None if stages.empty else w.sheet(
            "Stage mix", stages, note=f"The coalition's quantity ({s.unit}) acquired at each "
            f"stage by country. {UNTRACKED}", default_kind="qty",
            headers={c: str(c) for c in stages.columns[2:]})
        cover_ws = w.sheet("Cover", cover, note="Coalition days of cover at the end of each "
                           "period.", default_kind="days",
                           headers={c: str(c) for c in cover.columns[1:]})
        w.sheet("Purchases", purchases)
        w.sheet("Stockpile", long_table(comparison, "stock"))
        shortfalls = long_table(comparison, "stock")
        if not shortfalls.empty:
            shortfalls = shortfalls.loc[shortfalls["shortfall"] > 1e-6,
                                        ["strategy", "buyer", "material", "period", "demand",
                                         "shortfall"]]
        w.sheet("Shortfalls", shortfalls, note="Unmet demand per strategy (empty: none).")
        if extra is not None:
            extra(w, comparison)
        _run_sheet(w, comparison, prov)
        charts_sheet(wb, w, charts, cells, table, mix_ws.name, mix, cover_ws.name, cover,
                     comparison, (stage_ws.name, stages) if stage_ws is not None else None)
        w.finish()


def base_first(table: pd.DataFrame) -> pd.DataFrame:
    """The metrics with base on the first row: the charts of differences start below."""
    if "strategy" not in table or BASE not in set(table["strategy"]):
        return table
    is_base = table["strategy"] == BASE
    return pd.concat([table[is_base], table[~is_base]], ignore_index=True)


# The Comparison sheet's blocks, each a table with the strategy first: columns that the
# metrics lack are left out, and a block without any is not written.
BLOCKS: list[tuple[str, list[str]]] = [
    ("Cost", ["status", "total_cost", "total_cost_vs_base", "total_cost_vs_base_pct",
              "closing_stock_value", "penalties", "objective", "cost_per_unit"]),
    ("Supply security", ["largest_country", "largest_country_share", "china_share", "hhi",
                         "end_days_of_cover", "shortfall"]),
    ("Under disruption", ["expected_cost", "expected_cost_vs_base", "worst_cost",
                          "expected_shortfall", "worst_shortfall", "evpi", "vss"]),
]


STAGE_BLOCK = "Supply security by stage"
DEMAND_BLOCK = "Demand met: share of each partner's demand met over the horizon, as planned"
SPLIT_NOTE = ("Planned jointly, the coalition's shortfall is what the plan sets; which "
              "partner bears it can be one of several equally cheap splits (the shortage "
              "penalty is the same for both), so read a partner's share with the other's.")
WORST_BLOCK = ("Demand met in the worst disruption: the lowest share over the disruption "
               "scenarios, each partner and material on its own")


def comparison_sheet(w: SheetWriter, ws: Worksheet, comparison: Comparison,
                     table: pd.DataFrame) -> Cells:
    """Strategies side by side in blocks narrow enough to print: demand met (as planned,
    then in the worst disruption), cost, each partner's cost, supply security (overall,
    then by stage), under disruption (with EVPI and VSS, or where to get them), and the
    strategies that could not be planned."""
    s = comparison.base_data.settings
    partners = [c.split(":", 1)[1] for c in table.columns if c.startswith("cost_pv:")]
    cost, security, disruption = BLOCKS
    stages = comparison.base_data.stages
    blocks = [
        # what planners ask first: do we get what we need, as planned and when hit
        *[(title, [key, f"{key}_where", *[c for c in table.columns
                                          if c.startswith(f"{key}:")]])
          for key, title in (("demand_met", DEMAND_BLOCK), ("worst_demand_met", WORST_BLOCK))],
        cost,
        ("Cost per partner", [c for b in partners
                              for c in (f"cost_pv:{b}", f"cost_vs_base:{b}")]),
        security,
        # SPEC 3.2: the largest country at every stage of processing
        *([(STAGE_BLOCK, [c for st in stages for c in (f"largest_country@{st}",
                                                        f"largest_country_share@{st}")])]
          if stages else []),
        disruption,
    ]
    last_demand = WORST_BLOCK if "worst_demand_met" in table.columns else DEMAND_BLOCK
    width = max(sum(c in table.columns for c in wanted) for _, wanted in blocks)
    w.heading(ws, 0, f"{s.name}: strategies side by side", width)
    w.layout(ws).repeat = (0, 0)
    w.paragraph(ws, 1, f"Money in {s.currency}, present value over the horizon. \"vs base\" is "
                "the strategy's figure minus base's: positive costs more than base.", width)
    cells = Cells(ws.name, {}, list(table.get("strategy", [])))
    row = 3
    for title, wanted in blocks:
        columns = ["strategy", *[c for c in wanted if c in table.columns]]
        if len(columns) == 1 or table.empty:
            continue
        row = _block(w, ws, title, table[columns], row, cells, _measure_texts(table))
        if title == STAGE_BLOCK:  # what a share at a stage counts, and what it cannot see
            w.paragraph(ws, row - 1, UNTRACKED, width)
            row += 1
        if title == last_demand:  # a joint plan's shortfall is set, not who bears it
            w.paragraph(ws, row - 1, SPLIT_NOTE, width)
            row += 1
        if title == "Under disruption":
            row = _measures_note(w, ws, comparison, table, row, width)
    if "expected_cost" not in table.columns:
        w.paragraph(ws, row, "No disruption scenarios in this workbook: no expected or "
                    "worst-case figures, EVPI or VSS. Add a Disruptions sheet, or run "
                    "coprocure stress with --disruptions OTHER.xlsx.", width)
        row += 2
    if "diagnosis" in table.columns:
        failed = table.loc[table["diagnosis"].notna(), ["strategy", "status", "diagnosis"]]
        if len(failed):
            _block(w, ws, "Strategies that could not be planned", failed, row, cells)
    return cells


def _block(w: SheetWriter, ws: Worksheet, title: str, df: pd.DataFrame, row: int,
           cells: Cells, texts: dict[str, list[str]] | None = None) -> int:
    ws.write_string(row, 0, title, w.bold)
    end = w.table(ws, df, row=row + 1, freeze=False, autofilter=False, cells=texts)
    for j, column in enumerate(df.columns):
        if column != "strategy":
            cells.at[column] = (j, row + 2, row + 1 + len(df))
    w.keep_together(ws, row, row + 1 + len(df))
    return end


# What an EVPI or VSS cell says when the figure is not there
_MEASURE_TEXT = {NOT_COMPUTED: "not computed (see below)", INCOMPLETE: "a solve failed (see Run)"}


def _measure_texts(table: pd.DataFrame) -> dict[str, list[str]]:
    if "robust_measures" not in table:
        return {}
    texts = [_MEASURE_TEXT.get(state, "") if isinstance(state, str) else ""
             for state in table["robust_measures"]]
    return {c: texts for c in ("evpi", "vss") if c in table}


def _measures_note(w: SheetWriter, ws: Worksheet, comparison: Comparison,
                   table: pd.DataFrame, row: int, width: int) -> int:
    """Under the disruption block: what EVPI and VSS are, or which command computes them."""
    states = table["robust_measures"] if "robust_measures" in table else pd.Series(dtype=str)
    robust = table.loc[states.notna(), "strategy"].tolist() if len(states) else []
    missing = table.loc[states == NOT_COMPUTED, "strategy"].tolist() if len(states) else []
    if not robust:
        text = ("EVPI and VSS measure robust strategies (Settings robust = expected or cvar); "
                "none is compared here.")
    elif missing:
        name = Path(str(comparison.loaded.path)).name
        command = " ".join(["coprocure stress", name, *(f"--strategy {m}" for m in missing)])
        text = (f"EVPI and VSS of {', '.join(missing)} were not computed: coprocure compare "
                "skips the hindsight and mean-value plans they need. coprocure stress "
                f"computes them: {command}")
    else:
        text = ("EVPI = robust expected cost minus the expected cost of planning each scenario"
                " with hindsight (what perfect foresight would be worth); VSS = expected cost "
                "of the plan made for the mean capacities and prices minus the robust expected"
                " cost (what planning for the spread saves). Robust strategies only.")
    w.paragraph(ws, row - 1, text, width)
    return row + 1


def changes_table(comparison: Comparison) -> pd.DataFrame:
    rows = [{"strategy": c.strategy, "sheet": c.sheet, "row": c.row, "column": c.column,
             "old value": _shown(c.old), "new value": _shown(c.new),
             "set by Strategies row": c.by_row}
            for o in comparison.outcomes for c in o.changes]
    return pd.DataFrame(rows, columns=["strategy", "sheet", "row", "column", "old value",
                                       "new value", "set by Strategies row"])


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _coordination_sheet(w: SheetWriter, comparison: Comparison) -> None:
    ws = w.add_sheet("Coordination")
    value = comparison.coordination
    cur = comparison.base_data.settings.currency
    if value is None:
        name = Path(str(comparison.loaded.path)).name
        w.heading(ws, 0, "What coordination saves", 6)
        w.paragraph(ws, 1, "One partner only: there is no coordination to value."
                    if len(comparison.base_data.buyers) == 1 else
                    "Not computed here: coprocure compare computes the value of coordination "
                    f"and its Shapley split (coprocure compare {name}).", 6, w.wrap)
        return
    partners, coalitions = coordination_tables(comparison)
    lines = [
        f"Joint planning saves {value.total_savings:,.0f} {cur} against every partner planning "
        "alone on its pro-rata share of every offer.",
        "The Shapley value splits it by each partner's average contribution to every "
        "sub-coalition.",
        "The split is STABLE: no group of partners would save more on its own." if value.stable
        else "The split is NOT STABLE: " + "; ".join(
            f"{' + '.join(sorted(c))} would gain {gap:,.0f} {cur} by leaving"
            for c, gap in value.unstable[:5]),
    ]
    span = max(len(partners.columns), len(coalitions.columns)) - 1
    w.heading(ws, 0, "What coordination saves", span)
    lines.insert(0, f"Base workbook; {cur}, present value, penalties included.")
    for i, text in enumerate(lines, start=1):
        w.paragraph(ws, i, text, span, w.wrap)
    first = len(lines) + 2
    ws.write_string(first, 0, "Each partner's fair share", w.bold)
    row = w.table(ws, partners, row=first + 1, freeze=False, autofilter=False)
    w.keep_together(ws, first, row - 2)
    ws.write_string(row, 0, "Every sub-coalition", w.bold)
    end = w.table(ws, coalitions, row=row + 1, freeze=False, autofilter=False)
    w.keep_together(ws, row, end - 2)
    if comparison.sources is not None:
        _sources(w, ws, comparison.sources, cur, end, span)


def _sources(w: SheetWriter, ws: Worksheet, src: CoordinationSources, cur: str, row: int,
             span: int) -> None:
    """Where the value of coordination comes from, in SPEC 3.1's order."""
    ws.write_string(row, 0, "Where the value of coordination comes from (against pro-rata)",
                    w.bold)
    deals = ", ".join(src.deals_only_together) or "none"
    table = pd.DataFrame([
        {"source": "pro-rata: each partner alone, deals whole in Buyers order (C_pr)",
         "value": src.pro_rata},
        {"source": "joint, the deals signed as in pro-rata, discounts on each partner's own "
                   "volume (C1)", "value": src.own_brackets},
        {"source": "the same with discounts on the pooled volume (C2)",
         "value": src.pooled_brackets},
        {"source": "joint (C_joint)", "value": src.joint},
        {"source": f"deals only the coalition signs (C2 - C_joint): {deals}",
         "value": src.from_deals},
        {"source": "discount brackets only pooled volume reaches (C1 - C2)",
         "value": src.from_brackets},
        {"source": "the rest: shared capacity, freight, stock sharing (C_pr - C1)",
         "value": src.from_the_rest},
        {"source": "total (C_pr - C_joint); the Shapley split above shares sum c({i}) - "
                   "c(all), which may differ", "value": src.total},
    ])
    end = w.table(ws, table, row=row + 1, freeze=False, autofilter=False,
                  kinds={"value": "money"}, headers={"value": f"{cur}, present value"})
    w.keep_together(ws, row, end - 2)


def _run_sheet(w: SheetWriter, comparison: Comparison, prov: Provenance) -> None:
    from optimizer import __version__
    from optimizer.solving.highs import HIGHS_OPTIONS, solver_version

    facts: list[tuple[str, object]] = [
        ("tool", f"coprocure {__version__}"), ("solver", solver_version()),
        ("created (UTC)", prov.created), ("input file", prov.input_file),
        ("input sha256", prov.sha256),
        ("strategies", ", ".join(o.name for o in comparison.outcomes)),
        ("solves ran on", prov.computed_on)]
    facts += [("note", note) for note in comparison.notes]
    facts += [(f"HiGHS option {k}", v) for k, v in HIGHS_OPTIONS.items()]
    for o in comparison.outcomes:
        facts.append((f"time: {o.name} (s)", round(o.run.timings.get("total_s", sum(
            o.run.timings.values())), 4)))
    w.run_sheet(facts)
