"""Write the data review table in ``scenarios/README.md``: for every Supply, Demand and
Stockpile row of each shipped scenario's build script, the figure used, the public figure
it comes from (the row's ``source``) and the assumption in between (its ``note``).

    python scenarios/review_table.py            # rewrite the README's generated region
    python scenarios/review_table.py --check    # exit 1 if that region is out of date

The tables are read from the build scripts themselves, never from the workbooks, so the
review shows the figures as their author typed them (a ramp as a ramp, not ten rows).
"""

from __future__ import annotations

import argparse
import os
import runpy
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START, END = "<!-- data-review:start -->", "<!-- data-review:end -->"
# In README order. A script that does not exist (yet) is skipped, so the crisis scenario
# gets its table the first time the generator runs after its build script lands.
SCRIPTS = (HERE / "build_japan_eu_2030.py", HERE / "build_japan_eu_crisis_2026.py")
COLUMNS = ("Sheet", "Row", "Figure used", "Public figure (source)", "Assumption in between")
Row = tuple[str, str, str, str, str]


def num(x: float) -> str:
    """Thousands separators as the README's prose writes them; no trailing '.0'."""
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def ramp(values: float | list[float], periods: list[Any], unit: str) -> str:
    """A number holds in every period; a list runs from the first period, its last value
    holding after. Only the changes are shown, leading zeros (not offered yet) dropped, and
    a long ramp shortened to its ends: a planner checks the level, not each step."""
    if not isinstance(values, list):
        return f"{num(values)} {unit}"
    full = [values[min(i, len(values) - 1)] for i in range(len(periods))]
    changes = [(p, v) for i, (p, v) in enumerate(zip(periods, full, strict=True))
               if i == 0 or v != full[i - 1]]
    while changes and not changes[0][1]:
        changes.pop(0)
    if not changes:
        return "not offered"
    if len(changes) == 1:
        first, value = changes[0]
        return f"{num(value)} {unit}" + ("" if first == periods[0] else f" from {first}")
    if len(changes) > 4:
        changes = [changes[0], changes[-1]]
        joiner = " → … → "
    else:
        joiner = " → "
    # "+": the last value holds on, which a bare period label would not say
    last = len(changes) - 1
    return joiner.join(f"{p}{'+' if i == last and p != periods[-1] else ''} {num(v)}"
                       for i, (p, v) in enumerate(changes)) + f" {unit}"


def cell(text: Any) -> str:
    """One table cell: a '|' or a line break in a note would split or end the row."""
    return "" if text is None else str(text).replace("\n", " ").replace("|", "\\|")


def load(build_script: Path) -> dict[str, Any]:
    """The script's globals: its tables and helpers; its __main__ block (the build) does
    not run. Not imported as a module: scenarios/ is not a package."""
    return runpy.run_path(str(build_script))


def rows(g: dict[str, Any]) -> list[Row]:
    """(sheet, row, figure used, source, assumption) for every Supply and Demand tuple and
    every Stockpile record of a build script's globals ``g``, in the script's order."""
    periods: list[Any] = list(g["PERIODS"])
    # capacities, demands and holding costs are per period: name the period when it is a
    # year, say "period" otherwise (a crisis scenario may run in quarters)
    per = "yr" if all(isinstance(p, int) for p in periods) else "period"
    out: list[tuple[Any, ...]] = []
    for supplier, material, tier, capacity, price, min_offtake, source, note in g["SUPPLY"]:
        figure = [f"capacity {ramp(capacity, periods, f't/{per}')}"]
        if price is not None:  # the sheets hold USD/t; public prices are quoted per kg
            figure.append(f"price {num(price / 1000)} USD/kg ({num(price)} USD/t)")
        if min_offtake is not None:
            figure.append(f"min offtake {ramp(min_offtake, periods, f't/{per}')}")
        out.append(("Supply", f"{supplier} · {material} · tier {tier}", "; ".join(figure),
                    source, note))
    for buyer, material, base, growth, source, note in g["DEMAND"]:
        first, last = (g["demand"](base, growth, p) for p in (periods[0], periods[-1]))
        text = (f"demand {periods[0]} {num(first)} → {periods[-1]} {num(last)} t/{per} "
                f"(+{num(growth * 100)} %/yr)")
        out.append(("Demand", f"{buyer} · {material}", text, source, note))
    for rec in g["stockpile_records"]():
        figure = []
        if rec.get("initial") is not None:
            figure.append(f"initial {num(rec['initial'])} t")
        if rec.get("min_days") is not None:
            figure.append(f"floor {num(rec['min_days'])} days" if rec["min_days"]
                          else "no floor")
        if rec.get("holding_cost") is not None:
            figure.append(f"holding {num(rec['holding_cost'])} USD/t/{per}")
        # a row for one period overrides the "*" row there (the EU's build-up years)
        period = rec.get("period")
        where = "" if period in (None, "*") else f" · {period}"
        out.append(("Stockpile", f"{rec['buyer']} · {rec['material']}{where}",
                    "; ".join(figure), rec.get("source"), rec.get("note")))
    return [(cell(a), cell(b), cell(c), cell(d), cell(e)) for a, b, c, d, e in out]


def table(g: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(g)]
    return "\n".join(lines) + "\n"


def markdown(build_script: Path) -> str:
    """The build script's review table, one markdown row per data row."""
    return table(load(build_script))


def region() -> str:
    """What belongs between the README's markers: a sub-heading and a table per script."""
    parts = []
    for script in SCRIPTS:
        if script.exists():
            g = load(script)
            workbook = Path(g.get("OUTPUT", script)).name
            parts.append(f"### `{workbook}` (`scenarios/{script.name}`)\n\n" + table(g))
    return "\n\n" + "\n".join(parts) + "\n"


def split(text: str) -> tuple[str, str, str]:
    """(before the start marker and it, the region, the end marker and after)."""
    head, found, rest = text.partition(START)
    region_text, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{README}: markers {START} and {END} not found")
    return head + START, region_text, END + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the data review table in scenarios/README.md")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the README's region is not what would be generated")
    args = parser.parse_args(argv)
    head, current, tail = split(README.read_text(encoding="utf-8"))
    wanted = region()
    if args.check:
        if current != wanted:
            print(f"{README.name}: data review table out of date; run "
                  "python scenarios/review_table.py", file=sys.stderr)
            return 1
        print(f"{README.name}: data review table up to date")
        return 0
    # temp file beside the README, then one rename: a reader or a crash never sees half a
    # file; the temp file's private mode (0600) would otherwise replace the README's
    fd, tmp = tempfile.mkstemp(dir=README.parent, prefix=".README.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(head + wanted + tail)
        os.chmod(tmp, stat.S_IMODE(README.stat().st_mode))
        os.replace(tmp, README)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"{README.name}: data review table written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
