"""The sweep workbook: every point, a native chart of cost against the swept value (a
heat map table for a two-way grid), and the run's provenance. The varied value is named
in the planner's words ("the country cap share (Policies: country-cap)") with its unit,
never as the internal label Policies[policy=country-cap].share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from optimizer.planning.sweep import CURVES, Vary
from optimizer.reports.charts import ROW_PX, axis, money_scale, titled
from optimizer.reports.measure import LINE_PT, text_width, wrapped_lines
from optimizer.reports.pages import PageHeading
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter
from optimizer.workbook.schema import SheetName
from optimizer.xlsx import atomic_workbook, write_cell

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

# A varied workbook column: its words, the kind of its cells and its unit ({q} = quantity
# unit, {m} = currency); a column not listed is a plain number named by its header.
VARIED: dict[str, tuple[str, str, str]] = {
    "share": ("share", "pct", "%"),
    "min_days": ("minimum days of cover", "days", "days"),
    "min_level": ("minimum stock level", "qty", "{q}"),
    "max_level": ("storage ceiling", "qty", "{q}"),
    "initial": ("initial stock", "qty", "{q}"),
    "capacity": ("capacity", "qty", "{q} per period"),
    "min_offtake": ("minimum offtake", "qty", "{q} per period"),
    "demand": ("demand", "qty", "{q} per period"),
    "max": ("transfer limit", "qty", "{q} per period"),
    "from_quantity": ("discount threshold", "qty", "{q}"),
    "price": ("price", "unit_money", "{m}/{q}"),
    "freight": ("freight", "unit_money", "{m}/{q}"),
    "cost": ("transfer cost", "unit_money", "{m}/{q}"),
    "fee": ("processing fee", "unit_money", "{m}/{q}"),
    "holding_cost": ("holding cost", "unit_money", "{m}/{q} per period"),
    "penalty": ("penalty", "unit_money", "{m}/{q}"),
    "shortage_penalty": ("shortage penalty", "unit_money", "{m}/{q}"),
    "budget": ("budget", "money", "{m}"),
    "upfront_cost": ("upfront cost", "money", "{m}"),
    "fixed_cost": ("fixed cost", "money", "{m} per period"),
    "tariff": ("tariff", "pct", "%"),
    "discount_rate": ("discount rate", "pct", "% per period"),
    "capacity_factor": ("capacity factor", "pct", "%"),
    "probability": ("probability", "pct", "%"),
    "spot_premium": ("spot premium", "pct", "%"),
    "reserve_gap_penalty": ("reserve gap penalty", "pct", "% of the shortage penalty"),
    "cvar_alpha": ("CVaR level", "pct", "%"),
    "closing_stock_value": ("closing stock value", "pct", "% of the credit price"),
    "price_factor": ("price factor", "num", "times the price"),
    "days": ("period length", "days", "days"),
}
# Where-keys whose value names a row of its sheet on its own (a policy, a deal)
NAMING_KEYS = ("policy", "deal", "facility", "scenario")
CURVE_WORDS = {"diversification": "the largest share any one country may have",
               "stockpile": "the days of cover required of every partner and material"}
ONE_PAGE_ROWS = 25  # a sweep table this long prints on its first page
# the number format of a chart axis for each kind of varied value
AXIS_FORMATS = {"pct": "0%", "days": "#,##0", "qty": "#,##0", "money": "#,##0",
                "unit_money": "#,##0"}


@dataclass(frozen=True)
class Varied:
    """A varied value as a planner reads it."""

    subject: str  # "the country cap share (Policies: country-cap)"
    header: str  # "country cap share (%)": the table's header and the axis title
    kind: str  # the SheetWriter kind of its cells


def varied(vary: Vary, unit: str, currency: str) -> Varied:
    words, kind, suffix = VARIED.get(vary.column, (vary.column.replace("_", " "), "num", ""))
    suffix = suffix.format(q=unit, m=currency)
    pairs = [tuple(p.strip() for p in part.split("=", 1)) for part in vary.where.split(";")
             if "=" in part]
    curve = next((name for name, (v, _) in CURVES.items() if v == vary), None)
    if curve is not None:
        subject = CURVE_WORDS[curve]
    elif len(pairs) == 1 and pairs[0][0].lower() in NAMING_KEYS:
        name = pairs[0][1]
        words = f"{name.replace('-', ' ').replace('_', ' ')} {words}"
        subject = f"the {words} ({vary.sheet}: {name})"
    elif pairs:
        named = ", ".join(v if k.lower() in ("supplier", "buyer", "material", "country")
                          else f"{k} {v}" for k, v in pairs)
        subject = f"the {words} ({vary.sheet}: {named})"
    elif vary.sheet == SheetName.SETTINGS:
        subject = f"the {words} (Settings)"
    else:
        subject = f"the {words} (every {vary.sheet} row)"
    header = words if not suffix or suffix in words else f"{words} ({suffix})"
    return Varied(subject, header, kind)


def write_sweep(path: str | Path, table: pd.DataFrame, varies: list[Vary], unit: str,
                currency: str, title: str, prov: Provenance) -> None:
    """The sweep workbook. ``title`` is the command's ("NAME: strategy S, ..."): its
    scenario name heads every printed page."""
    named = [varied(v, unit, currency) for v in varies]
    scenario = title.split(": strategy ", 1)[0]
    heading = PageHeading(scenario, f"sweep of strategy {prov.strategy}", prov.created,
                          Path(prov.input_file).name)
    with atomic_workbook(path) as wb:
        w = SheetWriter(wb, unit, currency, heading)
        ws = w.add_sheet("Sweep")
        w.rows_for_charts(ws)
        against = " and ".join(n.subject for n in named)
        w.heading(ws, 0, f"Total cost against {against}", max(len(table.columns) - 1, 6))
        w.paragraph(ws, 1, f"{scenario}, strategy {prov.strategy}. Money in {currency}, "
                    "present value over the horizon.", max(len(table.columns) - 1, 6))
        kinds: dict[str, str | list[str]] = {v.label: n.kind for v, n in zip(varies, named,
                                                                           strict=True)}
        headers = {v.label: n.header for v, n in zip(varies, named, strict=True)}
        end = w.table(ws, table, row=3, kinds=dict(kinds), headers=headers)
        if len(table) <= ONE_PAGE_ROWS:
            w.layout(ws).repeat = None  # the table prints on one page: no header above the chart
        if "total_cost" in table and len(varies) == 1:
            _curve(w, ws, table, varies[0], named[0], currency, end)
        if "total_cost" in table and len(varies) == 2:
            _heat_map(w, table, varies, named, currency)
        facts: list[tuple[str, object]] = [
            ("input file", prov.input_file), ("input sha256", prov.sha256),
            ("strategy", prov.strategy), ("created (UTC)", prov.created),
            ("solves ran on", prov.computed_on)]
        facts += [(f"varied: {n.subject}", ", ".join(f"{x:g}" for x in v.values))
                  for v, n in zip(varies, named, strict=True)]
        facts += [(f"varied (workbook cells): {v.label}", f"{v.sheet}:{v.where}:{v.column}")
                  for v in varies]
        w.run_sheet(facts)
        w.finish()


def _curve(w: SheetWriter, ws: Worksheet, table: pd.DataFrame, vary: Vary, named: Varied,
           currency: str, row: int) -> None:
    """Cost against the varied value, below the table, kept whole on one printed page."""
    wb = w.wb
    n = len(table)
    first, last = 4, 3 + n  # the table's header is on row 3
    col = list(table.columns).index("total_cost")
    scale = money_scale(table["total_cost"], currency)
    chart = wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    chart.add_series({"name": "total cost", "categories": [ws.name, first, 0, last, 0],
                      "values": [ws.name, first, col, last, col],
                      "marker": {"type": "circle", "size": 6}, "line": {"width": 2}})
    titled(chart, f"Total cost against {named.subject}")
    low, high = min(vary.values), max(vary.values)
    span = {"min": low, "max": high} if high > low else {}
    chart.set_x_axis(axis(named.header, AXIS_FORMATS.get(named.kind), **span,
                          major_gridlines={"visible": True, "line": {"color": "#D9D9D9"}}))
    chart.set_y_axis(axis(f"total cost ({scale.words}, present value)", scale.num_format,
                          major_gridlines={"visible": True, "line": {"color": "#D9D9D9"}}))
    width = int(min(max(w.sheet_width_px(ws), 640), 1000))
    rows = 22
    chart.set_size({"width": width, "height": int(rows * ROW_PX) - 10})
    ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    w.keep_together(ws, row, row + rows)


def _heat_map(w: SheetWriter, table: pd.DataFrame, varies: list[Vary], named: list[Varied],
              currency: str) -> None:
    """Total cost over the grid: a row per value of the first varied value, a column per
    value of the second, green where it costs least."""
    a, b = varies[0].label, varies[1].label
    grid = table.pivot_table(index=a, columns=b, values="total_cost", aggfunc="first",
                             sort=False)
    ws = w.add_sheet("Heat map")
    last_row, last_col = 3 + len(grid), len(grid.columns)
    span = max(last_col, 4)
    w.heading(ws, 0, f"Total cost ({currency}, present value) over the grid", span)
    w.paragraph(ws, 1, f"Rows: {named[0].subject}. Columns: {named[1].subject}. Green costs "
                "least, red most.", span)
    row_fmt = w.number_format(w.code(named[0].kind, grid.index), boxed=True)
    col_head = w.header_format(w.code(named[1].kind, grid.columns))
    corner = f"{named[0].header} (rows) / {named[1].header} (columns)"
    ws.write_string(3, 0, corner, w.head)
    for j, x in enumerate(grid.columns, start=1):
        write_cell(ws, 3, j, float(x), col_head)
    money = w.number_format(w.code("money"), boxed=True)
    for i, (y, values) in enumerate(grid.iterrows(), start=4):
        write_cell(ws, i, 0, float(y), row_fmt)
        for j, value in enumerate(values, start=1):
            write_cell(ws, i, j, None if pd.isna(value) else float(value), money)
    ws.conditional_format(4, 1, last_row, last_col, {
        "type": "3_color_scale", "min_color": "#63BE7B", "mid_color": "#FFEB84",
        "max_color": "#F8696B"})
    longest = max((text_width(f"{v:,.0f}") for v in grid.to_numpy().ravel() if v == v),
                  default=6.0)
    w.widen(ws, 0, max(24.0, text_width(named[0].header, bold=True) + 2.5))
    w.set_height(ws, 3, wrapped_lines(corner, w.width(ws, 0) - 1, bold=True) * LINE_PT + 3)
    for j in range(1, last_col + 1):
        w.widen(ws, j, longest + 2)
    w.layout(ws).repeat = (3, 3)
