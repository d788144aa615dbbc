"""Native Excel charts that read on screen and in print: one font, money axes in units a
planner reads (USD million rather than 11,346,718,841), axis titles with units, and a
Charts sheet laid out in whole pages so that no chart is cut by a page break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xlsxwriter.chart import Chart
from xlsxwriter.worksheet import Worksheet

from optimizer.reports.measure import FONT
from optimizer.reports.pages import ROW_PT
from optimizer.reports.sheets import SheetWriter

LABEL_FONT = {"name": FONT, "size": 9}
AXIS_TITLE_FONT = {"name": FONT, "size": 9, "bold": True}
TITLE_FONT = {"name": FONT, "size": 12, "bold": True}
BASE_LINE = {"color": "#7F7F7F", "dash_type": "dash", "width": 1.5}

# The Charts sheet prints at 100 % on landscape A4 (see sheets.MARGINS): 32 rows of
# 15 pt fit a page; pages of 31 rows leave room for LibreOffice's rounding.
PAGE_ROWS = 31
ROW_PX = ROW_PT * 96 / 72
PAGE_WIDTH_PX = 1000  # of the 1,045 px a landscape page holds between the margins
PAGE_COLUMNS = 16  # default-width columns (64 px) that span a page
FULL_HEIGHT_PX = int((PAGE_ROWS - 2) * ROW_PX) - 10  # below a caption row


@dataclass(frozen=True)
class MoneyScale:
    """How money is shown on an axis: the divisor, its words and a number format that
    divides in the cell's own terms (Excel's thousands-separator scaling)."""

    divisor: float
    words: str  # e.g. "USD million"
    short: str  # e.g. "m", for data labels
    num_format: str

    def label(self, value: float) -> str:
        """A signed figure in this scale, e.g. '+368.0 m'."""
        scaled = value / self.divisor
        digits = 1 if self.divisor > 1 else 0
        return f"{scaled:+,.{digits}f}{(' ' + self.short) if self.short else ''}"


def money_scale(values: Iterable[float | None], currency: str) -> MoneyScale:
    """Millions for tens of millions and more, thousands for tens of thousands, else
    units; one decimal where the scaled figures stay below ten."""
    largest = max((abs(v) for v in values if v is not None and v == v), default=0.0)
    if largest >= 1e7:
        divisor, words, short, commas = 1e6, f"{currency} million", "m", ",,"
    elif largest >= 1e4:
        divisor, words, short, commas = 1e3, f"{currency} thousand", "k", ","
    else:
        divisor, words, short, commas = 1.0, currency, "", ""
    decimals = ".0" if divisor > 1 and largest / divisor < 10 else ""
    return MoneyScale(divisor, words, short, f"#,##0{decimals}{commas}")


def axis(name: str | None = None, num_format: str | None = None, **more: Any) -> dict:
    """An axis with its title and labels in the chart font."""
    out: dict[str, Any] = {"num_font": LABEL_FONT, "name_font": AXIS_TITLE_FONT,
                           "major_gridlines": {"visible": False}}
    if name:
        out["name"] = name
    if num_format:
        out["num_format"] = num_format
    out.update(more)
    return out


def titled(chart: Chart, title: str, legend: str | None = None, small: bool = False
           ) -> Chart:
    """The chart's title in the chart font, and its legend (None: no legend)."""
    chart.set_title({"name": title, "name_font": {**TITLE_FONT, "size": 10}
                     if small else TITLE_FONT})
    if legend is None:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": legend, "font": LABEL_FONT})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    return chart


class ChartPages:
    """Places charts on a Charts sheet page by page: a full-page chart, or a grid of
    small ones, each page opening with a caption; page breaks fall between pages."""

    def __init__(self, w: SheetWriter, ws: Worksheet):
        self.w, self.ws = w, ws
        self.pages = 0
        self.count = 0

    def _caption(self, text: str) -> int:
        """The page's first row: what its charts show, wrapped across the page."""
        row = self.pages * PAGE_ROWS
        self.w.paragraph(self.ws, row, text, PAGE_COLUMNS - 1, self.w.bold_wrap)
        self.pages += 1
        return row + 1

    def full(self, chart: Chart, caption: str) -> None:
        row = self._caption(caption)
        chart.set_size({"width": PAGE_WIDTH_PX, "height": FULL_HEIGHT_PX})
        self.ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4,
                                             "object_position": 3})
        self.count += 1

    def grid(self, charts: list[Chart], caption: str, columns: int = 2, rows: int = 2
             ) -> None:
        """Small charts ``columns`` x ``rows`` to a page, the caption on every page."""
        per_page = columns * rows
        width = PAGE_WIDTH_PX // columns - 10
        band = (PAGE_ROWS - 1) // rows  # rows of the sheet per chart
        height = int(band * ROW_PX) - 12
        for start in range(0, len(charts), per_page):
            top = self._caption(caption if start == 0 else f"{caption} (continued)")
            for k, chart in enumerate(charts[start:start + per_page]):
                chart.set_size({"width": width, "height": height})
                r, c = divmod(k, columns)
                self.ws.insert_chart(top + r * band, 0, chart, {
                    "x_offset": 4 + c * (width + 10), "y_offset": 4, "object_position": 3})
                self.count += 1

    def close(self) -> None:
        self.w.layout(self.ws).breaks = [p * PAGE_ROWS for p in range(1, self.pages)]
        if self.pages:  # text never spills past the charts onto pages of its own
            self.ws.print_area(0, 0, self.pages * PAGE_ROWS - 1, PAGE_COLUMNS - 1)
