"""The printed page: A4 geometry with the margins every sheet uses, and the header and
footer every page carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.worksheet import Worksheet

from optimizer.reports.measure import FONT, PX_PER_IN

ROW_PT = 15.0  # what a page estimate assumes for a row of unknown height (a generous one)

# A4 (9) with these margins, in inches; printable sizes derived from them
PAPER_A4 = 9
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.7}
HEADER_MARGIN = 0.3
PAGE_IN = (8.27, 11.69)  # A4 portrait width, height
PORTRAIT_WIDTH_PX = (PAGE_IN[0] - MARGINS["left"] - MARGINS["right"]) * PX_PER_IN
LANDSCAPE_WIDTH_PX = (PAGE_IN[1] - MARGINS["left"] - MARGINS["right"]) * PX_PER_IN
LANDSCAPE_HEIGHT_PT = (PAGE_IN[0] - MARGINS["top"] - MARGINS["bottom"]) * 72
PORTRAIT_HEIGHT_PT = (PAGE_IN[1] - MARGINS["top"] - MARGINS["bottom"]) * 72


@dataclass(frozen=True)
class PageHeading:
    """What every printed page says about where it comes from."""

    scenario: str  # the scenario's name
    subject: str  # e.g. "strategy crma-65", "10 strategies compared"
    created: str  # ISO timestamp of the run; its date is printed
    source: str = ""  # the input file's name

    def header(self) -> str:
        # the size code comes first: digits right after it would extend the size
        return (f'&L&9&"{FONT},Bold"{_amp(self.scenario[:90])}'
                f'&R&9&"{FONT},Regular"{_amp(self.subject[:70])}')

    def footer(self) -> str:
        made = f"{self.source}, " if self.source else ""
        return (f'&L&8&"{FONT},Regular"&A · {_amp(made[:60])}{_amp(self.created[:10])}'
                f'&R&8&"{FONT},Regular"page &P of &N')


def _amp(text: str) -> str:
    return text.replace("&", "&&")  # a lone & starts a header/footer code


@dataclass
class SheetLayout:
    """How one sheet prints."""

    ws: Worksheet
    repeat: tuple[int, int] | None = None  # rows repeated at the top of every page
    blocks: list[tuple[int, int]] = field(default_factory=list)  # rows kept on one page
    fixed: bool = False  # the Charts sheet: scale 100 %, pages laid out by the writer
    landscape: bool | None = None  # None: decided by the sheet's width
    breaks: list[int] = field(default_factory=list)
    # row, last column, text, whether it is a title
    paragraphs: list[tuple[int, int, str, bool]] = field(default_factory=list)
