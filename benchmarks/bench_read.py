"""Benchmark: how fast each Excel reader loads a scenario-sized workbook.

    python benchmarks/bench_read.py [--rows N] [--repeat K] [--quick] [--json PATH]

A synthetic workbook of 5 sheets x N rows x 8 mixed columns (text labels, integer
years, floats, yes/no text) is written with XlsxWriter into a temporary directory,
then every sheet is read fully with each reader:

  pandas-openpyxl   pd.read_excel(path, sheet_name=None, engine="openpyxl")
  pandas-calamine   pd.read_excel(path, sheet_name=None, engine="calamine")
  calamine          CalamineWorkbook.from_path(path), sheet.to_python(skip_empty_area=False)
  openpyxl          load_workbook(read_only=True, data_only=True), ws.iter_rows(values_only=True)
  fastexcel         read_excel(path).load_sheet_by_name(name).to_pandas(); without pyarrow,
                    only load_sheet_by_name (cells parsed in Rust, never turned into Python
                    values), and labelled as such
  project           optimizer.workbook.read.read_workbook(path), when importable

Each time is the best of K repeats (readers take turns, so a noisy spell on the shared
machine hits all of them); ratios are against the fastest reader of the same run. Peak
memory is the peak RSS (VmHWM; ru_maxrss off Linux) of a fresh spawned process that
imports one reader and reads the workbook once; "+MiB" is that minus a bare spawned
Python. The shipped scenario
scenarios/japan-eu-2030.xlsx is measured the same way, with more repeats, when present.
No assertions: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import importlib.util
import json
import logging
import multiprocessing
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "japan-eu-2030.xlsx"

SHEETS = ("Supply", "Demand", "Routes", "Stockpile", "Policies")
HEADERS = ("label", "region", "material", "year", "quantity_t", "price_usd_t", "share",
           "eligible")
REGIONS = ("Japan", "Germany", "France", "Italy", "Spain", "Poland", "Netherlands",
           "Australia", "Chile", "Canada", "Indonesia", "South Africa")
MATERIALS = ("lithium", "cobalt", "nickel", "graphite", "manganese", "gallium",
             "germanium", "neodymium", "dysprosium", "tungsten")
YEAR_COLUMN = HEADERS.index("year")

LIBRARIES = ("pandas", "numpy", "openpyxl", "python-calamine", "fastexcel", "xlsxwriter",
             "pyarrow", "defusedxml")


# --------------------------------------------------------------------------- readers
# Imports are inside the functions so that a memory-measuring child process imports
# only the library it measures.

def read_pandas_openpyxl(path: Path) -> Any:
    import pandas as pd

    return pd.read_excel(path, sheet_name=None, engine="openpyxl")


def read_pandas_calamine(path: Path) -> Any:
    import pandas as pd

    return pd.read_excel(path, sheet_name=None, engine="calamine")


def read_calamine(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names}


def read_openpyxl(path: Path) -> Any:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def _quiet_fastexcel() -> None:
    # fastexcel logs a warning for every mixed-type column it falls back to string for
    logging.getLogger("fastexcel").setLevel(logging.ERROR)


def read_fastexcel_pandas(path: Path) -> Any:
    import fastexcel

    _quiet_fastexcel()

    reader = fastexcel.read_excel(str(path))
    return {name: reader.load_sheet_by_name(name).to_pandas() for name in reader.sheet_names}


def read_fastexcel_load(path: Path) -> Any:
    import fastexcel

    _quiet_fastexcel()

    reader = fastexcel.read_excel(str(path))
    return {name: reader.load_sheet_by_name(name) for name in reader.sheet_names}


def read_project(path: Path) -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from optimizer.workbook.read import read_workbook

    return read_workbook(path)


HAVE_PYARROW = importlib.util.find_spec("pyarrow") is not None


@dataclass(frozen=True)
class Reader:
    key: str
    label: str
    func: Callable[[Path], Any]
    full: bool = True  # False: does not build Python values, never the ratio reference


def all_readers() -> list[Reader]:
    fastexcel = (
        Reader("fastexcel", "fastexcel load_sheet_by_name().to_pandas()", read_fastexcel_pandas)
        if HAVE_PYARROW else
        Reader("fastexcel-load", "fastexcel load_sheet_by_name() only [no pyarrow]*",
               read_fastexcel_load, full=False))
    return [
        Reader("pandas-openpyxl", 'pd.read_excel(engine="openpyxl")', read_pandas_openpyxl),
        Reader("pandas-calamine", 'pd.read_excel(engine="calamine")', read_pandas_calamine),
        Reader("calamine", "python-calamine to_python()", read_calamine),
        Reader("openpyxl", "openpyxl read_only iter_rows(values_only)", read_openpyxl),
        fastexcel,
        Reader("project", "optimizer.workbook.read.read_workbook()", read_project),
    ]


READERS = {r.key: r for r in all_readers()}


def project_reader_note() -> str | None:
    """Why the project's reader cannot be measured, or None if it can be tried."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        import optimizer.workbook.read as mod
    except Exception as exc:
        return f"optimizer.workbook.read not importable ({type(exc).__name__}: {exc})"
    if not callable(getattr(mod, "read_workbook", None)):
        return "optimizer.workbook.read has no read_workbook(path)"
    return None


def summarise(data: Any) -> tuple[int | None, str]:
    """(data rows read over all sheets, type of the first 'year' cell) for a result."""
    if not isinstance(data, dict) or not data:
        return None, "-"
    rows = 0
    year = "-"
    for i, value in enumerate(data.values()):
        if hasattr(value, "dtypes") and hasattr(value, "columns"):  # pandas DataFrame
            rows += len(value)
            if i == 0 and value.shape[1] > YEAR_COLUMN:
                year = str(value.dtypes.iloc[YEAR_COLUMN])
        elif isinstance(value, list):  # list of rows, header first
            rows += max(len(value) - 1, 0)
            if i == 0 and len(value) > 1 and len(value[1]) > YEAR_COLUMN:
                year = type(value[1][YEAR_COLUMN]).__name__
        elif hasattr(value, "height"):  # fastexcel ExcelSheet
            rows += value.height
        else:
            return None, "-"
    return rows, year


# --------------------------------------------------------------------------- workbook

def write_workbook(path: Path, rows: int, *, constant_memory: bool = True,
                   seed: int = 2026) -> None:
    """5 sheets x ``rows`` data rows x 8 columns, written row by row with XlsxWriter."""
    import xlsxwriter

    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory,
                                         "strings_to_numbers": False,
                                         "strings_to_formulas": False,
                                         "strings_to_urls": False})
    for sheet in SHEETS:
        ws = wb.add_worksheet(sheet)
        prefix = sheet[:3].upper()
        for col, header in enumerate(HEADERS):
            ws.write_string(0, col, header)
        for r in range(1, rows + 1):
            ws.write_string(r, 0, f"{prefix}-{r:07d}")
            ws.write_string(r, 1, rng.choice(REGIONS))
            ws.write_string(r, 2, rng.choice(MATERIALS))
            ws.write_number(r, 3, rng.randint(2026, 2040))
            ws.write_number(r, 4, round(rng.uniform(0.0, 50_000.0), 3))
            ws.write_number(r, 5, round(rng.uniform(500.0, 90_000.0), 2))
            ws.write_number(r, 6, rng.random())
            ws.write_string(r, 7, "yes" if rng.random() < 0.5 else "no")
    wb.close()


# --------------------------------------------------------------------------- measuring

@dataclass
class Result:
    key: str
    label: str
    full: bool = True
    times_s: list[float] = field(default_factory=list)
    best_s: float | None = None
    ratio: float | None = None
    rows: int | None = None
    year_type: str = "-"
    peak_rss_mib: float | None = None
    extra_rss_mib: float | None = None


@dataclass
class WorkbookRun:
    name: str
    path: str
    size_bytes: int
    repeat: int
    expected_rows: int | None
    results: list[Result] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:160]


def time_readers(path: Path, readers: list[Reader], repeat: int,
                 skipped: dict[str, str]) -> list[Result]:
    """Best-of-``repeat`` wall time per reader, readers taking turns every round."""
    results = {r.key: Result(r.key, r.label, r.full) for r in readers}
    active = list(readers)
    for round_no in range(repeat):
        shift = round_no % len(active) if active else 0
        for reader in active[shift:] + active[:shift]:
            gc.collect()
            start = time.perf_counter()
            try:
                data = reader.func(path)
            except Exception as exc:
                skipped[reader.key] = f"failed: {_first_line(exc)}"
                continue
            elapsed = time.perf_counter() - start
            res = results[reader.key]
            res.times_s.append(elapsed)
            if res.rows is None and res.year_type == "-":
                res.rows, res.year_type = summarise(data)
            del data
        active = [r for r in active if r.key not in skipped]
    done = [results[r.key] for r in active if results[r.key].times_s]
    for res in done:
        res.best_s = min(res.times_s)
    reference = [res.best_s for res in done if res.full] or [res.best_s for res in done]
    if reference:
        fastest = min(reference)
        for res in done:
            res.ratio = res.best_s / fastest
    return sorted(done, key=lambda res: res.best_s)


def _child_peak(key: str, path: str) -> tuple[int, str | None]:
    """Run in a fresh spawned process: read once, return (peak RSS KiB, error)."""
    error = None
    if key != "baseline":
        try:
            READERS[key].func(Path(path))
        except Exception as exc:
            error = _first_line(exc)
    return peak_rss_self_kib(), error


def peak_rss_self_kib() -> int:
    """This process's peak resident set size in KiB.

    On Linux ru_maxrss survives execve, so a spawned child would report at least the
    parent's peak at fork time; VmHWM in /proc/self/status belongs to the current
    address space only and is used where it exists.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss // 1024 if sys.platform == "darwin" else maxrss  # macOS reports bytes


def peak_rss_kib(key: str, path: Path) -> tuple[int, str | None]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes=1, maxtasksperchild=1) as pool:
        return pool.apply(_child_peak, (key, str(path)))


def measure_memory(run: WorkbookRun, baseline_kib: int) -> None:
    for res in run.results:
        try:
            kib, error = peak_rss_kib(res.key, Path(run.path))
        except Exception as exc:
            error, kib = _first_line(exc), 0
        if error:
            print(f"  note: memory child for {res.key} failed: {error}", file=sys.stderr)
            continue
        res.peak_rss_mib = kib / 1024
        res.extra_rss_mib = (kib - baseline_kib) / 1024


def warm_up(readers: list[Reader], tmp: Path) -> None:
    """Import every library and run each reader once on a tiny workbook (untimed)."""
    tiny = tmp / "warmup.xlsx"
    write_workbook(tiny, 20)
    for reader in readers:
        try:
            reader.func(tiny)
        except Exception as exc:
            if reader.key != "project":  # the project reader rejects non-scenario books
                print(f"  note: warm-up of {reader.key} failed: {_first_line(exc)}",
                      file=sys.stderr)


def bench_workbook(name: str, path: Path, readers: list[Reader], repeat: int,
                   expected_rows: int | None, memory: bool, baseline_kib: int,
                   skipped: dict[str, str]) -> WorkbookRun:
    run = WorkbookRun(name, str(path), path.stat().st_size, repeat, expected_rows,
                      skipped=dict(skipped))
    print(f"timing {name} ({repeat} repeats)...", file=sys.stderr, flush=True)
    run.results = time_readers(path, readers, repeat, run.skipped)
    if expected_rows is None:  # column 4 of a real scenario sheet is not a year
        for res in run.results:
            res.year_type = "-"
    if memory:
        print(f"measuring peak memory on {name}...", file=sys.stderr, flush=True)
        measure_memory(run, baseline_kib)
    return run


# --------------------------------------------------------------------------- report

def versions() -> dict[str, str]:
    found = {}
    for lib in LIBRARIES:
        try:
            found[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            found[lib] = "not installed"
    return found


def _fmt(value: float | None, spec: str) -> str:
    if value is None:
        return "-".rjust(int(spec.split(".")[0]))
    return format(value, spec)


def print_run(run: WorkbookRun) -> None:
    print()
    print(f"== {run.name}")
    print(f"   {run.path} ({run.size_bytes / 1e6:.2f} MB), best of {run.repeat}")
    print(f"   {'reader':<50} {'best ms':>9} {'x fastest':>9} {'peak MiB':>9} {'+MiB':>7} "
          f"{'rows':>8}  {'year as' if run.expected_rows is not None else ''}")
    for res in run.results:
        rows = "-" if res.rows is None else str(res.rows)
        if run.expected_rows is not None and res.rows is not None \
                and res.rows != run.expected_rows:
            rows += "!"
        best_ms = None if res.best_s is None else res.best_s * 1000
        print(f"   {res.label:<50} {_fmt(best_ms, '9.1f')} {_fmt(res.ratio, '9.2f')} "
              f"{_fmt(res.peak_rss_mib, '9.0f')} {_fmt(res.extra_rss_mib, '7.0f')} "
              f"{rows:>8}  {res.year_type}")
    for key, why in run.skipped.items():
        print(f"   skipped {key}: {why}")
    if run.expected_rows is not None:
        print(f"   expected rows: {run.expected_rows} ('!' marks a reader that read "
              "a different number)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="data rows per sheet (default 50000)")
    parser.add_argument("--repeat", type=int, help="repeats per reader, best kept (default 3)")
    parser.add_argument("--scenario-repeat", type=int,
                        help="repeats on the shipped scenario (default 20, --quick 5)")
    parser.add_argument("--quick", action="store_true", help="2000 rows, 1 repeat")
    parser.add_argument("--shared-strings", action="store_true",
                        help="write the synthetic book without constant_memory, so its "
                             "text goes to the shared-string table as Excel saves it")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the per-reader peak memory children")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results here")
    args = parser.parse_args(argv)
    rows = args.rows or (2_000 if args.quick else 50_000)
    repeat = args.repeat or (1 if args.quick else 3)
    scenario_repeat = args.scenario_repeat or (5 if args.quick else 20)

    readers = all_readers()
    base_skipped: dict[str, str] = {}
    note = project_reader_note()
    if note:
        base_skipped["project"] = note
        readers = [r for r in readers if r.key != "project"]

    meta = {
        "command": " ".join(["python", *sys.argv]),
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "versions": versions(),
        "rows_per_sheet": rows,
        "sheets": list(SHEETS),
        "columns": list(HEADERS),
        "repeat": repeat,
        "scenario_repeat": scenario_repeat,
        "constant_memory": not args.shared_strings,
    }
    print(f"bench_read {meta['date']}  Python {meta['python']}  {meta['platform']}  "
          f"cpus={meta['cpu_count']}")
    print("   " + "  ".join(f"{k} {v}" for k, v in meta["versions"].items()))

    runs: list[WorkbookRun] = []
    with tempfile.TemporaryDirectory(prefix="bench_read_") as tmpdir:
        tmp = Path(tmpdir)
        warm_up(readers, tmp)
        baseline_kib = 0
        if not args.no_memory:
            baseline_kib, _ = peak_rss_kib("baseline", tmp / "warmup.xlsx")
            meta["bare_python_rss_mib"] = round(baseline_kib / 1024, 1)

        book = tmp / "synthetic.xlsx"
        print(f"writing {len(SHEETS)} sheets x {rows} rows x {len(HEADERS)} columns...",
              file=sys.stderr, flush=True)
        start = time.perf_counter()
        write_workbook(book, rows, constant_memory=not args.shared_strings)
        meta["generate_s"] = round(time.perf_counter() - start, 2)
        kind = "shared strings" if args.shared_strings else "constant_memory, inline strings"
        name = f"synthetic: {len(SHEETS)} sheets x {rows:,} rows x {len(HEADERS)} cols ({kind})"
        runs.append(bench_workbook(name, book, readers, repeat, len(SHEETS) * rows,
                                   not args.no_memory, baseline_kib, base_skipped))

        if SCENARIO.exists():
            runs.append(bench_workbook(f"scenario: {SCENARIO.name}", SCENARIO, readers,
                                       scenario_repeat, None, not args.no_memory,
                                       baseline_kib, base_skipped))
        else:
            print(f"\nnote: {SCENARIO.relative_to(ROOT)} not found; scenario not measured")

    if base_skipped.get("project"):
        print(f"\nnote: project reader not measured: {base_skipped['project']}")
    if not HAVE_PYARROW:
        print("\nnote: pyarrow is not installed, so fastexcel cannot hand its Arrow data to "
              "Python;\n      * its times only parse the cells in Rust, build no Python "
              "values and are\n      never the 'x fastest' reference.")
    if not args.no_memory:
        print(f"\nbare spawned Python: {meta['bare_python_rss_mib']} MiB peak RSS "
              "(+MiB is over this)")
    for run in runs:
        print_run(run)

    if args.json:
        payload = {"meta": meta, "workbooks": [asdict(run) for run in runs]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
