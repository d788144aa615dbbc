"""Formatted, printable sheets from tidy tables: headers with units, number formats by
unit, columns as wide as what they hold, and a print setup on every sheet.

One registry says how each column of every output table is labelled and formatted, so
that all workbooks (results, comparisons, stress tests, sweeps) read alike; units come
from the scenario's `unit` and `currency` settings. The print rules live here too, once:
every sheet a :class:`SheetWriter` adds gets A4 paper, landscape where it is wide, fit to
the page width (height free), its header row repeated, and a header and footer naming
the scenario, the strategy, the date and the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from optimizer.reports.measure import (
    FONT,
    FONT_SIZE,
    LINE_PT,
    TITLE_SIZE,
    dynamic_code,
    rendered,
    text_width,
    wrapped_lines,
)
from optimizer.reports.pages import (
    HEADER_MARGIN,
    LANDSCAPE_HEIGHT_PT,
    LANDSCAPE_WIDTH_PX,
    MARGINS,
    PAPER_A4,
    PORTRAIT_HEIGHT_PT,
    PORTRAIT_WIDTH_PX,
    ROW_PT,
    PageHeading,
    SheetLayout,
)
from optimizer.xlsx import write_cell

# column -> (header template, kind); {q} = quantity unit, {m} = currency
COLUMNS: dict[str, tuple[str, str]] = {
    "period": ("period", "period"),
    "arrives": ("arrives", "period"),
    "tier": ("tier", "count"),
    "quantity": ("quantity ({q})", "qty"),
    "capacity": ("capacity ({q})", "qty"),
    "used": ("used ({q})", "qty"),
    "demand": ("demand ({q})", "qty"),
    "shortfall": ("shortfall ({q})", "qty"),
    "opening": ("opening ({q})", "qty"),
    "arrivals": ("arrivals ({q})", "qty"),
    "transfers_in": ("transfers in ({q})", "qty"),
    "transfers_out": ("transfers out ({q})", "qty"),
    "use": ("use ({q})", "qty"),
    "closing": ("closing ({q})", "qty"),
    "floor": ("floor ({q})", "qty"),
    "below_floor": ("below floor ({q})", "qty"),
    "ceiling": ("ceiling ({q})", "qty"),
    "quantity_bought": ("bought ({q})", "qty"),
    "undelivered": ("not delivered ({q})", "qty"),
    "limit": ("limit", "num"),
    "price": ("price ({m}/{q})", "unit_money"),
    "tariff": ("tariff ({m}/{q})", "unit_money"),
    "freight": ("freight ({m}/{q})", "unit_money"),
    "unit_cost": ("landed cost ({m}/{q})", "unit_money"),
    "cost": ("cost ({m})", "money"),
    "holding_cost": ("holding cost ({m}/{q}/period)", "unit_money"),
    "marginal_value": ("value of one more {q} ({m}, present value)", "unit_money"),
    "shadow_price": ("shadow price ({m}, present value)", "unit_money"),
    "cost_pv": ("cost ({m}, present value)", "money"),
    "not_paid_pv": ("not paid ({m}, present value)", "money"),
    "objective": ("objective ({m}, present value, with penalties)", "money"),
    "total_cost": ("total cost ({m}, present value)", "money"),
    "penalties": ("penalties ({m}, present value)", "money"),
    "total_cost_vs_base": ("total cost vs base ({m})", "money"),
    "total_cost_vs_base_pct": ("total cost vs base (%)", "pct"),
    "expected_cost": ("expected cost under disruption ({m}, present value)", "money"),
    "expected_cost_vs_base": ("expected cost vs base under the same disruptions ({m})",
                              "money"),
    "worst_cost": ("worst-case cost under disruption ({m}, present value)", "money"),
    "expected_shortfall": ("expected shortfall under disruption ({q})", "qty"),
    "worst_shortfall": ("worst-case shortfall under disruption ({q})", "qty"),
    "evpi": ("EVPI: value of perfect information ({m})", "money"),
    "vss": ("VSS: value of the stochastic solution ({m})", "money"),
    "probability": ("probability", "pct"),
    "periods_short": ("partner-material periods with shortfall", "count"),
    "periods_below_floor": ("partner-material periods below the reserve floor", "count"),
    "alone_cost": ("cost alone, on its pro-rata share of every offer ({m}, PV)", "money"),
    "shapley_share": ("Shapley share of the savings ({m})", "money"),
    "savings_share": ("share of the savings", "pct"),
    "fair_cost": ("fair cost in the coalition ({m}, PV)", "money"),
    "coalition_cost": ("cost planning together ({m}, PV)", "money"),
    "coalition_savings": ("savings v(S) ({m})", "money"),
    "members_shapley": ("Shapley shares of its members ({m})", "money"),
    "gain_by_leaving": ("would gain by leaving ({m})", "money"),
    "partners": ("partners", "count"),
    "spot_bought": ("spot bought ({q})", "qty"),
    "days_below_floor": ("partner-material days below the reserve floor", "days"),
    "penalty_pv": ("penalties ({m}, present value)", "money"),
    "purchase_spend": ("purchase spend ({m})", "money"),
    "cost_per_unit": ("cost per {q} bought ({m}/{q})", "unit_money"),
    "value": ("value", "num"),
    "utilisation": ("utilisation", "pct"),
    "largest_country_share": ("largest country share", "pct"),
    "china_share": ("China share", "pct"),
    "shortfall_share": ("shortfall share", "pct"),
    "contracted_share": ("share as contracted", "pct"),
    "delivered_share": ("share as delivered", "pct"),
    "hhi": ("HHI of country shares (0-1)", "ratio"),
    "days_of_cover": ("days of cover", "days"),
    "end_days_of_cover": ("days of cover, last period", "days"),
    "signed_by": ("signed by", "text"),
    "upfront_cost": ("upfront cost ({m}, first period of the term)", "money"),
    "fixed_cost": ("fixed cost ({m} per period of the term)", "money"),
    "term": ("term", "text"),
    "volume": ("volume taken ({q})", "qty"),
    "cost_to_sign": ("if signed, the plan would cost more by ({m}, PV)", "money"),
    "bracket": ("bracket", "count"),
    # the total cost is net of it (SPEC 3.1 family 13)
    "closing_stock_value": ("stock left at the end, credited ({m}, PV)", "money"),
    "from_quantity": ("from ({q})", "qty"),
    "saved": ("saved against the Supply price ({m})", "money"),
    # processing (SPEC 3.2)
    "finishes": ("finishes", "period"),
    "fee": ("toll fee ({m}/{q} of output)", "unit_money"),
    "lead_time": ("lead time (periods)", "count"),
    "inputs_per_unit": ("inputs per {q} of output", "text"),
    "inputs_used": ("inputs drawn from stock", "text"),
    "share_of_stage": ("share of the stage", "pct"),
    # share of demand met over the horizon, the lowest of every partner and material
    "demand_met": ("lowest share met", "pct"),
    "demand_met_where": ("lowest for", "text"),
    "worst_demand_met": ("lowest share met", "pct"),
    "worst_demand_met_where": ("lowest for, in", "text"),
    "processed": ("made by processing ({q})", "qty"),
    "processing_input": ("drawn for processing ({q})", "qty"),
}

# Number formats by kind. Whole units for quantities, money and days (a planner reads
# tonnes and dollars, not their decimals); "unit_money" and "num" take their precision
# from the column's magnitude (see measure.dynamic_code).
KIND_FORMATS: dict[str, str | None] = {
    "qty": "#,##0", "money": "#,##0", "pct": "0.0%", "ratio": "0.000", "days": "#,##0",
    "count": "#,##0", "period": None, "text": None,
}
DYNAMIC_KINDS = ("unit_money", "num")

GRID_COLOR = "#BFBFBF"
MAX_TEXT_WIDTH = 40.0  # longer text in a table wraps: a sheet of notes stays legible in print
MAX_KEY_WIDTH = 60.0  # a key of a key-value sheet (the Run sheet, a summary)
HEADER_LINES = 3  # a header may wrap onto this many lines before its column widens

_PERIOD_NUMBER = re.compile(r"(0|[1-9][0-9]{0,8})")
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _spec(column: str, default: tuple[str, str]) -> tuple[str, str]:
    """Header template and kind of a column; `cost_pv:Japan` is Japan's cost."""
    if column.startswith(("cost_pv:", "cost_vs_base:")):
        kind, name = column.split(":", 1)
        name = name.replace("{", "{{").replace("}", "}}")
        what = "cost" if kind == "cost_pv" else "cost vs base"
        return (f"{what} {name} ({{m}}, present value)", "money")
    if column.startswith(("demand_met:", "worst_demand_met:")):  # demand_met:EU|Dy oxide
        pair = column.split(":", 1)[1].replace("{", "{{").replace("}", "}}")
        return (pair.replace("|", " "), "pct")
    if "@" in column:  # a figure at one processing stage: largest_country_share@magnet
        base, stage = column.split("@", 1)
        template, kind = COLUMNS.get(base, (base.replace("_", " "), "text"))
        stage = stage.replace("{", "{{").replace("}", "}}")
        return (f"{template} at {stage}", kind)
    return COLUMNS.get(column, default)


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, no []:*?/\\) close to ``wanted``."""
    base = _INVALID_SHEET_CHARS.sub("-", wanted).strip("'") or "Sheet"
    name = base[:31]
    n = 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def period_value(value: Any) -> Any:
    """A period label as a cell holds it: "2026" (or 2026.0) is the number 2026; a label
    such as "2026Q1" or "*" stays text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _PERIOD_NUMBER.fullmatch(value.strip()):
        return int(value)
    return value


class SheetWriter:
    """Writes tables into one workbook with shared formats and one print setup.

    Add every sheet with :meth:`add_sheet` (or :meth:`sheet`) and call :meth:`finish`
    before the workbook closes: it gives each sheet its print setup.
    """

    def __init__(self, wb: Workbook, unit: str, currency: str,
                 heading: PageHeading | None = None):
        self.wb = wb
        self.unit, self.currency = unit, currency
        self.page_heading = heading
        self.taken: set[str] = set()
        self._widths: dict[tuple[str, int], float] = {}
        self._heights: dict[tuple[str, int], float] = {}
        self._layouts: dict[str, SheetLayout] = {}
        _default_font(wb)
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                   "text_wrap": True, "valign": "top"})
        self.head_number = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                          "text_wrap": True, "valign": "top",
                                          "align": "right"})
        self.title = wb.add_format({"bold": True, "font_size": TITLE_SIZE, "text_wrap": True,
                                    "valign": "top"})
        self.bold = wb.add_format({"bold": True})
        self.bold_wrap = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.note = wb.add_format({"text_wrap": True, "valign": "top", "italic": True})
        self._formats: dict[str, Any] = {}
        self.fmt = {k: self.number_format(v) for k, v in KIND_FORMATS.items() if v}

    # ----------------------------------------------------------------- formats, widths
    def number_format(self, code: str | None, wrap: bool = False, boxed: bool = False,
                      left: bool = False) -> Any:
        """A cell format with number format ``code`` (None: General); ``boxed`` draws
        the light border of a table's cells (tables print without gridlines); ``left``
        aligns numbers left (a value beside its label)."""
        key = f"{code}|{wrap}|{boxed}|{left}"
        if key not in self._formats:
            props: dict[str, Any] = {"num_format": code} if code else {}
            if left:
                props["align"] = "left"
            if wrap:
                props.update({"text_wrap": True, "valign": "top"})
            if boxed:  # top-aligned: a row with a wrapped cell reads from its top line
                props.update({"border": 1, "border_color": GRID_COLOR, "valign": "top"})
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def header_format(self, code: str | None) -> Any:
        """The header cells' format with number format ``code`` (numbers as headers)."""
        key = f"head|{code}"
        if key not in self._formats:
            props: dict[str, Any] = {"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "valign": "top", "align": "right"}
            if code:
                props["num_format"] = code
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def header(self, column: str) -> str:
        template = _spec(column, (column.replace("_", " "), "text"))[0]
        return template.format(q=self.unit, m=self.currency)

    def kind(self, column: str, series: pd.Series | None = None) -> str | None:
        kind = _spec(column, ("", ""))[1] or None
        if kind is None and series is not None and pd.api.types.is_float_dtype(series):
            kind = "num"
        return kind

    def code(self, kind: str | None, values: Iterable[Any] = ()) -> str | None:
        """The number format of ``kind`` for a column holding ``values``."""
        if kind in DYNAMIC_KINDS:
            return dynamic_code(values)
        return KIND_FORMATS.get(kind) if kind else None

    def widen(self, ws: Worksheet, column: int, width: float) -> None:
        """Column widths only grow: several tables on one sheet share its columns."""
        key = (ws.name, column)
        if width > self._widths.get(key, 0):
            self._widths[key] = width
            ws.set_column(column, column, width)

    def width(self, ws: Worksheet, column: int) -> float:
        return self._widths.get((ws.name, column), 8.43)

    def set_height(self, ws: Worksheet, row: int, points: float) -> None:
        """A row's height only grows, like a column's width."""
        key = (ws.name, row)
        if points > self._heights.get(key, 0):
            self._heights[key] = points
            ws.set_row(row, points)

    # ------------------------------------------------------------------------- sheets
    def add_sheet(self, wanted: str, charts: bool = False) -> Worksheet:
        ws = self.wb.add_worksheet(sheet_name(wanted, self.taken))
        self._layouts[ws.name] = SheetLayout(ws, fixed=charts)
        if charts:
            self.rows_for_charts(ws)
        return ws

    def rows_for_charts(self, ws: Worksheet) -> None:
        """Rows of a fixed height: a chart is anchored to rows, and rows left to the
        reader's font would stretch or squash it."""
        ws.set_default_row(ROW_PT)

    def layout(self, ws: Worksheet) -> SheetLayout:
        return self._layouts[ws.name]

    def table(self, ws: Worksheet, df: pd.DataFrame, row: int = 0, col: int = 0,
              freeze: bool = True, autofilter: bool = True,
              kinds: dict[str, str | Sequence[str]] | None = None,
              headers: dict[str, str] | None = None, default_kind: str | None = None,
              cells: Mapping[str, Sequence[Any]] | None = None) -> int:
        """Write ``df`` with its header at (row, col); return the next free row.

        ``kinds`` overrides a column's kind (one kind, or one per row), ``headers`` its
        header, ``default_kind`` the kind of numeric columns the registry does not know;
        ``cells`` replaces a column's blank values by the given text (for example
        "not computed"). The header row repeats on every printed page when ``freeze``.
        """
        kinds, headers, cells = kinds or {}, headers or {}, cells or {}
        columns = list(df.columns)
        for j, name in enumerate(columns):
            values = [_plain(v) for v in df[name]]
            numeric = pd.api.types.is_numeric_dtype(df[name]) and \
                not pd.api.types.is_bool_dtype(df[name])
            kind = kinds.get(name) or _spec(name, ("", ""))[1] or (
                default_kind if numeric else None) or self.kind(name, df[name])
            if kind == "period":
                values = [period_value(v) for v in values]
            if name in cells:
                values = [text if v is None and text else v
                          for v, text in zip(values, cells[name], strict=True)]
            self._column(ws, row, col + j, headers.get(name) or self.header(name), values,
                         kind)
        if freeze:
            ws.freeze_panes(row + 1, 0)
            layout = self.layout(ws)
            if layout.repeat is None:
                layout.repeat = (row, row)
        if autofilter and len(df):
            ws.autofilter(row, col, row + len(df), col + len(columns) - 1)
        return row + len(df) + 2

    def _column(self, ws: Worksheet, row: int, col: int, header: str, values: list[Any],
                kind: str | Sequence[str] | None) -> None:
        """One column: header, cells in their formats, its width and any wrapped rows."""
        per_row = [kind] * len(values) if kind is None or isinstance(kind, str) else list(kind)
        codes: dict[str | None, str | None] = {}
        for k in set(per_row):
            codes[k] = self.code(k, [v for v, kk in zip(values, per_row, strict=True)
                                     if kk == k])
        shown = [rendered(v, codes[k]) for v, k in zip(values, per_row, strict=True)]
        # each distinct text measured once: a results table repeats its names and numbers
        # (490,000 cells, 63,000 distinct texts on the medium benchmark)
        longest = max((text_width(s) for s in set(shown)), default=0.0) + 1.5
        wrap = longest > MAX_TEXT_WIDTH
        width = min(longest, MAX_TEXT_WIDTH)
        width = max(width, _header_width(header, width), 6.0)
        numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in values) \
            or any(k not in (None, "text") for k in per_row)
        ws.write_string(row, col, header, self.head_number if numeric else self.head)
        self.set_height(ws, row, wrapped_lines(header, width - 1.0, bold=True) * LINE_PT + 3)
        fmt = {k: self.number_format(code, wrap=wrap, boxed=True) for k, code in codes.items()}
        for i, (value, k) in enumerate(zip(values, per_row, strict=True), start=row + 1):
            if value.__class__ is float or value.__class__ is int:  # most cells: no dispatch
                ws.write_number(i, col, value, fmt[k])
            else:
                write_cell(ws, i, col, value, fmt[k])
            if wrap and isinstance(value, str):
                lines = wrapped_lines(value, width)
                if lines > 1:
                    self.set_height(ws, i, lines * LINE_PT + 2)
        self.widen(ws, col, width)

    def sheet(self, wanted: str, df: pd.DataFrame, note: str | None = None,
              **options: Any) -> Worksheet:
        """A sheet holding one table, with an optional note above it."""
        ws = self.add_sheet(wanted)
        start = 0
        if note:
            self.paragraph(ws, 0, note, max(len(df.columns) - 1, 0))
            start = 2
        self.table(ws, df, row=start, **options)
        return ws

    def paragraph(self, ws: Worksheet, row: int, text: str, last_col: int,
                  fmt: Any = None) -> None:
        """Text across columns 0..last_col, wrapped; its height is set once the columns'
        widths are known (:meth:`finish`)."""
        fmt = fmt or self.note
        if last_col > 0:
            ws.merge_range(row, 0, row, last_col, "", fmt)
        ws.write_string(row, 0, text, fmt)
        self.layout(ws).paragraphs.append((row, last_col, text, fmt is self.title))

    def heading(self, ws: Worksheet, row: int, text: str, last_col: int) -> None:
        """A sheet's title across columns 0..last_col, wrapped where it is longer."""
        self.paragraph(ws, row, text, last_col, self.title)

    def facts(self, ws: Worksheet, facts: Sequence[tuple[str, Any]], row: int = 0,
              formats: Sequence[Any] | None = None) -> int:
        """Key-value rows (the Run sheet, a summary), keys in bold; ``formats`` gives
        each value's cell format. Return the next free row."""
        keys = [str(k) for k, _ in facts]
        values = [_plain(v) for _, v in facts]
        formats = list(formats) if formats is not None else [None] * len(facts)
        key_width = min(max((text_width(k, bold=True) for k in keys), default=10.0) + 1.5,
                        MAX_KEY_WIDTH)
        value_width = min(max((text_width(rendered(v, _code_of(f)))
                               for v, f in zip(values, formats, strict=True)),
                              default=10.0) + 1.5, 90.0)
        self.widen(ws, 0, key_width)
        self.widen(ws, 1, value_width)
        for i, (key, value, fmt) in enumerate(zip(keys, values, formats, strict=True),
                                              start=row):
            ws.write_string(i, 0, key, self.bold_wrap)
            write_cell(ws, i, 1, value, self.number_format(_code_of(fmt), wrap=True,
                                                          left=True))
            lines = max(wrapped_lines(key, key_width, bold=True),
                        wrapped_lines(value, value_width) if isinstance(value, str) else 1)
            if lines > 1:
                self.set_height(ws, i, lines * LINE_PT + 2)
        return row + len(facts)

    def run_sheet(self, facts: Sequence[tuple[str, Any]], wanted: str = "Run") -> Worksheet:
        """The sheet of how the workbook was made: key-value rows, printed portrait (a
        long sha256 or path shrinks the page a little rather than turning it)."""
        ws = self.add_sheet(wanted)
        self.facts(ws, facts)
        self.layout(ws).landscape = False
        return ws

    def keep_together(self, ws: Worksheet, first: int, last: int) -> None:
        """Rows first..last print on one page where they fit on one."""
        self.layout(ws).blocks.append((first, last))

    # -------------------------------------------------------------------- print setup
    def finish(self) -> None:
        """Give every sheet its print setup (call once, after everything is written)."""
        for layout in self._layouts.values():
            ws = layout.ws
            for row, last_col, text, title in layout.paragraphs:
                width = sum(self.width(ws, c) for c in range(last_col + 1))
                size = TITLE_SIZE / FONT_SIZE if title else 1.0
                lines = wrapped_lines(text, width / size, bold=title)
                self.set_height(ws, row, lines * LINE_PT * size + 4)
            ws.set_paper(PAPER_A4)
            ws.set_margins(**MARGINS)
            if self.page_heading is not None:
                ws.set_header(self.page_heading.header(), {"margin": HEADER_MARGIN})
                ws.set_footer(self.page_heading.footer(), {"margin": HEADER_MARGIN})
            if layout.fixed:
                ws.set_landscape()
                ws.set_print_scale(100)
                if layout.breaks:
                    ws.set_h_pagebreaks(layout.breaks)
                continue
            wide = self.sheet_width_px(ws) > PORTRAIT_WIDTH_PX
            landscape = wide if layout.landscape is None else layout.landscape
            if landscape:
                ws.set_landscape()
            else:
                ws.set_portrait()
            ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
            if layout.repeat is not None:
                ws.repeat_rows(*layout.repeat)
            breaks = self._block_breaks(layout, landscape) + layout.breaks
            if breaks:
                ws.set_h_pagebreaks(sorted(set(breaks)))

    def sheet_width_px(self, ws: Worksheet) -> float:
        return sum(w * 7 + 5 for (name, _), w in self._widths.items() if name == ws.name)

    def _block_breaks(self, layout: SheetLayout, landscape: bool) -> list[int]:
        """Page breaks that keep each block of rows on one page, from an estimate of
        the printed height (rows of unknown height count as ROW_PT)."""
        if not layout.blocks:
            return []
        ws = layout.ws
        page_w = LANDSCAPE_WIDTH_PX if landscape else PORTRAIT_WIDTH_PX
        scale = min(1.0, page_w / max(self.sheet_width_px(ws), 1.0))
        room = (LANDSCAPE_HEIGHT_PT if landscape else PORTRAIT_HEIGHT_PT) / scale

        def height(first: int, last: int) -> float:
            return sum(self._heights.get((ws.name, r), ROW_PT) for r in range(first, last + 1))

        repeated = height(*layout.repeat) if layout.repeat else 0.0
        breaks, page_top = [], 0
        for first, last in sorted(layout.blocks):
            used = height(page_top, last) + (repeated if page_top else 0.0)
            fits_alone = height(first, last) + repeated <= room
            if used > room and first > page_top and fits_alone:
                breaks.append(first)
                page_top = first
        return breaks


def _header_width(header: str, width: float) -> float:
    """The narrowest width, from ``width`` up, at which ``header`` wraps onto at most
    HEADER_LINES lines with no word broken."""
    longest_word = max((text_width(w, bold=True) for w in header.split()), default=0.0)
    width = max(width, longest_word + 2.5)
    while wrapped_lines(header, width - 1.0, bold=True) > HEADER_LINES:
        width += 1.0
    return width


def _code_of(fmt: Any) -> str | None:
    """The number format of an XlsxWriter format (None: General)."""
    code = getattr(fmt, "num_format", None)
    return code if isinstance(code, str) and code else None


def _default_font(wb: Workbook) -> None:
    """Arial 10 for every cell, the written ones and the blank ones alike.

    Calibri, XlsxWriter's default, has no metric twin in a stock LibreOffice (it falls
    back to a wider font, and columns sized for Calibri show ###); Arial has one
    (Liberation Sans), so widths measured here hold in Excel and in LibreOffice.
    """
    wb.formats[0].set_font_name(FONT)
    wb.formats[0].set_font_size(FONT_SIZE)
    wb.default_format_properties.update({"font_name": FONT, "font_size": FONT_SIZE,
                                         "font_scheme": "none"})


def _plain(value: Any) -> Any:
    """Numpy scalars and NaN into what a spreadsheet cell holds."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value
