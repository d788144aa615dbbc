"""Batches on one worker, two local workers and a two-worker Dask cluster, in one run.

    python benchmarks/bench_batch.py [--repeat K] [--json PATH] [--quick] [--seed S]
                                     [--scenarios N] [--partners P]

Two batches, each run three ways in the same process:

1. **Stress test**: the shipped workbook's base scenario (``scenarios/japan-eu-2030.xlsx``)
   is planned once; N random disruption scenarios (default 200, seeded numpy RNG) are
   generated from its offers, each hitting one to MAX_HITS (supplier, material, period)
   keys with a capacity factor in [0, 1] and a price factor in [1, 3], probabilities
   sharing STRESS_PROBABILITY; the scenario is re-planned with them attached and its plan
   stressed with ``optimizer.planning.stress.stress_plan(run.result, executor=ex)``: N + 1 jobs
   ("no disruption" included), one small recourse LP each.
2. **Shapley split**: a synthetic scenario of ``bench_lp.py``'s generator with P partners
   (default 6) x SHAPLEY_SHAPE; ``optimizer.planning.shapley.coordination_value`` with every
   sub-coalition (2^P - 1 plans, 63 at six partners) costed by
   ``optimizer.planning.batch.Planner(ex, reuse=True).costs``.

The three ways (executors of ``optimizer.runs.executor``):

  1 worker         ``Executor()``: every job in this process, the baseline;
  2 local workers  ``LocalExecutor(2)``: this process plus one spawned process;
  Dask, 2 workers  ``DaskExecutor(address)`` on a local cluster the script starts itself:
                   ``python -m dask scheduler`` on a free port of 127.0.0.1 and two
                   ``python -m dask worker ADDRESS --nthreads 1 --nworkers 1`` processes,
                   shut down at the end (also on error or Ctrl-C).

Start-up is timed apart from the batches: creating each executor (for Dask: starting the
processes until both workers have registered, then connecting with its checks) and its
first maps of trivial jobs (each imports the solve stack, waits READY_S and returns its
process id), until every worker process has answered one.
Then every solving process plans one small scenario, untimed as a batch but reported as
warm-up: the first Pyomo compile in a process imports scipy.stats & co. (about 1.5 s,
see README), which would otherwise land in whichever batch runs first. Each batch is
then timed K times per way (``--repeat``, default 2), the ways taking turns in rotated
order within a repeat so that a noisy spell hits all of them; the best is reported with
its ratio to the 1-worker best of the same run.

Every way must give the same answers, exactly, in every repeat (per-scenario status,
cost, shortfall and shortfall table, floor and spot figures; every coalition's cost and
the Shapley values), else the run stops. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_lp  # noqa: E402

from models import data as md  # noqa: E402
from optimizer.planning.batch import BatchPlanner  # noqa: E402
from optimizer.planning.coordination import plan_coordinated  # noqa: E402
from optimizer.planning.shapley import coalition_scenario, coordination_value, sub_coalitions  # noqa: E402
from optimizer.planning.stress import StressResult, stress_jobs, stress_plan  # noqa: E402
from optimizer.runs.cluster import DaskExecutor  # noqa: E402
from optimizer.runs.executor import Executor, Job  # noqa: E402
from optimizer.runs.local_pool import LocalExecutor  # noqa: E402
from optimizer.workbook.load import load_workbook  # noqa: E402

SHIPPED = HERE.parent / "scenarios" / "japan-eu-2030.xlsx"
WORKERS = 2
SCENARIOS, QUICK_SCENARIOS = 200, 40
PARTNERS, QUICK_PARTNERS = 6, 4
SHAPLEY_SHAPE = (8, 4, 12)  # suppliers, materials, periods: plans of 0.04-0.25 s here
MAX_HITS = 6  # (supplier, material, period) keys per disruption scenario
STRESS_PROBABILITY = 0.5  # shared by the random scenarios; the rest is "no disruption"
STARTUP_TIMEOUT_S = 120.0
READY_S = 0.02
WAYS = ("1 worker", "2 local workers", "Dask, 2 workers")


# --------------------------------------------------------------------------- scenarios

def random_disruptions(data: md.ScenarioData, n: int, seed: int
                       ) -> tuple[md.DisruptionScenario, ...]:
    """n scenarios, each hitting a few of the scenario's offered (supplier, material,
    period) keys; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    keys = sorted({(o.supplier, o.material, o.period) for o in data.offers})
    weights = rng.random(n)
    probabilities = STRESS_PROBABILITY * weights / weights.sum()
    out = []
    for i in range(n):
        hit = rng.choice(len(keys), size=int(rng.integers(1, MAX_HITS + 1)), replace=False)
        shocks = tuple(md.Shock(*keys[k], capacity_factor=float(rng.uniform(0.0, 1.0)),
                                price_factor=float(rng.uniform(1.0, 3.0)))
                       for k in sorted(hit))
        out.append(md.DisruptionScenario(f"random-{i:03d}", float(probabilities[i]), shocks))
    return tuple(out)


def partners_scenario(partners: int, seed: int) -> md.ScenarioData:
    """bench_lp's synthetic scenario with ``partners`` buyers and SHAPLEY_SHAPE."""
    key = f"partners-{partners}"
    # make_scenario takes its dimensions from bench_lp.SIZES by name: add ours there
    bench_lp.SIZES[key] = (partners, *SHAPLEY_SHAPE)
    return bench_lp.make_scenario(key, seed)


# --------------------------------------------------------------------------- worker jobs
# Module-level, so that a spawned process finds them by name (this script is re-imported
# there as __mp_main__) and Dask pickles them by value.

def ready() -> int:
    """A trivial job: the solve stack imported, nothing solved. It lasts READY_S so that
    the parent of a local pool, which takes chunks from the same queue as the pool, cannot
    finish the whole trivial batch before the pool has taken one."""
    import optimizer.planning.batch  # noqa: F401

    time.sleep(READY_S)
    return os.getpid()


def first_solve(data: md.ScenarioData) -> int:
    """One small plan, so that this process's first Pyomo compile (lazy imports) is paid
    before any batch is timed."""
    plan_coordinated(data, check=False)
    return os.getpid()


# --------------------------------------------------------------------------- Dask cluster

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalDaskCluster:
    """A scheduler and WORKERS single-threaded workers as child processes of this one.

    Each child gets a session (process group) of its own so that stopping it also stops
    what it started (a worker's nanny runs the worker in a child process); only those
    groups are signalled. Their output goes to log files, shown if start-up fails.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self._dir = tempfile.TemporaryDirectory(prefix="coprocure-bench-dask-")

    def __enter__(self) -> LocalDaskCluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _launch(self, name: str, *args: str) -> None:
        # The benchmarks directory goes on the path: cloudpickle sends __main__'s functions
        # by value but a module's by name, so a worker must be able to import this script
        # when it was imported rather than run. The working directory is the temporary
        # one, where workers write their scratch space; the log file is closed here once
        # the child holds its own descriptor.
        path = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p)
        with open(Path(self._dir.name) / f"{name}.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log,
                                    stderr=subprocess.STDOUT, cwd=self._dir.name,
                                    env={**os.environ, "PYTHONPATH": path},
                                    start_new_session=True)
        self.procs.append((name, proc))

    def _start(self) -> None:
        from distributed import Client

        self._launch("scheduler", "scheduler", "--host", "127.0.0.1", "--port",
                     str(self.port), "--no-dashboard")
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            self._check_alive()
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(self._failure("the Dask scheduler did not answer"))
            time.sleep(0.1)
        for i in range(self.workers):
            self._launch(f"worker-{i}", "worker", self.address, "--nthreads", "1",
                         "--nworkers", "1", "--no-dashboard")
        # DaskExecutor waits for one worker only and takes its parallelism from the
        # workers registered at that moment: wait for all of them first.
        with Client(self.address, timeout=STARTUP_TIMEOUT_S, set_as_default=False) as client:
            try:
                client.wait_for_workers(self.workers, timeout=STARTUP_TIMEOUT_S)
            except TimeoutError:
                raise RuntimeError(self._failure(
                    f"{self.workers} Dask workers did not register")) from None

    def _check_alive(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(self._failure(f"dask {name} exited ({proc.returncode})"))

    def _failure(self, what: str) -> str:
        tails = []
        for name, _ in self.procs:
            text = (Path(self._dir.name) / f"{name}.log").read_text(errors="replace")
            tails.append(f"--- {name} ---\n" + "\n".join(text.splitlines()[-15:]))
        return what + "\n" + "\n".join(tails)

    def stop(self) -> None:
        # workers first: a worker whose scheduler is gone keeps trying to reconnect
        for _, proc in reversed(self.procs):
            _signal_group(proc, signal.SIGTERM)
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=15)
        self.procs.clear()
        self._dir.cleanup()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # the group this script created for that child


# --------------------------------------------------------------------------- executors

def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def map_pids(ex: Executor, job: Job, want: int, tries: int = 5
             ) -> tuple[float, int, set[int]]:
    """Map 2 x ``want`` copies of a pid-returning job until ``want`` processes have run
    one (the executor decides which process runs what): the time of those maps, their
    number and the processes seen."""
    total, maps, seen = 0.0, 0, set()
    while len(seen) < want and maps < tries:
        seconds, pids = timed(lambda: ex.map([job] * (2 * want)))
        bad = [p for p in pids if not isinstance(p, int)]
        if bad:
            raise SystemExit(f"{ex.description}: {job.label} failed: {bad[0]}")
        total += seconds
        maps += 1
        seen |= set(pids)
    return total, maps, seen


def open_ways(stack: contextlib.ExitStack, warm_data: md.ScenarioData
              ) -> tuple[dict[str, Executor], dict[str, dict[str, Any]]]:
    """The three executors, opened on ``stack``, and their start-up and warm-up times."""
    executors: dict[str, Executor] = {}
    startup: dict[str, dict[str, Any]] = {}

    create_s, ex = timed(Executor)
    executors[WAYS[0]] = stack.enter_context(ex)
    startup[WAYS[0]] = {"create_s": create_s}

    create_s, ex = timed(lambda: LocalExecutor(WORKERS))
    executors[WAYS[1]] = stack.enter_context(ex)
    startup[WAYS[1]] = {"create_s": create_s}

    # processes up to both workers registered, then DaskExecutor's connection and checks
    cluster_s, cluster = timed(lambda: stack.enter_context(LocalDaskCluster(WORKERS)))
    connect_s, ex = timed(lambda: DaskExecutor(cluster.address))
    executors[WAYS[2]] = stack.enter_context(ex)
    startup[WAYS[2]] = {"cluster_s": cluster_s, "connect_s": connect_s,
                        "create_s": cluster_s + connect_s, "address": cluster.address}
    if ex.parallelism != WORKERS:
        raise SystemExit(f"{ex.description}: expected {WORKERS} workers")

    for way, ex in executors.items():
        want = 1 if way == WAYS[0] else WORKERS
        first_map_s, maps, pids = map_pids(ex, Job("ready", ready), want)
        warm_s, warm_maps, warm_pids = map_pids(
            ex, Job("first solve", first_solve, (warm_data,)), want)
        startup[way].update(first_map_s=first_map_s, first_maps=maps,
                            startup_s=startup[way]["create_s"] + first_map_s,
                            processes=len(pids), warm_up_s=warm_s, warm_up_maps=warm_maps,
                            warmed_processes=len(warm_pids), notes=list(ex.notes))
    return executors, startup


# --------------------------------------------------------------------------- batches

def stress_answer(result: StressResult) -> list[tuple]:
    """Everything a stress test reports per scenario, for an exact comparison."""
    return [(s.scenario, str(s.status), s.cost, s.shortfall, s.periods_short,
             s.periods_below_floor, s.days_below_floor, s.spot_bought,
             tuple(s.shortfalls.itertuples(index=False, name=None)))
            for s in result.scenarios]


def run_stress(ex: Executor, plan_result: Any) -> list[tuple]:
    result = stress_plan(plan_result, executor=ex)
    if result.notes:
        raise SystemExit(f"{ex.description}: stress jobs failed: {result.notes[:3]}")
    return stress_answer(result)


def run_shapley(ex: Executor, data: md.ScenarioData) -> dict[str, Any]:
    def solve_all(batch: list[md.ScenarioData]) -> list[float | None]:
        return BatchPlanner(ex, reuse=True).costs(batch, [str(i) for i in range(len(batch))])

    value = coordination_value(data, solve_all)
    missing = [sorted(s) for s, c in value.cost.items() if c is None]
    if missing:
        raise SystemExit(f"{ex.description}: coalitions without a plan: {missing[:3]}")
    return {"shapley": value.shapley,
            "costs": sorted((tuple(sorted(s)), c) for s, c in value.cost.items())}


def first_difference(a: Any, b: Any) -> str:
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for x, y in zip(a, b, strict=True):
            if x != y:
                return f"{x!r}\n  vs\n{y!r}"
    return f"{a!r}\n  vs\n{b!r}"


def bench(batches: dict[str, Callable[[Executor], Any]], executors: dict[str, Executor],
          repeat: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every batch on every way, ``repeat`` times: the times and each batch's answer;
    stops unless all answers are equal."""
    times: dict[str, dict[str, list[float]]] = {b: {w: [] for w in executors} for b in batches}
    reference: dict[str, tuple[str, Any]] = {}
    order = list(executors)
    for r in range(repeat):
        ways = order[r % len(order):] + order[:r % len(order)]  # rotated each repeat
        for batch, run in batches.items():
            for way in ways:
                seconds, answer = timed(lambda run=run, way=way: run(executors[way]))
                times[batch][way].append(seconds)
                print(f"  repeat {r + 1}, {batch}, {way}: {seconds:.2f} s", flush=True)
                if batch not in reference:
                    reference[batch] = (way, answer)
                elif answer != reference[batch][1]:
                    raise SystemExit(
                        f"{batch}: {way} (repeat {r + 1}) differs from "
                        f"{reference[batch][0]}:\n"
                        f"{first_difference(answer, reference[batch][1])}")
    out = {}
    for batch in batches:
        base = min(times[batch][WAYS[0]])
        out[batch] = {way: {"times_s": t, "best_s": min(t), "ratio": min(t) / base}
                      for way, t in times[batch].items()}
    return out, {batch: answer for batch, (_, answer) in reference.items()}


def describe_answers(answers: dict[str, Any]) -> dict[str, str]:
    """What the batches found, to show that the work is not trivial."""
    stress = answers["stress"]
    costs = [row[2] for row in stress]
    value = answers["shapley"]
    return {
        "stress": f"{sum(row[3] > 0 for row in stress)} scenarios with shortfall, "
                  f"{sum(row[5] > 0 for row in stress)} with periods below the reserve floor; "
                  f"cost {min(costs) / 1e6:,.1f}-{max(costs) / 1e6:,.1f} M",
        "shapley": "Shapley values (M): " + ", ".join(
            f"{b} {v / 1e6:,.2f}" for b, v in value["shapley"].items()),
    }


# --------------------------------------------------------------------------- report

def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("coprocure", "pyomo", "highspy", "numpy", "pandas", "dask", "distributed"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def print_table(info: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]],
                startup: dict[str, dict[str, Any]], repeat: int) -> None:
    names = list(results)
    head = "| way | start-up | warm-up (first solve) | " + " | ".join(
        f"{info[b]['title']}, best of {repeat} | x 1 worker" for b in names) + " |"
    print("\n" + head)
    print("|---|---:|---:|" + "---:|---:|" * len(names))
    for way in WAYS:
        s = startup[way]
        cells = [way, f"{s['startup_s']:.2f} s", f"{s['warm_up_s']:.2f} s"]
        for b in names:
            r = results[b][way]
            cells += [f"{r['best_s']:.2f} s", f"{r['ratio']:.2f}x"]
        print("| " + " | ".join(cells) + " |")
    local, dask = startup[WAYS[1]], startup[WAYS[2]]
    print(f"\nstart-up = creating the executor + trivial jobs until every process answered:\n"
          f"  2 local workers: create {local['create_s'] * 1e3:.1f} ms, trivial jobs "
          f"{local['first_map_s']:.2f} s (spawn one process, import the solve stack)\n"
          f"  Dask: scheduler and workers started and registered {dask['cluster_s']:.2f} s, "
          f"DaskExecutor connect + checks {dask['connect_s']:.2f} s, trivial jobs "
          f"{dask['first_map_s']:.2f} s (import the solve stack)\n"
          f"warm-up = one small plan on every solving process (first compile: lazy imports)")
    for b in names:
        print(f"{info[b]['title']}: {info[b]['detail']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs per batch and way, best taken")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: {QUICK_SCENARIOS} scenarios, {QUICK_PARTNERS} partners")
    ap.add_argument("--scenarios", type=int, default=None, help="disruption scenarios")
    ap.add_argument("--partners", type=int, default=None, help="partners of the Shapley game")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    n_scenarios = args.scenarios or (QUICK_SCENARIOS if args.quick else SCENARIOS)
    n_partners = args.partners or (QUICK_PARTNERS if args.quick else PARTNERS)
    if not 2 <= n_partners <= len(bench_lp.BUYERS):
        ap.error(f"--partners: 2 to {len(bench_lp.BUYERS)} (the buyers bench_lp names)")
    if n_scenarios < 1:
        ap.error("--scenarios: at least 1")
    # `kill` sends SIGTERM, which would skip the clean-up of the Dask processes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"), "versions": versions(),
            "machine": platform.platform(), "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(), "seed": args.seed, "repeat": args.repeat,
            "command": " ".join(["python", *sys.argv])}
    print(f"coprocure batch benchmark, {meta['date']}; "
          + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
          + f"; {meta['cpus']} CPUs, load {meta['load_average_at_start'][0]:.2f}", flush=True)

    base = load_workbook(SHIPPED).scenario("base")
    plan_s, base_run = timed(lambda: plan_coordinated(base))  # also this process's warm-up
    stressed = replace(base, disruptions=random_disruptions(base, n_scenarios, args.seed))
    run = plan_coordinated(stressed)
    if run.result is None:
        raise SystemExit(f"the shipped scenario has no plan: {run.status} {run.reasons}")
    same_plan = run.objective == base_run.objective  # robust = no: disruptions only stressed
    stress_serial_s, jobs = timed(lambda: stress_jobs(run.result))
    game = partners_scenario(n_partners, args.seed)
    coalitions = sub_coalitions(game.buyers)
    shapley_serial_s, _ = timed(lambda: [coalition_scenario(game, c) for c in coalitions])
    info = {
        "stress": {"title": f"stress, {n_scenarios} scenarios", "jobs": len(jobs),
                   "serial_s": stress_serial_s, "plan_s": plan_s, "same_plan": same_plan,
                   "detail": f"{len(jobs)} recourse LPs (with 'no disruption') of one plan of "
                             f"the shipped scenario; in this process before the jobs go out: "
                             f"index and contracts {stress_serial_s:.2f} s; re-plan with the "
                             f"disruptions attached gives the same objective: {same_plan}"},
        "shapley": {"title": f"Shapley, {n_partners} partners", "jobs": len(coalitions),
                    "serial_s": shapley_serial_s,
                    "dims": dict(zip(("buyers", "suppliers", "materials", "periods"),
                                     (n_partners, *SHAPLEY_SHAPE), strict=True)),
                    "detail": f"{len(coalitions)} coalition plans of a synthetic scenario, "
                              f"{n_partners} buyers x {SHAPLEY_SHAPE[0]} suppliers x "
                              f"{SHAPLEY_SHAPE[1]} materials x {SHAPLEY_SHAPE[2]} periods, "
                              f"{len(game.offers)} offers; in this process: coalition "
                              f"scenarios {shapley_serial_s:.2f} s"},
    }
    batches: dict[str, Callable[[Executor], Any]] = {
        "stress": lambda ex: run_stress(ex, run.result),
        "shapley": lambda ex: run_shapley(ex, game),
    }

    with contextlib.ExitStack() as stack:
        print(f"starting {WORKERS} local workers and a {WORKERS}-worker Dask cluster ...",
              flush=True)
        executors, startup = open_ways(stack, base)
        for way, s in startup.items():
            print(f"  {way}: start-up {s['startup_s']:.2f} s, {s['processes']} process(es) "
                  f"answered in {s['first_maps']} map(s); warm-up {s['warm_up_s']:.2f} s, "
                  f"{s['warmed_processes']} process(es) in {s['warm_up_maps']} map(s)"
                  + "".join(f"; note: {n}" for n in s["notes"]), flush=True)
        results, answers = bench(batches, executors, args.repeat)
    meta["load_average_at_end"] = os.getloadavg()
    for batch, found in describe_answers(answers).items():
        info[batch]["found"] = found
        info[batch]["detail"] += f"; {found}"

    print_table(info, results, startup, args.repeat)
    print(f"every way gave the same answers in every repeat; load average "
          f"{meta['load_average_at_start'][0]:.2f} at start, "
          f"{meta['load_average_at_end'][0]:.2f} at end ({meta['cpus']} CPUs, shared machine)")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "startup": startup, "batches": info,
                                         "results": results}, indent=2, default=str))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
