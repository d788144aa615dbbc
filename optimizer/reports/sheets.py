"""Formatted sheets from tidy tables: headers with units, number formats, frozen panes.

One registry says how each column of every output table is labelled and formatted, so
that all workbooks (results, comparisons, sweeps) read alike. Units come from the
scenario's `unit` and `currency` settings.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from optimizer.xlsx import write_cell

# column -> (header template, format key); {q} = quantity unit, {m} = currency
COLUMNS: dict[str, tuple[str, str]] = {
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
    "ceiling": ("ceiling ({q})", "qty"),
    "quantity_bought": ("bought ({q})", "qty"),
    "limit": ("limit", "num"),
    "price": ("price ({m}/{q})", "money"),
    "tariff": ("tariff ({m}/{q})", "money"),
    "freight": ("freight ({m}/{q})", "money"),
    "unit_cost": ("landed cost ({m}/{q})", "money"),
    "cost": ("cost ({m})", "money"),
    "holding_cost": ("holding cost ({m}/{q}/period)", "money"),
    "marginal_value": ("value of one more {q} ({m}, present value)", "money"),
    "shadow_price": ("shadow price ({m}, present value)", "money"),
    "cost_pv": ("cost ({m}, present value)", "money"),
    "objective": ("objective ({m}, present value, with penalties)", "money"),
    "total_cost": ("total cost ({m}, present value)", "money"),
    "penalties": ("penalties ({m}, present value)", "money"),
    "total_cost_vs_base": ("total cost vs base ({m})", "money"),
    "total_cost_vs_base_pct": ("total cost vs base", "pct"),
    "expected_cost": ("expected cost under disruption ({m}, present value)", "money"),
    "worst_cost": ("worst-case cost under disruption ({m}, present value)", "money"),
    "expected_shortfall": ("expected shortfall under disruption ({q})", "qty"),
    "worst_shortfall": ("worst-case shortfall under disruption ({q})", "qty"),
    "evpi": ("EVPI ({m})", "money"),
    "vss": ("VSS ({m})", "money"),
    "probability": ("probability", "pct"),
    "periods_short": ("partner-material periods with shortfall", "num"),
    "periods_below_floor": ("partner-material periods below the reserve floor", "num"),
    "alone_cost": ("cost alone, on its pro-rata share of every offer ({m}, PV)", "money"),
    "shapley_share": ("Shapley share of the savings ({m})", "money"),
    "savings_share": ("share of the savings", "pct"),
    "fair_cost": ("fair cost in the coalition ({m}, PV)", "money"),
    "coalition_cost": ("cost planning together ({m}, PV)", "money"),
    "coalition_savings": ("savings v(S) ({m})", "money"),
    "members_shapley": ("Shapley shares of its members ({m})", "money"),
    "gain_by_leaving": ("would gain by leaving ({m})", "money"),
    "spot_bought": ("spot bought ({q})", "qty"),
    "days_below_floor": ("partner-material days below the reserve floor", "num"),
    "penalty_pv": ("penalties ({m}, present value)", "money"),
    "purchase_spend": ("purchase spend ({m})", "money"),
    "cost_per_unit": ("cost per {q} bought ({m})", "money"),
    "value": ("value", "num"),
    "utilisation": ("utilisation", "pct"),
    "largest_country_share": ("largest country share", "pct"),
    "china_share": ("China share", "pct"),
    "shortfall_share": ("shortfall share", "pct"),
    "hhi": ("HHI of country shares (0-1)", "ratio"),
    "days_of_cover": ("days of cover", "days"),
    "end_days_of_cover": ("days of cover, last period", "days"),
}

FORMATS = {"qty": "#,##0.0", "money": "#,##0", "num": "#,##0.####", "pct": "0.0%",
           "ratio": "0.000", "days": "0.0", "text": "@"}

def _spec(column: str, default: tuple) -> tuple:
    """Header template and format of a column; `cost_pv:Japan` is Japan's cost."""
    if column.startswith(("cost_pv:", "cost_vs_base:")):
        kind, name = column.split(":", 1)
        name = name.replace("{", "{{").replace("}", "}}")
        what = "cost" if kind == "cost_pv" else "cost vs base"
        return (f"{what} {name} ({{m}}, present value)", "money")
    return COLUMNS.get(column, default)


_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


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


class SheetWriter:
    """Writes tables into one workbook with shared formats."""

    def __init__(self, wb: Workbook, unit: str, currency: str):
        self.wb = wb
        self.unit, self.currency = unit, currency
        self.taken: set[str] = set()
        self._widths: dict[tuple[str, int], float] = {}
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                   "text_wrap": True, "valign": "top"})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.fmt = {k: wb.add_format({"num_format": v}) for k, v in FORMATS.items()}

    def header(self, column: str) -> str:
        template = _spec(column, (column.replace("_", " "), "text"))[0]
        return template.format(q=self.unit, m=self.currency)

    def column_format(self, column: str, series: pd.Series | None = None) -> Any:
        key = _spec(column, (None, None))[1]
        if key is None and series is not None and pd.api.types.is_float_dtype(series):
            key = "num"
        return self.fmt.get(key) if key else None

    def _widen(self, ws: Worksheet, column: int, width: float) -> None:
        """Column widths only grow: several tables on one sheet share its columns."""
        key = (ws.name, column)
        if width > self._widths.get(key, 0):
            self._widths[key] = width
            ws.set_column(column, column, width)

    def add_sheet(self, wanted: str) -> Worksheet:
        return self.wb.add_worksheet(sheet_name(wanted, self.taken))

    def table(self, ws: Worksheet, df: pd.DataFrame, row: int = 0, col: int = 0,
              freeze: bool = True, autofilter: bool = True) -> int:
        """Write ``df`` with its header at (row, col); return the next free row."""
        columns = list(df.columns)
        ws.set_row(row, 31)  # two lines: headers with units wrap
        for j, name in enumerate(columns):
            ws.write_string(row, col + j, self.header(name), self.head)
        formats = [self.column_format(c, df[c]) for c in columns]
        for i, values in enumerate(df.itertuples(index=False), start=row + 1):
            for j, value in enumerate(values):
                write_cell(ws, i, col + j, _plain(value), formats[j])
        for j, name in enumerate(columns):
            width = max(len(self.header(name)) * 0.8, 10)
            if df[name].dtype == object:
                longest = df[name].head(300).map(lambda v: len(str(v)) if v is not None
                                                 else 0).max() if len(df) else 0
                width = max(width, min(float(longest or 0) + 2, 90))
            elif _spec(name, ("", ""))[1] == "money":
                width = max(width, 17)  # room for 1,000,000,000,000
            width = min(width, 40) if name != "explanation" else 110
            self._widen(ws, col + j, width)
        if freeze:
            ws.freeze_panes(row + 1, 0)
        if autofilter and len(df):
            ws.autofilter(row, col, row + len(df), col + len(columns) - 1)
        return row + len(df) + 2

    def sheet(self, wanted: str, df: pd.DataFrame, note: str | None = None) -> Worksheet:
        ws = self.add_sheet(wanted)
        start = 0
        if note:
            ws.write_string(0, 0, note)
            start = 2
        self.table(ws, df, row=start)
        return ws


def _plain(value: Any) -> Any:
    """Numpy scalars and NaN into what a spreadsheet cell holds."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
