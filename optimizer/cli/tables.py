"""Terminal tables that fit 80 columns: planner's headers, money in millions or billions
with the unit in the header, shares as percentages, names in full.

A command's table is a list of :class:`Col` chosen from its catalogue: a default set that
fits 80 columns, any set the planner names with ``--columns``, or all of them with
``--wide``. Values are formatted by kind, never in scientific notation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.table import Table

from optimizer.errors import CoprocureError

# kinds of value: how each is scaled, formatted and labelled
MONEY, CHANGE, PCT, PRICE, SHARE, QTY, DAYS, RATIO, NUMBER, TEXT = (
    "money", "change", "percent change", "price", "share", "quantity", "days", "ratio",
    "number", "text")
DASH = "—"  # an undefined value (a share of nothing, a figure not computed)


@dataclass(frozen=True)
class Col:
    name: str  # what --columns calls it
    key: str  # the row's key
    header: str  # the planner's words; the unit is added by kind
    kind: str


def choose(catalogue: Sequence[Col], default: Sequence[str], names: str | None,
           wide: bool) -> list[Col]:
    """The columns to show: all with ``wide``, the comma-separated ``names`` when given,
    else the default set."""
    if wide:
        return list(catalogue)
    by_name = {c.name: c for c in catalogue}
    wanted = [n.strip() for n in names.split(",") if n.strip()] if names else list(default)
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise CoprocureError(f"unknown column(s) {', '.join(unknown)}: choose from "
                             f"{', '.join(by_name)}")
    return [by_name[n] for n in wanted]


def money_scale(values: Iterable[Any]) -> tuple[float, str]:
    """One scale for every money column of a table: the largest amount shown with a few
    digits before the point."""
    largest = max((abs(v) for v in values if _number(v)), default=0.0)
    for factor, name in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if largest >= factor:
            return factor, name
    return 1.0, ""


def table(rows: Sequence[dict[str, Any]], first: Sequence[Col], cols: Sequence[Col], unit: str,
          currency: str, title: str | None = None) -> Table:
    """A compact table: the ``first`` columns left-aligned (names in full, never cut), the
    others right-aligned; each money column in its own scale, named in its header."""
    out = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left",
                show_edge=False)
    for c in first:
        out.add_column(c.header, justify="left", no_wrap=True)
    factors = {}
    for c in cols:
        factor, scale = money_scale(r.get(c.key) for r in rows) if c.kind in (MONEY, CHANGE) \
            else (1.0, "")
        factors[c.key] = factor
        out.add_column(_header(c, unit, f"{scale} {currency}".strip(), currency),
                       justify="right")
    for r in rows:
        out.add_row(*[cell(r.get(c.key), c.kind) for c in first],
                    *[cell(r.get(c.key), c.kind, factors[c.key]) for c in cols])
    return out


def _header(c: Col, unit: str, money_unit: str, currency: str) -> str:
    suffix = {MONEY: money_unit, CHANGE: money_unit, QTY: unit, DAYS: "days",
              PRICE: f"{currency}/{unit}"}.get(c.kind)
    return f"{c.header}\n{suffix}" if suffix else c.header


def cell(value: Any, kind: str, factor: float = 1.0) -> str:
    """One value as the planner reads it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if kind == TEXT or not _number(value):
        return str(value)
    v = float(value)
    if kind == MONEY:
        return _scaled(v / factor)
    if kind == CHANGE:
        return ("+" if v > 0 else "") + _scaled(v / factor)
    if kind == PCT:
        return f"{v:+.1%}"
    if kind == SHARE:
        return f"{v:.1%}"
    if kind == RATIO:
        return f"{v:.3f}"
    if kind in (DAYS, PRICE):
        return f"{v:,.0f}"
    if kind == NUMBER:
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:,.1f}"


def _scaled(v: float) -> str:
    """Amounts after scaling: three significant decimals at most, separators always;
    nothing at all as 0, not 0.000."""
    if abs(v) < 5e-4:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    if abs(v) >= 10:
        return f"{v:,.2f}"
    return f"{v:,.3f}"


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not (
        isinstance(v, float) and math.isnan(v))
