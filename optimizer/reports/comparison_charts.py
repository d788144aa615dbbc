"""The Charts sheet of the comparison workbook, a page per chart: what each strategy
costs against base (money and percent, not totals from zero), where it buys, how short it
runs, and its stockpile cover over time beside base's, one small chart per strategy
whose cover differs (ten lines on one chart hide one another)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from xlsxwriter.workbook import Workbook

from optimizer.planning.compare import Comparison
from optimizer.reports.charts import (
    BASE_LINE,
    ChartPages,
    MoneyScale,
    axis,
    money_scale,
    titled,
)
from optimizer.reports.sheets import SheetWriter
from optimizer.workbook.strategies import BASE

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart
    from xlsxwriter.worksheet import Worksheet

COVER_TOLERANCE_DAYS = 0.5  # cover within this of base's in every period: same as base


@dataclass
class Cells:
    """Where the Comparison sheet put each figure: column -> (column index, first data
    row, last data row), for the charts' ranges."""

    sheet: str
    at: dict[str, tuple[int, int, int]]
    strategies: list[str]

    def range(self, column: str, skip_first: bool = False) -> list[object]:
        col, first, last = self.at[column]
        return [self.sheet, first + (1 if skip_first else 0), col, last, col]

    def names(self, column: str, skip_first: bool = False) -> list[object]:
        _, first, last = self.at[column]
        return [self.sheet, first + (1 if skip_first else 0), 0, last, 0]


def differs_from_base(cover: pd.DataFrame) -> list[str]:
    """The strategies whose coalition cover differs from base's in some period."""
    if BASE not in cover.columns:
        return list(cover.columns[1:])
    base = cover[BASE].astype(float)
    return [c for c in cover.columns[1:] if c != BASE
            and not ((cover[c].astype(float) - base).abs().fillna(0.0)
                     <= COVER_TOLERANCE_DAYS).all()]


def charts_sheet(wb: Workbook, w: SheetWriter, ws: Worksheet, cells: Cells,
                 table: pd.DataFrame, mix_sheet: str, mix: pd.DataFrame, cover_sheet: str,
                 cover: pd.DataFrame, comparison: Comparison,
                 stages: tuple[str, pd.DataFrame] | None = None) -> None:
    """The Charts sheet, a page per chart: cost against base, supply mix, country shares
    by stage (``stages``: the Stage mix sheet and table, for a workbook with stages),
    shortfall, and cover over time for each strategy whose cover differs from base's."""
    s = comparison.base_data.settings
    pages = ChartPages(w, ws)
    others = len(cells.strategies) - 1
    alone = ""
    if "total_cost_vs_base" in cells.at and others > 0:
        scale = money_scale(table["total_cost_vs_base"], s.currency)
        pages.full(_cost_chart(wb, cells, table, scale, s.unit),
                   f"What each strategy costs more (+) or less (-) than base over the horizon, "
                   f"{scale.words}, present value, and in percent of base's total cost: money "
                   "spent, so a strategy that leaves demand unmet says how much beside it.")
    elif "total_cost" in cells.at:
        alone = "Only the base workbook was planned: no difference to base to chart. "
    if not mix.empty:
        pages.full(_mix_chart(wb, mix_sheet, mix),
                   f"{alone}Where each strategy buys: the share of the quantity ({s.unit}) "
                   "bought from each supplier country (quantities on the Supply mix sheet).")
    if stages is not None:
        sheet, table = stages
        for stage in dict.fromkeys(table["stage"]):
            rows = [i for i, st in enumerate(table["stage"]) if st == stage]
            pages.full(_mix_chart(wb, sheet, table, f"Country shares at the {stage} stage "
                                  "(share of what is acquired there)", "share acquired",
                                  rows=(rows[0], rows[-1]), names=1),
                       f"Where each strategy's {stage} comes from: bought, by the supplier's "
                       "country, or processed, by the facility's (quantities on the "
                       f"{sheet} sheet; stages inside goods bought finished are not "
                       "tracked). An empty bar: nothing acquired at this stage.")
    if "shortfall" in cells.at:
        pages.full(_shortfall_chart(wb, cells, s.unit),
                   f"Unmet demand of the coalition over the horizon ({s.unit}): as planned"
                   + (", and expected and worst case under the disruption scenarios."
                      if "worst_shortfall" in cells.at else "."))
    if len(cover.columns) > 1:
        _cover_charts(wb, pages, cover_sheet, cover)
    pages.close()


def _cost_chart(wb: Workbook, cells: Cells, table: pd.DataFrame, scale: MoneyScale,
                unit: str) -> Chart:
    chart = wb.add_chart({"type": "bar"})
    blank = pd.Series([None] * len(table), index=table.index)
    pcts = table.get("total_cost_vs_base_pct", blank)
    # total cost counts money spent: a strategy that runs short looks cheap, so its label
    # says how short (its penalties are on the Comparison sheet)
    short = table.get("shortfall", blank)
    labels = [{"value": _difference_label(diff, pct, scale) + _short_label(q, unit)}
              for diff, pct, q in zip(table["total_cost_vs_base"].iloc[1:], pcts.iloc[1:],
                                      short.iloc[1:], strict=True)]
    chart.add_series({
        "name": "total cost vs base",
        "categories": cells.names("total_cost_vs_base", skip_first=True),
        "values": cells.range("total_cost_vs_base", skip_first=True),
        "fill": {"color": "#4F81BD"}, "invert_if_negative": False,
        "data_labels": {"value": True, "custom": labels, "position": "outside_end",
                        "font": {"name": "Arial", "size": 9}},
        "gap": 60})
    titled(chart, "Total cost by strategy against base")
    diffs = pd.to_numeric(table["total_cost_vs_base"].iloc[1:], errors="coerce")
    room = {"min": -_nice(2.0 * -float(diffs.min()))} if diffs.min() < 0 else {}
    chart.set_x_axis(axis(f"difference to base ({scale.words}, present value)",
                          scale.num_format, major_gridlines={"visible": True,
                                                             "line": {"color": "#D9D9D9"}},
                          **room))
    # names at the left edge: beside the zero line they would sit on bars below zero
    chart.set_y_axis(axis(None, None, reverse=True, crossing="max", label_position="low"))
    return chart


def _nice(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at least ``value`` (> 0): an axis end that leaves
    room for the label of a bar below zero, which sits beyond the bar's end."""
    step = 10.0 ** math.floor(math.log10(value))
    return next(k * step for k in (1, 2, 5, 10) if k * step >= value)


def _difference_label(diff: object, pct: object, scale: MoneyScale) -> str:
    """'+365.4 m (+3.2%)'; 'as base' for no difference; '' for a strategy without a plan."""
    if not isinstance(diff, int | float) or diff != diff:
        return ""
    if diff == 0:
        return "as base"
    if not isinstance(pct, int | float) or pct != pct:
        return scale.label(diff)
    digits = 1 if abs(pct) >= 0.001 else 2  # +0.02 %, not +0.0 %
    return f"{scale.label(diff)} ({pct:+.{digits}%})"


def _short_label(quantity: object, unit: str) -> str:
    """', 2,104 t short' for a plan that leaves demand unmet; '' otherwise."""
    if not isinstance(quantity, int | float) or quantity != quantity or quantity < 0.5:
        return ""
    return f", {quantity:,.0f} {unit} short"


def _mix_chart(wb: Workbook, mix_sheet: str, mix: pd.DataFrame,
               title: str = "Supply mix by country (share of the quantity bought)",
               axis_title: str = "share of the quantity bought",
               rows: tuple[int, int] | None = None, names: int = 0) -> Chart:
    """Percent-stacked bars of a mix table (written from row 2): the table's rows
    ``rows`` (first and last, 0-based; default all), named by column ``names``, a series
    per country column after it."""
    chart = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    header = 2
    first, last = (header + 1 + r for r in (rows or (0, len(mix) - 1)))
    for j in range(names + 1, len(mix.columns)):
        chart.add_series({"name": [mix_sheet, header, j],
                          "categories": [mix_sheet, first, names, last, names],
                          "values": [mix_sheet, first, j, last, j], "gap": 50})
    titled(chart, title, legend="bottom")
    chart.set_x_axis(axis(axis_title, "0%",
                          major_gridlines={"visible": True, "line": {"color": "#D9D9D9"}}))
    chart.set_y_axis(axis(None, None, reverse=True, crossing="max"))
    return chart


def _shortfall_chart(wb: Workbook, cells: Cells, unit: str) -> Chart:
    chart = wb.add_chart({"type": "bar"})
    series = [("shortfall", "as planned", "#4F81BD")]
    if "worst_shortfall" in cells.at:
        series += [("expected_shortfall", "expected under disruption", "#F79646"),
                   ("worst_shortfall", "worst case under disruption", "#C0504D")]
    for column, name, color in series:
        chart.add_series({"name": name, "categories": cells.names(column),
                          "values": cells.range(column), "fill": {"color": color},
                          "gap": 60})
    title = "Shortfall by strategy" + (", as planned and under disruption"
                                       if len(series) > 1 else ", as planned")
    titled(chart, title, legend="bottom" if len(series) > 1 else None)
    chart.set_x_axis(axis(f"unmet demand ({unit})", "#,##0", min=0,
                          major_gridlines={"visible": True, "line": {"color": "#D9D9D9"}}))
    chart.set_y_axis(axis(None, None, reverse=True, crossing="max"))
    return chart


def _cover_charts(wb: Workbook, pages: ChartPages, sheet: str, cover: pd.DataFrame) -> None:
    """One small chart per strategy whose cover differs from base's, base dashed beside
    it: ten lines on one chart hide one another."""
    header, first, last = 2, 3, 2 + len(cover)  # the Cover table starts at row 2
    columns = list(cover.columns)
    different = differs_from_base(cover)
    same = [c for c in columns[1:] if c != BASE and c not in different]
    top = float(pd.to_numeric(cover[columns[1:]].stack(), errors="coerce").max() or 0.0)
    y_max = max(10.0, float(10 * int(top / 10 + 1)))

    def chart_of(names: list[str], title: str) -> Chart:
        chart = wb.add_chart({"type": "line"})
        for name in names:
            j = columns.index(name)
            style = {"line": BASE_LINE, "marker": {"type": "none"}} if name == BASE and \
                len(names) > 1 else {"marker": {"type": "circle", "size": 4}}
            chart.add_series({"name": [sheet, header, j],
                              "categories": [sheet, first, 0, last, 0],
                              "values": [sheet, first, j, last, j], "smooth": False, **style})
        titled(chart, title, legend="bottom", small=True)
        chart.set_x_axis(axis(None, None, num_font={"name": "Arial", "size": 8,
                                                    "rotation": -45}))
        chart.set_y_axis(axis("days of cover", "#,##0", min=0, max=y_max,
                              major_gridlines={"visible": True,
                                               "line": {"color": "#D9D9D9"}}))
        return chart

    has_base = BASE in columns
    charts = [chart_of([BASE, name] if has_base else [name],
                       f"Stockpile cover over time: {name}" + (" against base" if has_base
                                                                else ""))
              for name in different]
    caption = "Coalition days of cover at the end of each period, for each strategy whose " \
              "cover differs from base's (dashed: base)."
    if same:
        caption += f" As base: {', '.join(same)}."
    if not charts and len(columns) == 2:
        charts = [chart_of([columns[1]], f"Stockpile cover over time: {columns[1]}")]
        caption = "Coalition days of cover at the end of each period."
    elif not charts:
        charts = [chart_of([columns[1]], "Stockpile cover over time: every strategy")]
        caption = "Coalition days of cover at the end of each period: every strategy keeps " \
                  "the same cover."
    pages.grid(charts, caption)
