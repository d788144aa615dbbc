"""Benchmark: the whole `coprocure solve` process against HiGHS on the same LP.

    python benchmarks/bench_process.py [--size small|medium|large|all] [--repeat K]
                                       [--json PATH] [--workdir DIR] [--seed S]
                                       [--no-verify] [--whatif]
    python benchmarks/bench_process.py --size medium --profile 40  # cProfile of the CLI
    python benchmarks/bench_process.py --verify-writer 200         # the workbook writer

Issue 16's targets: the whole `coprocure solve` process at most 4.0x the HiGHS run time
of the same LP at medium and 1.8x at large; peak memory of a large solve at most 2.0x raw
highspy's. For each size of ``bench_lp.py``'s synthetic scenario (small 2x5x3x10, medium
2x30x17x40, large 5x60x17x40; buyers x suppliers x materials x periods):

1. **Workbook.** The ``ScenarioData`` is written as a scenario workbook in the project's
   format (``scenario_workbook.py`` beside this script). Round trip, unless
   ``--no-verify``: ``load_workbook(path).scenario("base")`` planned by ``solve_plan``
   must give the objective of ``solve_plan`` on the in-memory data to 1e-9 relative, and
   ``coprocure validate`` must pass; else the run stops.
2. **Process.** ``python -m optimizer.cli solve WORKBOOK -o OUT.xlsx --json`` as a
   subprocess, with this checkout first on ``PYTHONPATH``: wall time from spawn to exit;
   peak RSS from ``/usr/bin/time -f %M`` (its child is forked from the small ``time``
   process, so the figure is the CLI's own: ``ru_maxrss`` of a child spawned from this
   large process would include this process's peak, which survives ``execve``). The
   JSON summary's ``timings`` are kept.
3. **HiGHS.** Two fresh processes per repeat. *compile*: reads the workbook, builds the
   model (``build_index``, ``build_model``), compiles it (``compile_lp``), passes it to
   ``new_highs()`` with ``pass_lp`` and times only ``h.run()``; it also saves the LP's
   arrays to an ``.npz``. *raw*: imports only numpy and highspy, loads the ``.npz``,
   ``passModel`` with the project's ``HIGHS_OPTIONS``, times ``run()``, reads the
   solution with ``getSolution()``; its VmHWM is raw highspy's peak memory. Every
   objective (CLI, compile, raw) must equal the in-memory plan's to 1e-9 relative.
   The ratio's denominator is the raw process's ``run()``.
4. **Stages.** A fourth process runs the same CLI entry point (``optimizer.cli.app.main``
   with the same arguments) with timers wrapped around the functions ``run_solve``
   calls: interpreter start (spawn to this script's first line), CLI imports (Typer,
   Rich), the solve stack's imports (Pyomo, pandas, highspy...), argument parsing and
   output checks, reading + validation (``load_workbook``), the typed scenario
   (``LoadedWorkbook.scenario``, called twice by ``solve``), the plan's own timings
   (build, compile, solve, extract, check), the rest of ``plan_or_raise`` (the
   collector's first pass after ``solve_plan`` re-enables it), provenance, writing the
   results workbook
   (``write_results``), the JSON summary, freeing the plan when ``run_solve`` returns,
   and interpreter exit (the marks written to exit, seen from here); also the time
   spent in Python's cyclic garbage collector (``gc.callbacks``) and the peak RSS
   (VmHWM) after the imports, reading, the plan and writing. Pyomo's deferred
   ``import scipy.stats, integrate, sparse, spatial``, which the first standard-form
   compile in a process pays inside ``compile_s``, is timed apart in a fresh process.
   The floors the issue names, in this process: **reading**, raw python-calamine
   (``CalamineWorkbook.from_path``, ``to_python(skip_empty_area=False)`` per sheet)
   against ``load_workbook``; **writing**, the cells of the results workbook the CLI
   wrote (read back with calamine) written to a new workbook by XlsxWriter in
   ``constant_memory`` mode, row by row with ``write_row``, against ``write_results``
   (and, for reference, the same in the in-memory mode the project writes in).
5. **Noise.** The four processes take turns in rotated order within each repeat; each
   figure is the best of K (``--repeat``, default 3), memory the lowest peak; ratios are
   of one run. The load average is printed per size and per repeat.

``--whatif`` adds a fifth process per repeat: the same CLI run with the cyclic garbage
collector off throughout (``gc.disable()`` before ``runpy``). ``--profile N`` runs the
CLI once in a fresh process under cProfile (imports included) and prints the top N
functions by cumulative and by own time. ``--verify-writer N`` checks the workbook writer
on N random scenarios of tests/factory.py (plain, with deals and discounts, processing,
disruptions): the workbook loads without errors and plans at the data's cost. Nothing is
asserted about time: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quiet_stdout import stdout_silenced  # the benchmarks' folder: no project import

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = ("small", "medium", "large")
TARGET_WALL = {"medium": 4.0, "large": 1.8}
TARGET_MEMORY = {"large": 2.0}
OBJECTIVE_RTOL = 1e-9
OPTIONS_ENV = "COPROCURE_BENCH_HIGHS_OPTIONS"
TIME_BIN = "/usr/bin/time"
STRATEGY = "base"
PATHS = ("compile", "cli", "stages", "raw")  # the order of the first repeat

# the stages of the process, in order: (key, label)
STAGES = (
    ("start", "interpreter start"),
    ("cli_imports", "imports: optimizer.cli.app (Typer, Rich)"),
    ("stack_imports", "imports: the solve stack (Pyomo, pandas, highspy)"),
    ("parse", "arguments, input and output checks"),
    ("read", "reading + validation (load_workbook)"),
    ("scenario", "typed scenario (.scenario(), x{n})"),
    ("build_s", "build: index + Pyomo model"),
    ("compile_s", "compile: standard form"),
    ("solve_s", "solve: new Highs, pass, run"),
    ("extract_s", "extract: result tables"),
    ("check_s", "check: independent checker"),
    ("plan_other", "plan, other"),
    ("after_plan", "after the plan (the collector's first pass)"),
    ("provenance", "provenance (each row's source and note)"),
    ("write", "writing the results workbook"),
    ("summary", "JSON summary"),
    ("free", "freeing the plan (run_solve returns)"),
    ("exit", "interpreter exit"),
    ("other", "unaccounted"),
)


# --------------------------------------------------------------------------- helpers

def peak_rss_mib() -> float:
    """VmHWM of this process (its own address space: not inherited through execve)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_env() -> dict[str, str]:
    """This checkout first on the path, so that the CLI run is this tree's, whatever
    ``coprocure`` is installed from."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=str(ROOT) + (os.pathsep + path if path else ""))


def rel_diff(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a))


def load() -> float:
    return os.getloadavg()[0]


def best(values: list[float]) -> float:
    return min(values) if values else float("nan")


# --------------------------------------------------------------------------- children

def child_stages(workbook: str, output: str, marks_file: str) -> int:
    """The CLI entry point with timers around what ``run_solve`` calls; the CLI's own
    stdout (the JSON summary) is left as it is. Marks are perf_counter readings
    (CLOCK_MONOTONIC, comparable with the parent's)."""
    entered = time.perf_counter()
    marks: dict[str, Any] = {"entered": entered}
    t = time.perf_counter()
    import optimizer.cli.app as app

    marks["cli_imports"] = time.perf_counter() - t
    t = time.perf_counter()
    # what run_solve and plan_or_raise import inside their bodies, imported first so that
    # they can be wrapped (the same work the CLI does there)
    import optimizer.cli.solve as cli_solve
    import optimizer.planning.coordination as coordination
    import optimizer.planning.deals
    import optimizer.reports.results as results
    import optimizer.solving.highs  # noqa: F401
    import optimizer.workbook.load as loading
    from optimizer.reports.provenance import Provenance

    marks["stack_imports"] = time.perf_counter() - t
    spans: dict[str, list[tuple[float, float]]] = {}
    peaks: dict[str, float] = {"imports": peak_rss_mib()}  # VmHWM after each step

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                out = func(*args, **kwargs)
            finally:
                spans.setdefault(name, []).append((t0, time.perf_counter()))
                peaks[name] = peak_rss_mib()
            if name == "plan":
                marks["plan_timings"] = dict(out.timings)
            return out
        return wrapper

    collected = [0.0, 0.0]  # seconds in the cyclic garbage collector; start of a pass

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected[1] = time.perf_counter()
        else:
            collected[0] += time.perf_counter() - collected[1]

    gc.callbacks.append(collector)
    cli_solve.output_path = timed("output_path", cli_solve.output_path)
    cli_solve.plan_or_raise = timed("plan_or_raise", cli_solve.plan_or_raise)
    loading.load_workbook = timed("read", loading.load_workbook)
    loading.LoadedWorkbook.scenario = timed(  # type: ignore[method-assign]
        "scenario", loading.LoadedWorkbook.scenario)
    coordination.plan_coordinated = timed("plan", coordination.plan_coordinated)
    Provenance.of = timed("provenance", Provenance.of)  # type: ignore[method-assign]
    results.write_results = timed("write", results.write_results)
    cli_solve.solve_summary = timed("summary", cli_solve.solve_summary)
    cli_solve.print_json = timed("print", cli_solve.print_json)

    sys.argv = ["coprocure", "solve", workbook, "-o", output, "--json"]
    marks["main"] = time.perf_counter()
    code: Any = 0
    try:
        app.main()
    except SystemExit as done:
        code = done.code
    marks["returned"] = time.perf_counter()
    marks["spans"] = spans
    marks["peaks"] = peaks
    marks["code"] = code
    marks["gc_s"] = collected[0]
    marks["peak_mib"] = peak_rss_mib()
    marks["written"] = time.perf_counter()
    Path(marks_file).write_text(json.dumps(marks))
    return int(code or 0)


def child_compile(workbook: str, npz: str) -> int:
    """Build and compile the workbook's model as ``solve`` does, time ``h.run()`` on it,
    and save the LP's arrays."""
    import numpy as np

    from models.build import build_model
    from models.index import build_index
    from optimizer.solving.highs import compile_lp, new_highs, pass_lp
    from optimizer.workbook.load import load_workbook

    data = load_workbook(workbook).scenario(STRATEGY)
    lp = compile_lp(build_model(data, build_index(data)))
    h = new_highs(data.settings.time_limit_s)
    pass_lp(h, lp)
    t0 = time.perf_counter()
    h.run()
    run_s = time.perf_counter() - t0
    a = lp.matrix
    np.savez(npz, cost=lp.cost, offset=np.array([lp.offset]), col_lower=lp.col_lower,
             col_upper=lp.col_upper, row_lower=lp.row_lower, row_upper=lp.row_upper,
             start=a.indptr.astype(np.int32), index=a.indices.astype(np.int32),
             value=a.data.astype(float))
    print(json.dumps({"run_s": run_s, "status": h.modelStatusToString(h.getModelStatus()),
                      "objective": h.getInfo().objective_function_value,
                      "rows": len(lp.rows), "columns": len(lp.columns), "nonzeros": int(a.nnz),
                      "is_mip": bool(lp.is_mip), "peak_mib": peak_rss_mib()}))
    return 0


def child_raw(npz: str) -> int:
    """numpy and highspy only: the LP from arrays, passModel, run (timed), getSolution."""
    import highspy
    import numpy as np

    options = json.loads(os.environ[OPTIONS_ENV])
    arrays = np.load(npz)
    with stdout_silenced():
        h = highspy.Highs()
    for name, value in options.items():
        h.setOptionValue(name, value)
    n_cols, n_rows = len(arrays["cost"]), len(arrays["row_lower"])
    h.passModel(n_cols, n_rows, len(arrays["value"]), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), float(arrays["offset"][0]), arrays["cost"],
                arrays["col_lower"], arrays["col_upper"], arrays["row_lower"],
                arrays["row_upper"], arrays["start"], arrays["index"], arrays["value"],
                np.zeros(n_cols, dtype=np.int32))
    t0 = time.perf_counter()
    h.run()
    run_s = time.perf_counter() - t0
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    duals = np.asarray(sol.row_dual, dtype=float)
    project = sorted(m for m in sys.modules if m.split(".")[0] in ("optimizer", "models",
                                                                    "pyomo", "pandas"))
    print(json.dumps({"run_s": run_s, "status": h.modelStatusToString(h.getModelStatus()),
                      "objective": h.getInfo().objective_function_value,
                      "columns": len(x), "rows": len(duals), "peak_mib": peak_rss_mib(),
                      "other_modules": project[:5]}))
    return 0


def child_deferred() -> int:
    """The solve stack's imports, then Pyomo's deferred scipy import (the first
    standard-form compile in a process pays it)."""
    t0 = time.perf_counter()
    import optimizer.planning.coordination
    import optimizer.reports.results
    import optimizer.workbook.load  # noqa: F401

    t1 = time.perf_counter()
    already = "scipy.stats" in sys.modules
    from pyomo.common.dependencies import scipy

    _ = scipy.sparse.csc_array  # resolves it: scipy.stats, integrate, sparse, spatial
    t2 = time.perf_counter()
    print(json.dumps({"stack_imports_s": t1 - t0, "deferred_scipy_s": t2 - t1,
                      "scipy_stats_before": already}))
    return 0


def child_profile(workbook: str, output: str, top: int) -> int:
    import cProfile
    import io
    import pstats
    import runpy

    sys.argv = ["coprocure", "solve", workbook, "-o", output, "--json"]
    prof = cProfile.Profile()
    prof.enable()
    with contextlib.suppress(SystemExit):  # the CLI always exits
        runpy.run_module("optimizer.cli", run_name="__main__", alter_sys=True)
    prof.disable()
    for key in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats(key).print_stats(top)
        print(f"\n--- cProfile of `coprocure solve {Path(workbook).name}`, by {key} ---\n"
              + text.getvalue(), file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- spawning

def spawn(args: list[str], measure_memory: bool = False, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``args``; wall time from spawn to exit, and the child's peak RSS through
    /usr/bin/time when asked."""
    env = dict(env or child_env())
    mem_file = None
    if measure_memory and Path(TIME_BIN).exists():
        fd, mem_file = tempfile.mkstemp(suffix=".rss")
        os.close(fd)
        args = [TIME_BIN, "-f", "%M", "-o", mem_file, *args]
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env,
                          cwd=str(cwd or ROOT), check=False)
    t1 = time.perf_counter()
    out: dict[str, Any] = {"wall_s": t1 - t0, "spawned": t0, "ended": t1,
                           "code": proc.returncode, "stdout": proc.stdout,
                           "stderr": proc.stderr}
    if mem_file is not None:
        text = Path(mem_file).read_text().strip().splitlines()
        os.unlink(mem_file)
        out["peak_mib"] = int(text[-1]) / 1024 if text and text[-1].isdigit() else None
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return out


def me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def last_json(text: str) -> dict[str, Any]:
    return json.loads(text.strip().splitlines()[-1])


def run_cli(workbook: Path, output: Path) -> dict[str, Any]:
    res = spawn([sys.executable, "-m", "optimizer.cli", "solve", str(workbook), "-o",
                 str(output), "--json"], measure_memory=True, cwd=workbook.parent)
    summary = json.loads(res["stdout"])
    return {"wall_s": res["wall_s"], "peak_mib": res["peak_mib"],
            "objective": summary["objective"], "timings": summary["timings"],
            "check_passed": summary["check"]["passed"], "status": summary["status"]}


def run_nogc(workbook: Path, output: Path) -> dict[str, Any]:
    """What-if: the same CLI run with Python's cyclic garbage collector off throughout."""
    code = ("import gc, runpy, sys; gc.disable(); sys.argv = ['coprocure', *sys.argv[1:]]; "
            "runpy.run_module('optimizer.cli', run_name='__main__', alter_sys=True)")
    res = spawn([sys.executable, "-c", code, "solve", str(workbook), "-o", str(output),
                 "--json"], measure_memory=True, cwd=workbook.parent)
    summary = json.loads(res["stdout"])
    return {"wall_s": res["wall_s"], "peak_mib": res["peak_mib"],
            "objective": summary["objective"], "check_passed": summary["check"]["passed"]}


def run_stages(workbook: Path, output: Path, marks_file: Path) -> dict[str, Any]:
    res = spawn(me("--_child", "stages", str(workbook), str(output), str(marks_file)),
                measure_memory=True, cwd=workbook.parent)
    m = json.loads(marks_file.read_text())
    spans = m["spans"]

    def total(name: str, within: str | None = None) -> float:
        inside = spans[within] if within else [(-1.0, float("inf"))]
        return sum(b - a for a, b in spans.get(name, [])
                   if any(lo <= a and b <= hi for lo, hi in inside))

    timings = m["plan_timings"]
    st = {
        "start": m["entered"] - res["spawned"],
        "cli_imports": m["cli_imports"],
        "stack_imports": m["stack_imports"],
        "parse": spans["output_path"][0][1] - m["main"],
        "read": total("read"),
        "scenario": total("scenario"),
        **{k: timings.get(k, 0.0) for k in ("build_s", "compile_s", "solve_s", "extract_s",
                                             "check_s")},
        "plan_other": total("plan") - timings["total_s"],
        "after_plan": (total("plan_or_raise") - total("plan")
                       - total("scenario", within="plan_or_raise")),
        "provenance": total("provenance"),
        "write": total("write"),
        "summary": total("summary") + total("print"),
        "free": m["returned"] - spans["print"][-1][1],
        "exit": res["ended"] - m["written"],
    }
    st["other"] = res["wall_s"] - sum(st.values())
    return {"wall_s": res["wall_s"], "peak_mib": res["peak_mib"], "stages": st,
            "scenario_calls": len(spans.get("scenario", [])), "gc_s": m["gc_s"],
            "peaks": {k: m["peaks"][k] for k in ("imports", "read", "plan", "write")},
            "objective": json.loads(res["stdout"])["objective"]}


def run_compile(workbook: Path, npz: Path) -> dict[str, Any]:
    res = spawn(me("--_child", "compile", str(workbook), str(npz)))
    return {**last_json(res["stdout"]), "wall_s": res["wall_s"]}


def run_raw(npz: Path, options: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ, **{OPTIONS_ENV: json.dumps(options)})
    res = spawn(me("--_child", "raw", str(npz)), measure_memory=True, env=env)
    out = {**last_json(res["stdout"]), "wall_s": res["wall_s"], "time_peak_mib": res["peak_mib"]}
    if out["other_modules"]:
        raise SystemExit(f"the raw child imported {out['other_modules']}")
    return out


# --------------------------------------------------------------------------- in process

def write_workbook(size: str, seed: int, folder: Path) -> tuple[Any, Path, dict[str, Any]]:
    import bench_lp
    from scenario_workbook import sheets_of, vacuous_caps, write_scenario_workbook

    data = bench_lp.make_scenario(size, seed)
    path = folder / f"bench-{size}.xlsx"
    t0 = time.perf_counter()
    write_scenario_workbook(data, path)
    info = {"write_s": time.perf_counter() - t0, "bytes": path.stat().st_size,
            "rows": {name: len(recs) for name, (_, recs) in sheets_of(data).items()},
            "left_out": [f"{p.name} {p.kind} {p.target} {p.material}"
                         for p in vacuous_caps(data)],
            "dims": dict(zip(("buyers", "suppliers", "materials", "periods"),
                             bench_lp.SIZES[size], strict=True))}
    return data, path, info


def verify_round_trip(data: Any, path: Path) -> dict[str, Any]:
    """The workbook's plan is the in-memory data's; `coprocure validate` passes."""
    from optimizer.solving.plan import solve_plan
    from optimizer.workbook.load import load_workbook

    memory = solve_plan(data)
    read = solve_plan(load_workbook(path).scenario(STRATEGY))
    out = {"objective": memory.objective, "workbook_objective": read.objective,
           "rel_diff": rel_diff(memory.objective, read.objective),
           "violations": len(memory.violations) + len(read.violations)}
    del memory, read
    gc.collect()
    if out["rel_diff"] > OBJECTIVE_RTOL or out["violations"]:
        raise SystemExit(f"round trip failed: {out}")
    res = spawn([sys.executable, "-m", "optimizer.cli", "validate", str(path), "--json"],
                cwd=path.parent)
    verdict = json.loads(res["stdout"])
    if not verdict["valid"]:
        raise SystemExit(f"coprocure validate {path.name}: {verdict}")
    out["validate"] = {k: verdict[k] for k in ("valid", "errors", "warnings")}
    return out


def reading_floor(path: Path, repeat: int) -> dict[str, Any]:
    """Raw python-calamine against load_workbook (and the typed scenario), turn by turn."""
    from python_calamine import CalamineWorkbook

    from optimizer.workbook.load import load_workbook

    def calamine() -> None:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)

    times: dict[str, list[float]] = {"calamine": [], "load_workbook": [], "scenario": []}
    for r in range(repeat):
        for what in (["calamine", "load"] if r % 2 == 0 else ["load", "calamine"]):
            t0 = time.perf_counter()
            if what == "calamine":
                calamine()
                times["calamine"].append(time.perf_counter() - t0)
            else:
                loaded = load_workbook(path)
                t1 = time.perf_counter()
                loaded.scenario(STRATEGY)
                times["load_workbook"].append(t1 - t0)
                times["scenario"].append(time.perf_counter() - t1)
    return {k: best(v) for k, v in times.items()} | {"all": times}


def writing_floor(results: Path, folder: Path, repeat: int) -> dict[str, Any]:
    """The results workbook's cells (read back with calamine) written by XlsxWriter row by
    row with ``write_row``: in constant_memory mode (the issue's floor; text inline), and
    for reference in the mode the project uses (in memory, shared strings), turn by turn."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(results))
    sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
              for name in wb.sheet_names}
    cells = [v for rows in sheets.values() for row in rows for v in row if v != ""]
    text = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    modes = {"constant_memory": {"constant_memory": True, **text},
             "in_memory": {"in_memory": True, **text}}
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for r in range(repeat):
        for mode in (list(modes) if r % 2 == 0 else list(modes)[::-1]):
            target = folder / f"floor-{mode}.xlsx"
            t0 = time.perf_counter()
            out = xlsxwriter.Workbook(str(target), modes[mode])
            for name, rows in sheets.items():
                ws = out.add_worksheet(name)
                for i, row in enumerate(rows):
                    ws.write_row(i, 0, row)
            out.close()
            times[mode].append(time.perf_counter() - t0)
    return {"xlsxwriter_s": best(times["constant_memory"]),
            "xlsxwriter_in_memory_s": best(times["in_memory"]), "all": times,
            "cells": len(cells), "text_cells": sum(isinstance(v, str) for v in cells),
            "rows": sum(len(rows) for rows in sheets.values()), "sheets": len(sheets),
            "results_bytes": results.stat().st_size,
            "floor_bytes": (folder / "floor-constant_memory.xlsx").stat().st_size}


def verify_writer(examples: int, folder: Path) -> int:
    """The writer on random scenarios of tests/factory.py (needs hypothesis): plain,
    with deals and discounts, with processing stages, with disruptions. The workbook must
    load without errors and its plan cost what the data's plan costs (1e-9 relative;
    deals and discounts at a zero MIP gap)."""
    from dataclasses import replace

    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st
    from scenario_workbook import write_scenario_workbook

    from optimizer.planning.coordination import plan_coordinated
    from optimizer.workbook.load import load_workbook
    from tests import factory

    seen = {"compared": 0, "without a plan": 0}
    path = folder / "random.xlsx"

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(factory.random_scenarios(), factory.random_pooling(),
                     factory.random_processing(), factory.random_disrupted()))
    def same_plan(data: Any) -> None:
        assume(data.offers)  # a Supply sheet without rows is an error (sheet-empty)
        data = replace(data, settings=replace(data.settings, mip_gap=0.0))
        write_scenario_workbook(data, path)
        loaded = load_workbook(path)
        assert not loaded.errors, [str(i) for i in loaded.errors]
        a, b = plan_coordinated(data), plan_coordinated(loaded.scenario(STRATEGY))
        assert a.status == b.status, (a.status, b.status)
        if a.objective is None:
            seen["without a plan"] += 1
            return
        assert rel_diff(a.objective, b.objective) <= OBJECTIVE_RTOL, (a.objective, b.objective)
        seen["compared"] += 1

    same_plan()
    print(f"workbook plan == data plan on {seen['compared']} random scenarios "
          f"({seen['without a plan']} without a plan, same status)")
    return 0


def bare_interpreter(repeat: int) -> float:
    return best([spawn([sys.executable, "-c", "pass"])["wall_s"] for _ in range(repeat)])


# --------------------------------------------------------------------------- one size

def bench_size(size: str, repeat: int, seed: int, folder: Path, verify: bool,
               options: dict[str, Any], whatif: bool = False) -> dict[str, Any]:
    res: dict[str, Any] = {"size": size, "repeat": repeat, "load_before": load()}
    print(f"\n== {size} (load {res['load_before']:.2f}) ==", flush=True)
    data, path, res["workbook"] = write_workbook(size, seed, folder)
    wbk = res["workbook"]
    print(f"   workbook {path.name}: {wbk['bytes'] / 1e6:.2f} MB, "
          f"{sum(wbk['rows'].values()):,} rows, written in {wbk['write_s']:.2f} s", flush=True)
    if wbk["left_out"]:
        print(f"   left out {len(wbk['left_out'])} caps on targets no supplier has (they bind "
              f"nothing; the format refuses them): {'; '.join(wbk['left_out'])}")
    if verify:
        res["round_trip"] = rt = verify_round_trip(data, path)
        print(f"   round trip: objective {rt['objective']:.12g} in memory, "
              f"{rt['workbook_objective']:.12g} from the workbook "
              f"(rel. diff {rt['rel_diff']:.1e}); validate: {rt['validate']}", flush=True)
    del data
    res["reading"] = reading_floor(path, repeat)

    output = folder / f"bench-{size}-results.xlsx"
    npz = folder / f"bench-{size}-lp.npz"
    marks = folder / f"bench-{size}-marks.json"
    paths = (*PATHS, "nogc") if whatif else PATHS
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in paths}
    res["load_repeats"] = []
    for r in range(repeat):
        order = paths[r % len(paths):] + paths[:r % len(paths)]
        if r and not npz.exists():  # pragma: no cover - the first repeat writes it
            raise SystemExit("no LP arrays")
        for p in order:
            if p == "cli":
                runs[p].append(run_cli(path, output))
            elif p == "stages":
                runs[p].append(run_stages(path, output, marks))
            elif p == "compile":
                runs[p].append(run_compile(path, npz))
            elif p == "nogc":
                runs[p].append(run_nogc(path, output))
            else:
                runs[p].append(run_raw(npz, options))
        res["load_repeats"].append(load())
        print(f"   repeat {r + 1}/{repeat} ({' '.join(order)}): process "
              f"{runs['cli'][-1]['wall_s']:.2f} s, HiGHS run {runs['raw'][-1]['run_s']:.3f} s"
              f", load {res['load_repeats'][-1]:.2f}", flush=True)
    res["runs"] = runs
    res["writing"] = writing_floor(output, folder, repeat)
    res["load_after"] = load()

    reference = res.get("round_trip", {}).get("objective", runs["cli"][0]["objective"])
    objectives = {f"{p} {i}": run["objective"] for p, rs in runs.items()
                  for i, run in enumerate(rs)}
    worst = max(rel_diff(reference, o) for o in objectives.values())
    if worst > OBJECTIVE_RTOL or not all(r["check_passed"] for r in runs["cli"]):
        raise SystemExit(f"not the same plan: {objectives} (reference {reference})")
    res["objective"], res["objective_worst_rel_diff"] = reference, worst
    c = runs["compile"][0]
    res["lp"] = {k: c[k] for k in ("rows", "columns", "nonzeros", "is_mip")}
    res["process_s"] = best([x["wall_s"] for x in runs["cli"]])
    res["highs_run_s"] = best([x["run_s"] for x in runs["raw"]])
    res["highs_run_compiled_s"] = best([x["run_s"] for x in runs["compile"]])
    res["wall_ratio"] = res["process_s"] / res["highs_run_s"]
    res["process_peak_mib"] = best([x["peak_mib"] for x in runs["cli"]])
    res["raw_peak_mib"] = best([x["peak_mib"] for x in runs["raw"]])
    res["memory_ratio"] = res["process_peak_mib"] / res["raw_peak_mib"]
    res["cli_timings"] = {k: best([x["timings"][k] for x in runs["cli"]])
                          for k in runs["cli"][0]["timings"]}
    if whatif:
        res["nogc_s"] = best([x["wall_s"] for x in runs["nogc"]])
        res["nogc_peak_mib"] = best([x["peak_mib"] for x in runs["nogc"]])
    res["peaks"] = {k: best([x["peaks"][k] for x in runs["stages"]])
                    for k in runs["stages"][0]["peaks"]}
    res["stages"] = {k: best([x["stages"][k] for x in runs["stages"]]) for k, _ in STAGES}
    res["stages_wall_s"] = best([x["wall_s"] for x in runs["stages"]])
    res["scenario_calls"] = runs["stages"][0]["scenario_calls"]
    res["gc_s"] = best([x["gc_s"] for x in runs["stages"]])
    res["verdicts"] = verdicts(res)
    print_size(res)
    return res


def verdicts(res: dict[str, Any]) -> list[str]:
    out = []
    size = res["size"]
    if size in TARGET_WALL:
        ok = res["wall_ratio"] <= TARGET_WALL[size]
        out.append(f"process {res['wall_ratio']:.2f}x the HiGHS run, target <= "
                   f"{TARGET_WALL[size]:.1f}x: {'MET' if ok else 'NOT MET'}")
    if size in TARGET_MEMORY:
        ok = res["memory_ratio"] <= TARGET_MEMORY[size]
        out.append(f"peak memory {res['memory_ratio']:.2f}x raw highspy's, target <= "
                   f"{TARGET_MEMORY[size]:.1f}x: {'MET' if ok else 'NOT MET'}")
    return out


def print_size(res: dict[str, Any]) -> None:
    lp, runs = res["lp"], res["runs"]
    print(f"   LP {lp['rows']:,} rows x {lp['columns']:,} columns, {lp['nonzeros']:,} "
          f"nonzeros; objective {res['objective']:.12g} (every process within "
          f"{res['objective_worst_rel_diff']:.0e}); load {res['load_before']:.2f} before, "
          f"{res['load_after']:.2f} after")
    walls = ", ".join(f"{x['wall_s']:.2f}" for x in runs["cli"])
    print(f"   process wall (best of {res['repeat']}): {res['process_s']:.2f} s  [{walls}]")
    raws = ", ".join(f"{x['run_s']:.3f}" for x in runs["raw"])
    comp = ", ".join(f"{x['run_s']:.3f}" for x in runs["compile"])
    print(f"   HiGHS run(): raw process {res['highs_run_s']:.3f} s [{raws}]; compiled in a "
          f"Pyomo process {res['highs_run_compiled_s']:.3f} s [{comp}]")
    print(f"   peak RSS: process {res['process_peak_mib']:.0f} MiB, raw highspy "
          f"{res['raw_peak_mib']:.0f} MiB (ratio {res['memory_ratio']:.2f}x); stages "
          f"child {best([x['peak_mib'] for x in runs['stages']]):.0f} MiB")
    print(f"   {'stage (best of ' + str(res['repeat']) + ' each)':<52}{'s':>9}{'share':>8}")
    wall = res["stages_wall_s"]
    for key, label in STAGES:
        value = res["stages"][key]
        print(f"   {label.format(n=res['scenario_calls']):<52}{value:9.3f}{value / wall:8.1%}")
    print(f"   {'instrumented process wall (best)':<52}{wall:9.3f}")
    t = res["cli_timings"]
    print("   the plain CLI's JSON timings: " + ", ".join(f"{k} {v:.3f}" for k, v in t.items()))
    rd, wr = res["reading"], res["writing"]
    print(f"   reading: raw calamine {rd['calamine']:.3f} s, load_workbook "
          f"{rd['load_workbook']:.3f} s ({rd['load_workbook'] / rd['calamine']:.1f}x), "
          f".scenario() {rd['scenario']:.3f} s (in this process)")
    write = res["stages"]["write"]
    print(f"   writing: write_results {write:.3f} s (in the CLI) vs XlsxWriter constant_memory "
          f"write_row {wr['xlsxwriter_s']:.3f} s ({write / wr['xlsxwriter_s']:.1f}x; in memory "
          f"{wr['xlsxwriter_in_memory_s']:.3f} s), {wr['cells']:,} cells ({wr['text_cells']:,}"
          f" text) in {wr['rows']:,} rows of {wr['sheets']} sheets")
    print(f"   cyclic garbage collector, whole process (in the stages above): "
          f"{res['gc_s']:.3f} s")
    print("   peak RSS after: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in res["peaks"].items()))
    if "nogc_s" in res:
        print(f"   what-if, collector off throughout: process {res['nogc_s']:.2f} s "
              f"({res['nogc_s'] / res['highs_run_s']:.1f}x the HiGHS run), peak "
              f"{res['nogc_peak_mib']:.0f} MiB")
    for line in res["verdicts"]:
        print(f"   {line}")


def print_table(results: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    """The summary as a Markdown table, for the README."""
    names = [r["size"] for r in results]
    print("\n| | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        print(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    row("LP rows x columns (nonzeros)", lambda r: f"{r['lp']['rows']:,} x "
        f"{r['lp']['columns']:,} ({r['lp']['nonzeros']:,})")
    row("workbook (rows, MB)", lambda r: f"{sum(r['workbook']['rows'].values()):,}, "
        f"{r['workbook']['bytes'] / 1e6:.2f}")
    row("**process wall**", lambda r: f"**{r['process_s']:.2f} s**")
    row("HiGHS `run()`, raw process", lambda r: f"{r['highs_run_s']:.3f} s")
    row("**process / HiGHS run** (target)", lambda r: f"**{r['wall_ratio']:.1f}x**"
        + (f" (<= {TARGET_WALL[r['size']]:.1f}x)" if r["size"] in TARGET_WALL else ""))
    row("peak RSS process / raw highspy", lambda r: f"{r['process_peak_mib']:.0f} / "
        f"{r['raw_peak_mib']:.0f} MiB")
    row("**memory ratio** (target)", lambda r: f"**{r['memory_ratio']:.2f}x**"
        + (f" (<= {TARGET_MEMORY[r['size']]:.1f}x)" if r["size"] in TARGET_MEMORY else ""))
    for key, label in STAGES:
        row(label.format(n=results[0]["scenario_calls"]),
            lambda r, key=key: f"{r['stages'][key]:.3f}")
    row("instrumented process wall", lambda r: f"{r['stages_wall_s']:.2f} s")
    row("load_workbook / raw calamine read", lambda r: f"{r['reading']['load_workbook']:.3f} / "
        f"{r['reading']['calamine']:.3f} s "
        f"({r['reading']['load_workbook'] / r['reading']['calamine']:.0f}x)")
    row("write_results / XlsxWriter constant_memory floor", lambda r:
        f"{r['stages']['write']:.3f} / {r['writing']['xlsxwriter_s']:.3f} s "
        f"({r['stages']['write'] / r['writing']['xlsxwriter_s']:.1f}x)")
    row("XlsxWriter in memory, same cells", lambda r:
        f"{r['writing']['xlsxwriter_in_memory_s']:.3f} s")
    row("results cells (text)", lambda r: f"{r['writing']['cells']:,} "
        f"({r['writing']['text_cells']:,})")
    row("cyclic GC, whole process (in the stages)", lambda r: f"{r['gc_s']:.3f}")
    row("peak RSS after imports / read / plan / write", lambda r: " / ".join(
        f"{r['peaks'][k]:.0f}" for k in ("imports", "read", "plan", "write")) + " MiB")
    if all("nogc_s" in r for r in results):
        row("what-if, collector off: process (x HiGHS run), peak", lambda r:
            f"{r['nogc_s']:.2f} s ({r['nogc_s'] / r['highs_run_s']:.1f}x), "
            f"{r['nogc_peak_mib']:.0f} MiB")
    print(f"\nbare `python -c pass`: {extra['bare_python_s']:.3f} s; Pyomo's deferred scipy "
          f"import on the first compile: {extra['deferred_scipy_s']:.3f} s")


def versions() -> dict[str, str]:
    import importlib.metadata
    import platform

    out = {"python": platform.python_version()}
    for name in ("pyomo", "highspy", "numpy", "scipy", "pandas", "python-calamine",
                 "xlsxwriter", "typer"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def profile(size: str, seed: int, folder: Path, top: int) -> int:
    _, path, _ = write_workbook(size, seed, folder)
    res = subprocess.run(me("--_child", "profile", str(path),
                            str(folder / f"bench-{size}-results.xlsx"), str(top)),
                         env=child_env(), cwd=str(folder), capture_output=True, text=True,
                         check=False)
    print(res.stderr)
    return res.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=[*SIZES, "all"], default="medium")
    ap.add_argument("--repeat", type=int, default=3, help="repeats, best taken (default 3)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="keep workbooks, results and LP arrays here (default: a temporary "
                    "folder, removed)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-verify", action="store_true",
                    help="skip the round trip (plan in memory == plan of the workbook) and "
                    "`coprocure validate`")
    ap.add_argument("--verify-writer", type=int, default=0, metavar="N",
                    help="check the workbook writer on N random scenarios of "
                    "tests/factory.py (needs hypothesis) and exit")
    ap.add_argument("--whatif", action="store_true",
                    help="also run the CLI with the cyclic garbage collector off throughout")
    ap.add_argument("--profile", type=int, nargs="?", const=30, default=None, metavar="N",
                    help="cProfile one CLI run at --size, print the top N functions, exit")
    ap.add_argument("--_child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._child:
        kind, *rest = args._child
        children: dict[str, Callable[..., int]] = {
            "stages": child_stages, "compile": child_compile, "raw": child_raw,
            "deferred": child_deferred,
            "profile": lambda wb, out, top: child_profile(wb, out, int(top))}
        return children[kind](*rest)

    sizes = list(SIZES) if args.size == "all" else [args.size]
    sys.path[:0] = [str(HERE), str(ROOT)]  # bench_lp, scenario_workbook; this checkout
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench-process-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile is not None:
            return profile(sizes[0], args.seed, folder, args.profile)
        if args.verify_writer:
            return verify_writer(args.verify_writer, folder)
        import datetime as dt
        import platform

        from optimizer.solving.highs import HIGHS_OPTIONS

        meta: dict[str, Any] = {
            "date": dt.datetime.now().isoformat(timespec="seconds"), "versions": versions(),
            "machine": platform.platform(), "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(), "seed": args.seed,
            "command": " ".join(["python", *sys.argv]), "highs_options": dict(HIGHS_OPTIONS)}
        print(f"coprocure solve process benchmark, {meta['date']}; "
              + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
              + f"; {meta['cpus']} CPUs, load {meta['load_average_at_start'][0]:.2f}")
        meta["bare_python_s"] = bare_interpreter(args.repeat)
        meta["deferred_scipy_s"] = best([
            last_json(spawn(me("--_child", "deferred"))["stdout"])["deferred_scipy_s"]
            for _ in range(args.repeat)])
        print(f"bare `python -c pass` {meta['bare_python_s']:.3f} s; Pyomo's deferred scipy "
              f"import {meta['deferred_scipy_s']:.3f} s", flush=True)
        results = [bench_size(size, args.repeat, args.seed, folder, not args.no_verify,
                              dict(HIGHS_OPTIONS), args.whatif) for size in sizes]
        meta["load_average_at_end"] = os.getloadavg()
        print_table(results, meta)
        if args.json:
            args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2,
                                            default=str))
            print(f"\nresults written to {args.json}")
    finally:
        if args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
