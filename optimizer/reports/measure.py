"""How wide text is and how a cell shows a value: the measures behind column widths
and row heights, for the one font every workbook is written in."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans: same widths
FONT_SIZE = 10
TITLE_SIZE = 13
LINE_PT = 12.75  # height of one line of 10 pt text
PX_PER_IN = 96


# Width of characters in Excel column units (one unit = the digit width of the default
# font, 7 px), for Arial/Liberation Sans 10 pt: most glyphs are 0.556 em, these differ.
_NARROW = set("ijlI.,:;'|! ")
_SEMI = set("ftr-()[]/\\\"*")
_WIDE = set("mwMW%@&")


def _weight(ch: str) -> float:
    if ch in _NARROW:
        return 0.26
    if ch in _SEMI:
        return 0.33
    if ch in _WIDE:
        return 0.85
    return 0.70 if ch.isupper() else 0.556


# each character's width looked up rather than classified: a results workbook measures
# about half a million cells
_WEIGHT: dict[str, float] = {chr(c): _weight(chr(c)) for c in range(128)}


def text_width(text: str, bold: bool = False) -> float:
    """How many column units ``text`` takes in 10 pt Arial (bold: about 8 % wider)."""
    em = 0.0
    weight = _WEIGHT.get
    for ch in text:
        w = weight(ch)
        em += _weight(ch) if w is None else w
    px = em * FONT_SIZE * PX_PER_IN / 72
    return px * (1.08 if bold else 1.0) / 7


def wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` wide."""
    room = max(width - 1.0, 1.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        n, current = 1, 0.0
        for word in paragraph.split(" "):
            w = text_width(word, bold)
            gap = text_width(" ", bold) if current else 0.0
            if current and current + gap + w > room:
                n += 1 + int(w // room)
                current = w % room
            else:
                current += gap + w
                if current > room:  # a word longer than the column breaks inside
                    n += int(current // room)
                    current = current % room
        lines += n
    return lines


def rendered(value: Any, code: str | None) -> str:
    """``value`` as a cell with number format ``code`` shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not isinstance(value, int | float):
        return str(value)
    if code == "#,##0":
        return f"{value:,.0f}"
    if code == "#,##0.00":
        return f"{value:,.2f}"
    if code == "0.000":
        return f"{value:.3f}"
    if code == "0.0%":
        return f"{value:.1%}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.10g}"


def dynamic_code(values: Iterable[Any]) -> str:
    """Whole numbers where the column's values are large or whole, two decimals where
    they are small: 95,842 USD/t and 44.32 USD/t, not 95,841.5116 and 44.3185."""
    numbers = [float(v) for v in values if isinstance(v, int | float)
               and not isinstance(v, bool) and math.isfinite(v)]
    if not numbers:
        return "#,##0"
    if all(x.is_integer() for x in numbers) or max(abs(x) for x in numbers) >= 100:
        return "#,##0"
    if max(abs(x) for x in numbers) >= 1:
        return "#,##0.00"
    return "0.000"
