"""The workbooks coprocure writes, as a planner reads and prints them: a print setup on
every sheet, number formats by unit, periods as numbers, columns wide enough for what they
hold (measured with the real glyph widths of the font LibreOffice prints with), EVPI and
VSS where they are computed, charts that fit their pages, and a LibreOffice print of the
comparison workbook within a page bound derived from its content."""

from __future__ import annotations

import json
import math
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models import data as md
from optimizer.reports.measure import rendered
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED, has_lo, run
from tests.factory import scenario, settings

SCENARIO_NAME = "Japan-EU joint rare-earth procurement 2026-2035 (base)"
ROBUST = ("robust", "crma-65-robust")
NUMBER_FORMATS = {"#,##0", "#,##0.00", "0.000", "0.0%"}
PAGE_ROWS = 31  # the Charts sheet's page, in rows (optimizer.reports.charts)


# ---------------------------------------------------------------------------- workbooks
@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The workbooks of the shipped scenario, written by the command line."""
    folder = tmp_path_factory.mktemp("layout")
    out = {name: folder / f"{name}.xlsx" for name in ("results", "compare", "stress",
                                                      "sweep", "grid")}
    commands = {
        "results": ("solve", SHIPPED, "-s", "crma-65", "-o", out["results"], "-q"),
        "compare": ("compare", SHIPPED, "-o", out["compare"], "--workers", "1", "-q"),
        "stress": ("stress", SHIPPED, "-s", "base", "-s", "robust", "-o", out["stress"],
                   "--workers", "1", "--json"),
        "sweep": ("sweep", SHIPPED, "--vary", "Policies:policy=country-cap:share=1.0:0.5:6",
                  "--strategy", "crma-65", "-o", out["sweep"], "--workers", "1", "-q"),
        "grid": ("sweep", SHIPPED, "--vary", "Settings::discount_rate=0:0.1:3", "--vary",
                 "Stockpile:buyer=Japan:min_days=0:90:2", "-o", out["grid"], "--workers", "1",
                 "-q"),
    }
    for name, args in commands.items():
        proc = run(*args)
        assert proc.returncode == 0, proc.stderr
        if name == "stress":
            (folder / "stress.json").write_text(proc.stdout)
    return out


def load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def header_row(ws: Worksheet) -> int | None:
    """The row of a sheet's main table header: the frozen row (None: no frozen table)."""
    if not ws.freeze_panes:
        return None
    return int(re.sub(r"[A-Z]+", "", ws.freeze_panes)) - 1


def table(ws: Worksheet, head: int) -> tuple[list[str], list[tuple[Cell, ...]]]:
    """The header texts of row ``head`` and the table rows below it."""
    names = [str(c.value) if c.value is not None else "" for c in ws[head]]
    body = []
    for cells in ws.iter_rows(min_row=head + 1):
        if all(c.value is None for c in cells):
            break
        body.append(cells)
    return names, body


def column(ws: Worksheet, head: int, name: str) -> list[Cell]:
    names, body = table(ws, head)
    j = names.index(name)
    return [r[j] for r in body]


# --------------------------------------------------------------------------- print setup
def test_every_sheet_of_every_workbook_has_a_print_setup(books: dict[str, Path]) -> None:
    today = datetime.now(UTC).date().isoformat()
    compared = len(load_workbook(SHIPPED).strategy_names)  # base and every strategy
    subjects = {"results": "strategy crma-65", "compare": f"{compared} strategies compared",
                "stress": "2 strategies under disruption", "sweep": "sweep of strategy crma-65",
                "grid": "sweep of strategy base"}
    for name, path in books.items():
        for ws in load(path):
            where = f"{name}/{ws.title}"
            setup = ws.page_setup
            assert setup.paperSize == 9, where  # A4
            assert setup.orientation in ("landscape", "portrait"), where
            assert ws.oddHeader.left.text == SCENARIO_NAME, where
            assert ws.oddHeader.right.text == subjects[name], where
            footer = ws.oddFooter.left.text or ""
            assert footer.startswith("&A") and today in footer and "japan-eu-2030.xlsx" in \
                footer, where
            assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text, where
            if ws.title == "Charts":
                continue  # laid out page by page at 100 %: test_charts_print_whole
            # one page wide, as many pages tall as it takes
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, where
            head = header_row(ws)
            if head is not None and ws.title != "Sweep":  # a sweep table fits its first page
                assert ws.print_title_rows == f"${head}:${head}", where


def test_wide_sheets_print_landscape_and_narrow_ones_portrait(books: dict[str, Path]) -> None:
    def width_px(ws: Worksheet) -> float:
        # a width in the file already holds the 5 px of padding: 7 px per unit; one <col>
        # element covers every column of a run of equal widths (min..max)
        return sum(d.width * 7 * (d.max - d.min + 1)
                   for d in ws.column_dimensions.values() if d.width)

    for name in ("results", "compare"):
        for ws in load(books[name]):
            if ws.title == "Charts":
                continue
            if ws.title == "Run":  # key-value rows: portrait, a long hash shrinks it a little
                assert ws.page_setup.orientation == "portrait"
                continue
            wide = width_px(ws) > (8.27 - 0.8) * 96  # an A4 portrait page between margins
            assert ws.page_setup.orientation == ("landscape" if wide else "portrait"), \
                f"{name}/{ws.title}"
    compare = load(books["compare"])
    assert compare["Comparison"].page_setup.orientation == "landscape"
    assert compare["Purchases"].page_setup.orientation == "landscape"


def test_charts_print_whole_one_page_each(books: dict[str, Path]) -> None:
    """The Charts sheet prints at 100 %, a page break every PAGE_ROWS rows, and every
    chart starts and ends inside one page."""
    ws = load(books["compare"])["Charts"]
    assert ws.page_setup.orientation == "landscape"
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert ws.page_setup.scale in (None, 100)
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    pages = len(breaks) + 1
    assert breaks == [PAGE_ROWS * k for k in range(1, pages)]
    assert ws.print_area == f"'Charts'!$A$1:$P${pages * PAGE_ROWS}"
    for chart in ws._charts:
        first, last = chart.anchor._from.row, chart.anchor.to.row
        assert first // PAGE_ROWS == last // PAGE_ROWS, (first, last)
        assert first % PAGE_ROWS >= 1  # below the page's caption


def chart_title(chart: object) -> str:
    rich = chart.title.tx.rich  # type: ignore[attr-defined]
    return "".join(r.t for p in rich.p for r in (p.r or []))


def axis_title(axis: object) -> str:
    return chart_title(axis)


def test_comparison_charts_as_designed(books: dict[str, Path]) -> None:
    """Cost against base (not totals from 0), the supply mix in shares, shortfall as
    planned and under disruption, and one small cover chart per strategy whose cover
    differs from base's, base beside it."""
    wb = load(books["compare"])
    charts = wb["Charts"]._charts
    # the shipped workbook has stages: a chart of country shares for each of its three
    cost, mix, *stages = charts[:5]
    short, *cover = charts[5:]
    assert (type(cost).__name__, cost.barDir, cost.grouping) == ("BarChart", "bar", "clustered")
    assert chart_title(cost) == "Total cost by strategy against base"
    assert axis_title(cost.y_axis) == "difference to base (USD million, present value)"
    # the series is the "vs base" column of the Comparison sheet, base's own row left out
    ref = cost.series[0].val.numRef.f
    ws = wb["Comparison"]
    head = next(c.row for c in ws["A"] if c.value == "Cost") + 1
    names = [c.value for c in ws[head]]
    letter = get_column_letter(names.index("total cost vs base (USD)") + 1)
    strategies = len(load_workbook(SHIPPED).strategy_names)  # base's row first, left out
    assert ref == f"Comparison!${letter}${head + 2}:${letter}${head + strategies}"
    assert ws[f"A{head + 1}"].value == "base"
    with zipfile.ZipFile(books["compare"]) as z:  # openpyxl does not read label texts
        labels = re.findall(r"<a:t>([^<]*)</a:t>", z.read("xl/charts/chart1.xml").decode())
    assert "as base" in labels and "+1.8 m (+0.01%)" in labels  # crma-65
    # money spent only: a plan that runs short says so beside its difference
    assert "-5,549.5 m (-28.4%), 131,159 t short" in labels  # no-new-china
    assert (mix.barDir, mix.grouping) == ("bar", "percentStacked")
    assert [chart_title(c) for c in stages] == [
        f"Country shares at the {st} stage (share of what is acquired there)"
        for st in ("oxide", "metal", "magnet")]
    assert all((c.barDir, c.grouping) == ("bar", "percentStacked") for c in stages)
    # each draws its stage's rows of the Stage mix sheet, one bar per strategy
    mix_rows = list(wb["Stage mix"].iter_rows(values_only=True))
    for c, st in zip(stages, ("oxide", "metal", "magnet"), strict=True):
        first, last = map(int, re.findall(r"\$(\d+)", c.series[0].cat.strRef.f))
        assert {r[0] for r in mix_rows[first - 1:last]} == {st}
        assert last - first + 1 == strategies  # one bar per strategy, base included
    assert chart_title(short).startswith("Shortfall by strategy")
    assert len(short.series) == 3  # as planned, expected and worst case under disruption

    cover_ws = wb["Cover"]
    names, body = table(cover_ws, 3)
    base = [r[names.index("base")].value for r in body]
    differ = [n for n in names[1:] if n != "base" and any(
        abs(r[names.index(n)].value - b) > 0.5 for r, b in zip(body, base, strict=True))]
    assert 0 < len(differ) < len(names) - 2  # the shipped strategies: some differ, some not
    assert [chart_title(c) for c in cover] == [
        f"Stockpile cover over time: {n} against base" for n in differ]
    assert all(type(c).__name__ == "LineChart" and len(c.series) == 2 for c in cover)


# ---------------------------------------------------------------------- number formats
def body_cells(ws: Worksheet) -> Iterator[Cell]:
    """Cells of the sheet's tables: the ones with a border."""
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None and c.border.left.style == "thin" and not c.fill.fgColor.rgb \
                    .endswith("DDEBF7"):
                yield c


def test_number_formats_follow_the_unit(books: dict[str, Path]) -> None:
    """Whole tonnes, whole money, shares in percent, whole days; no General decimals
    (95,841.5116) and no ragged #,##0.#### left anywhere."""
    expected: list[tuple[Callable[[str], bool], set[str]]] = [
        (lambda h: h.startswith("HHI"), {"0.000"}),
        (lambda h: h.startswith(("value of one more", "shadow price")), {"#,##0", "#,##0.00"}),
        (lambda h: h.endswith("(t)"), {"#,##0"}),
        (lambda h: "(USD/t" in h, {"#,##0", "#,##0.00"}),
        (lambda h: "(USD" in h and "/t" not in h, {"#,##0"}),
        (lambda h: "share" in h or h in ("utilisation", "probability"), {"0.0%"}),
        (lambda h: "days" in h, {"#,##0"}),
    ]
    checked = 0
    for name, path in books.items():
        for ws in load(path):
            for c in body_cells(ws):
                if isinstance(c.value, float) and not c.value.is_integer():
                    assert c.number_format in NUMBER_FORMATS, (name, ws.title, c.coordinate)
            head = header_row(ws)
            if head is None:
                continue
            names, body = table(ws, head)
            for j, h in enumerate(names):
                rule = next((fmts for test, fmts in expected if test(h)), None)
                if rule is None:
                    continue
                for r in body:
                    if isinstance(r[j].value, int | float):
                        assert r[j].number_format in rule, (name, ws.title, h, r[j].coordinate)
                        checked += 1
    assert checked > 10_000


def test_a_limit_reads_in_the_unit_of_its_rule(books: dict[str, Path]) -> None:
    ws = load(books["results"])["Constraints"]
    names, body = table(ws, 3)
    rule, limit = names.index("rule"), names.index("limit")
    formats = {("share" in r[rule].value, r[limit].number_format) for r in body}
    assert formats == {(True, "0.0%"), (False, "#,##0")}


def test_supply_mix_and_cover_have_their_units(books: dict[str, Path]) -> None:
    wb = load(books["compare"])
    for sheet, unit_format in (("Supply mix", "#,##0"), ("Cover", "#,##0")):
        _, body = table(wb[sheet], 3)
        cells = [c for r in body for c in r[1:]]
        assert cells and {c.number_format for c in cells} == {unit_format}, sheet


# ------------------------------------------------------------------------------ periods
def test_periods_that_are_numbers_are_number_cells(books: dict[str, Path]) -> None:
    wb = load(books["results"])
    for sheet, columns in (("Purchases", ("period", "arrives")), ("Stockpile", ("period",)),
                           ("Supply", ("period",))):
        head = header_row(wb[sheet])
        assert head is not None
        for name in columns:
            values = [c.value for c in column(wb[sheet], head, name)]
            assert values and all(isinstance(v, int) and 2026 <= v <= 2035 for v in values)
    cover = load(books["compare"])["Cover"]
    assert [c.value for c in column(cover, 3, "period")] == list(range(2026, 2036))


def test_period_labels_that_are_text_stay_text(tmp_path: Path) -> None:
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.reports.provenance import Provenance
    from optimizer.reports.results import write_results
    from optimizer.reports.sheets import period_value

    assert [period_value(v) for v in ("2026", 2027.0, "2026Q1", "*", "0", "02026", 2028)] == \
        [2026, 2027, "2026Q1", "*", 0, "02026", 2028]
    data = scenario(periods=("2026Q1", "2026Q2"), suppliers=[("S", "X")],
                    offers=[("S", "M", t, 100, 10) for t in ("2026Q1", "2026Q2")],
                    demand=[("B", "M", t, 40) for t in ("2026Q1", "2026Q2")],
                    settings=settings(name="quarters"))
    assert isinstance(data, md.ScenarioData)
    run_ = plan_coordinated(data)
    out = tmp_path / "quarters.xlsx"
    write_results(out, run_, Provenance("quarters.xlsx", "0" * 64, "base"))
    ws = openpyxl.load_workbook(out)["Purchases"]
    assert [c.value for c in column(ws, 1, "period")] == ["2026Q1", "2026Q2"]


# ---------------------------------------------------------------- widths, with real fonts
@cache
def advance(bold: bool) -> Callable[[str], float]:
    """Glyph advance widths (in em) of the font LibreOffice prints Arial with, read from
    the TrueType file itself (cmap format 4 and hmtx)."""
    found = subprocess.run(["fc-match", "-f", "%{file}", "Arial:bold" if bold else "Arial"],
                           capture_output=True, text=True, check=False).stdout
    path = Path(found)
    if not found or not path.exists() or path.suffix.lower() != ".ttf":
        pytest.skip("no TrueType font for Arial (fontconfig)")
    # widths are measured for Arial's metrics, which Liberation Sans (LibreOffice's
    # substitute) shares; any other fallback (DejaVu Sans without LibreOffice's fonts) is
    # about 10 % wider and says nothing about how the workbook prints
    family = subprocess.run(["fc-match", "-f", "%{family}", "Arial"], capture_output=True,
                            text=True, check=False).stdout
    if not any(name in family for name in ("Arial", "Liberation Sans")):
        pytest.skip(f"Arial resolves to {family!r}, not a metric-compatible font "
                    "(apt-get install fonts-liberation)")
    data = path.read_bytes()
    tables = {}
    for i in range(struct.unpack(">H", data[4:6])[0]):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag.decode("latin-1")] = offset
    upem = struct.unpack(">H", data[tables["head"] + 18: tables["head"] + 20])[0]
    metrics = struct.unpack(">H", data[tables["hhea"] + 34: tables["hhea"] + 36])[0]
    hmtx = tables["hmtx"]
    widths = [struct.unpack(">H", data[hmtx + 4 * i: hmtx + 4 * i + 2])[0] for i in
              range(metrics)]
    cmap = tables["cmap"]
    sub = None
    for i in range(struct.unpack(">H", data[cmap + 2: cmap + 4])[0]):
        pid, eid, off = struct.unpack(">HHI", data[cmap + 4 + 8 * i: cmap + 12 + 8 * i])
        if (pid, eid) == (3, 1):
            sub = cmap + off
    assert sub is not None and struct.unpack(">H", data[sub: sub + 2])[0] == 4
    n2 = struct.unpack(">H", data[sub + 6: sub + 8])[0]
    n = n2 // 2
    ends = struct.unpack(f">{n}H", data[sub + 14: sub + 14 + n2])
    at = sub + 16 + n2
    starts = struct.unpack(f">{n}H", data[at: at + n2])
    deltas = struct.unpack(f">{n}h", data[at + n2: at + 2 * n2])
    ranges_at = at + 2 * n2
    ranges = struct.unpack(f">{n}H", data[ranges_at: ranges_at + n2])

    def glyph(code: int) -> int:
        for k in range(n):
            if ends[k] >= code:
                if starts[k] > code:
                    return 0
                if ranges[k] == 0:
                    return (code + deltas[k]) & 0xFFFF
                addr = ranges_at + 2 * k + ranges[k] + 2 * (code - starts[k])
                g = struct.unpack(">H", data[addr: addr + 2])[0]
                return (g + deltas[k]) & 0xFFFF if g else 0
        return 0

    return lambda text: sum(widths[min(glyph(ord(ch)), metrics - 1)] for ch in text) / upem


def test_columns_are_wide_enough_for_every_value_and_name(books: dict[str, Path]) -> None:
    """No ### and no cut name: every table cell's text, as its number format shows it in
    10 pt Arial (Liberation Sans when LibreOffice prints), fits its column; so does every
    word of every header in bold."""
    regular, bold = advance(False), advance(True)
    px_per_em = 10 * 96 / 72
    checked = 0
    for name, path in books.items():
        for ws in load(path):
            if ws.title == "Charts":
                continue
            def room(letter: str, ws: Worksheet = ws) -> float:
                i = column_index_from_string(letter)
                # openpyxl keeps a run of equal widths under its first column
                width = next((d.width for d in ws.column_dimensions.values()
                              if d.min and d.max and d.min <= i <= d.max and d.width), 8.43)
                return width * 7 + 5 - 4  # pixels, less the cell's margins

            for c in body_cells(ws):
                if c.alignment.wrap_text or c.coordinate in ws.merged_cells:
                    continue
                text = rendered(c.value, c.number_format)
                assert regular(text) * px_per_em <= room(c.column_letter), \
                    (name, ws.title, c.coordinate, text)
                checked += 1
            head = header_row(ws)
            for h in (ws[head] if head else []):
                for word in str(h.value or "").split():
                    assert bold(word) * px_per_em <= room(h.column_letter), \
                        (name, ws.title, h.coordinate, word)
    assert checked > 10_000


def test_names_are_written_in_full(books: dict[str, Path]) -> None:
    wb = load(books["compare"])
    _, body = table(wb["Comparison"], 5)
    # every strategy, in the workbook's order, base first
    assert [r[0].value for r in body] == list(load_workbook(SHIPPED).strategy_names)
    assert set(ROBUST) <= {r[0].value for r in body}
    assert "china-hree-export-controls" in {c.value for c in column(
        wb["Disruptions"], 3, "scenario")}


# ------------------------------------------------------------------------ EVPI and VSS
def block(ws: Worksheet, title: str) -> tuple[list[str], list[tuple[Cell, ...]]]:
    row = next(c.row for c in ws["A"] if c.value == title)
    return table(ws, row + 1)


def test_comparison_carries_evpi_and_vss_where_stress_computes_them(
        books: dict[str, Path]) -> None:
    summary = json.loads((books["stress"].parent / "stress.json").read_text())["strategies"]
    names, body = block(load(books["stress"])["Comparison"], "Under disruption")
    evpi, vss = names.index("EVPI: value of perfect information (USD)"), \
        names.index("VSS: value of the stochastic solution (USD)")
    rows = {r[0].value: r for r in body}
    assert rows["robust"][evpi].value == pytest.approx(summary["robust"]["evpi"])
    assert rows["robust"][vss].value == pytest.approx(summary["robust"]["vss"])
    assert rows["robust"][evpi].number_format == "#,##0"
    assert rows["base"][evpi].value is None  # not a robust plan: no such measure


def test_comparison_says_where_evpi_and_vss_are_computed(books: dict[str, Path]) -> None:
    ws = load(books["compare"])["Comparison"]
    names, body = block(ws, "Under disruption")
    rows = {r[0].value: r for r in body}
    for name in ROBUST:
        for measure in ("EVPI: value of perfect information (USD)",
                        "VSS: value of the stochastic solution (USD)"):
            assert rows[name][names.index(measure)].value == "not computed (see below)"
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("coprocure stress japan-eu-2030.xlsx --strategy robust --strategy "
               "crma-65-robust" in t for t in texts)


def test_expected_saving_against_base_under_the_same_stress(books: dict[str, Path]) -> None:
    summary = json.loads((books["stress"].parent / "stress.json").read_text())["strategies"]
    names, body = block(load(books["stress"])["Comparison"], "Under disruption")
    rows = {r[0].value: r for r in body}
    j = names.index("expected cost vs base under the same disruptions (USD)")
    assert rows["robust"][j].value == pytest.approx(
        summary["robust"]["expected_cost"] - summary["base"]["expected_cost"])


# -------------------------------------------------------------------------------- sweep
def test_sweep_chart_speaks_the_planners_words(books: dict[str, Path]) -> None:
    ws = load(books["sweep"])["Sweep"]
    (chart,) = ws._charts
    assert chart_title(chart) == \
        "Total cost against the country cap share (Policies: country-cap)"
    assert axis_title(chart.x_axis) == "country cap share (%)"
    assert chart.x_axis.numFmt.formatCode == "0%"
    assert (chart.x_axis.scaling.min, chart.x_axis.scaling.max) == (0.5, 1.0)
    assert axis_title(chart.y_axis) == "total cost (USD million, present value)"
    assert chart.y_axis.numFmt.formatCode == "#,##0,,"
    shares = column(ws, 4, "country cap share (%)")
    assert [c.value for c in shares] == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    assert {c.number_format for c in shares} == {"0.0%"}


def test_grid_sweep_heat_map_prints(books: dict[str, Path]) -> None:
    wb = load(books["grid"])
    assert wb.sheetnames == ["Sweep", "Heat map", "Run"]
    ws = wb["Heat map"]
    assert ws.print_title_rows == "$4:$4"
    assert [ws.cell(4, j).value for j in (2, 3, 4)] == [0, 90, None]
    assert [ws.cell(r, 1).value for r in (5, 6, 7)] == pytest.approx([0.0, 0.05, 0.1])
    assert ws.cell(5, 1).number_format == "0.0%"
    assert "the minimum days of cover (Stockpile: Japan)" in ws["A2"].value


# --------------------------------------------------------------------- LibreOffice print
def pages_per_sheet(pdf: Path) -> dict[str, int]:
    """Pages of each sheet, from the footer every page carries ("SHEET · FILE, DATE")."""
    from pypdf import PdfReader

    pages: dict[str, int] = {}
    for page in PdfReader(pdf).pages:
        found = re.search(r"^(.+?) · japan-eu-2030\.xlsx", page.extract_text() or "", re.M)
        assert found, "a page without the footer"
        pages[found.group(1)] = pages.get(found.group(1), 0) + 1
    return pages


@pytest.mark.skipif(not has_lo(), reason="LibreOffice is not installed (.ci/run installs it)")
def test_the_comparison_workbook_prints_within_its_page_bound(books: dict[str, Path],
                                                              tmp_path: Path) -> None:
    """LibreOffice's PDF of the comparison workbook: the Comparison sheet on at most one
    page per block (seven: demand met, as planned and in the worst disruption, cost, cost
    per partner, supply security, supply security by stage, under disruption; each kept
    whole on its page); the Charts sheet exactly one
    page per full chart plus one per four cover charts; every table sheet at most one page
    per 25 rows (fit to width, so scaled to at most 100 %) plus one."""
    source = tmp_path / "comparison.xlsx"
    shutil.copyfile(books["compare"], source)
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=600, check=True)
    pages = pages_per_sheet(tmp_path / "comparison.pdf")
    wb = load(books["compare"])
    assert list(pages) == wb.sheetnames  # every sheet printed, in order
    blocks = sum(1 for c in wb["Comparison"]["A"]
                 if c.row > 1 and wb["Comparison"].cell(c.row + 1, 1).value == "strategy")
    # demand met as planned and in the worst disruption, cost, cost per partner, supply
    # security, by stage, under disruption
    assert blocks == 7
    assert pages["Comparison"] <= blocks
    covers = len(wb["Charts"]._charts) - 6  # cost, supply mix, 3 stages, shortfall
    assert pages["Charts"] == 6 + math.ceil(covers / 4)
    bound = {}
    for ws in wb:
        if ws.title not in ("Comparison", "Charts"):
            bound[ws.title] = math.ceil(ws.max_row / 25) + 1
            assert pages[ws.title] <= bound[ws.title], ws.title
    assert sum(pages.values()) <= 2 + pages["Charts"] + sum(bound.values())
