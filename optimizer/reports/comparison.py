"""The comparison workbook (SPEC 7): strategies side by side, differences to base, the
value of coordination and its Shapley split, the Changes each strategy makes, long
tables with a `strategy` column for pivoting, and four native Excel charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pandas as pd
from xlsxwriter.workbook import Workbook

from optimizer.planning.compare import Comparison, metrics
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter
from optimizer.xlsx import atomic_workbook, write_cell

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart
    from xlsxwriter.worksheet import Worksheet

    from models.data import Settings


def long_table(comparison: Comparison, attribute: str) -> pd.DataFrame:
    """A result table of every planned strategy, stacked, with a `strategy` column first."""
    frames = []
    for o in comparison.outcomes:
        if o.run.result is not None:
            df = getattr(o.run.result, attribute).copy()
            df.insert(0, "strategy", o.name)
            frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def supply_mix(purchases: pd.DataFrame) -> pd.DataFrame:
    """Quantity bought per strategy and supplier country (a row per strategy)."""
    if purchases.empty:
        return pd.DataFrame()
    mix = purchases.pivot_table(index="strategy", columns="country", values="quantity",
                                aggfunc="sum", fill_value=0.0, sort=False)
    return mix.reset_index()


def cover_over_time(comparison: Comparison) -> pd.DataFrame:
    """Coalition days of cover at the end of each period, a column per strategy."""
    periods = list(comparison.base_data.period_labels)
    days = {p.label: p.days for p in comparison.base_data.periods}
    out = pd.DataFrame({"period": periods})
    for o in comparison.outcomes:
        if o.run.result is None:
            continue
        st = o.run.result.stock.groupby("period")[["closing", "demand"]].sum()
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
                     extra: Callable[[SheetWriter, Comparison], None] | None = None) -> None:
    """The comparison workbook; ``extra`` adds sheets before the Run sheet (the stress
    test's disruption sheets, :mod:`optimizer.reports.stress`)."""
    s = comparison.base_data.settings
    table = metrics(comparison)
    purchases = long_table(comparison, "purchases")
    mix = supply_mix(purchases)
    cover = cover_over_time(comparison)
    with atomic_workbook(path) as wb:
        w = SheetWriter(wb, s.unit, s.currency)
        ws = w.add_sheet("Comparison")
        ws.write_string(0, 0, f"{s.name}: strategies side by side (present values; differences "
                        "against base)", w.title)
        w.table(ws, table, row=2)
        charts = w.add_sheet("Charts")
        _coordination_sheet(w, comparison)
        w.sheet("Partners", long_table(comparison, "buyers"),
                note="Each partner's figures as bought. In joint mode, who signs which contract "
                     "is one of many equally cheap allocations: the fair split of the coalition's"
                     " savings is on the Coordination sheet.")
        w.sheet("Changes", changes_table(comparison),
                note="Exactly which workbook cells each strategy overrides.")
        mix_ws = w.sheet("Supply mix", mix, note=f"Quantity bought by supplier country ({s.unit}).")
        cover_ws = w.sheet("Cover", cover, note="Coalition days of cover at the end of each "
                           "period.")
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
        _charts(wb, charts, ws.name, table, mix_ws.name, mix, cover_ws.name, cover, s)


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
        ws.write_string(0, 0, "; ".join(comparison.notes) or "not computed")
        return
    partners, coalitions = coordination_tables(comparison)
    lines = [
        f"What coordination saves (base workbook, {cur}, present value, penalties included)",
        f"Joint planning saves {value.total_savings:,.0f} {cur} against every partner planning "
        "alone on its pro-rata share of every offer.",
        "The Shapley value splits it by each partner's average contribution to every "
        "sub-coalition.",
        "The split is STABLE: no group of partners would save more on its own." if value.stable
        else "The split is NOT STABLE: " + "; ".join(
            f"{' + '.join(sorted(c))} would gain {gap:,.0f} {cur} by leaving"
            for c, gap in value.unstable[:5]),
    ]
    ws.write_string(0, 0, lines[0], w.title)
    for i, text in enumerate(lines[1:], start=1):
        ws.write_string(i, 0, text)
    row = w.table(ws, partners, row=len(lines) + 1, freeze=False, autofilter=False)
    ws.write_string(row, 0, "Every sub-coalition", w.bold)
    w.table(ws, coalitions, row=row + 1, freeze=False, autofilter=False)
    ws.set_column(0, 0, 30)


def _run_sheet(w: SheetWriter, comparison: Comparison, prov: Provenance) -> None:
    from optimizer import __version__
    from optimizer.solving.highs import HIGHS_OPTIONS, solver_version

    ws = w.add_sheet("Run")
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
    for i, (k, v) in enumerate(facts):
        ws.write_string(i, 0, k, w.bold)
        write_cell(ws, i, 1, v)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 90)


def _charts(wb: Workbook, ws: Worksheet, table_sheet: str, table: pd.DataFrame, mix_sheet: str,
            mix: pd.DataFrame, cover_sheet: str, cover: pd.DataFrame, s: Settings) -> None:
    """Four native charts; the data ranges point at the tables written above."""
    n = len(table)
    first, last = 3, 2 + n  # the Comparison table starts at row 2 (0-based header)
    col = {c: i for i, c in enumerate(table.columns)}

    def column_chart(title: str, column: str, y_title: str) -> Chart:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "as planned" if column == "shortfall" else title,
                          "categories": [table_sheet, first, 0, last, 0],
                          "values": [table_sheet, first, col[column], last, col[column]],
                          "data_labels": {"value": False}})
        chart.set_title({"name": title})
        chart.set_y_axis({"name": y_title, "num_format": "#,##0", "min": 0})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": 360})
        return chart

    if "total_cost" in col:
        ws.insert_chart("A1", column_chart("Total cost by strategy",
                                           "total_cost", f"{s.currency}, present value"))
    if not mix.empty:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for j in range(1, len(mix.columns)):
            chart.add_series({"name": [mix_sheet, 2, j],
                              "categories": [mix_sheet, 3, 0, 2 + len(mix), 0],
                              "values": [mix_sheet, 3, j, 2 + len(mix), j]})
        chart.set_title({"name": "Supply mix by country"})
        chart.set_y_axis({"name": f"bought ({s.unit})", "num_format": "#,##0"})
        chart.set_size({"width": 720, "height": 360})
        ws.insert_chart("M1", chart)
    if len(cover.columns) > 1:
        chart = wb.add_chart({"type": "line"})
        for j in range(1, len(cover.columns)):
            chart.add_series({"name": [cover_sheet, 2, j],
                              "categories": [cover_sheet, 3, 0, 2 + len(cover), 0],
                              "values": [cover_sheet, 3, j, 2 + len(cover), j],
                              "marker": {"type": "circle", "size": 4}, "smooth": False})
        chart.set_title({"name": "Stockpile cover over time (coalition)"})
        chart.set_y_axis({"name": "days of cover"})
        chart.set_size({"width": 720, "height": 360})
        ws.insert_chart("A20", chart)
    if "shortfall" in col:
        chart = column_chart("Shortfall by strategy", "shortfall", f"unmet demand ({s.unit})")
        if "worst_shortfall" in col:
            # with disruption scenarios: the plan as made, expected and worst case
            chart.set_title({"name": "Shortfall by strategy, as planned and under disruption"})
            chart.set_legend({"position": "bottom"})
            for key, label in (("expected_shortfall", "expected under disruption"),
                               ("worst_shortfall", "worst case under disruption")):
                chart.add_series({"name": label,
                                  "categories": [table_sheet, first, 0, last, 0],
                                  "values": [table_sheet, first, col[key], last, col[key]]})
        ws.insert_chart("M20", chart)
