"""Batches on this machine: ``workers`` solving processes, this one included.

This process takes chunks from the same queue as a pool of ``workers - 1`` spawned
processes: a small batch is done before the pool has even started (worker processes
import Pyomo and HiGHS, 2.1-4.0 s measured), and a large one keeps every core busy. Spawned,
not forked: the parent has threads (the progress bar, the dispatcher) and forking a
threaded process can deadlock the child.

A pool whose worker dies is broken for good (``BrokenProcessPool``) and does not say
which worker it was: the chunks that were running are re-run one at a time on a fresh
pool until the culprit is found, then its jobs one by one; a job that kills its worker
``ATTEMPTS`` times is reported failed, every other job completes. At most as many
chunks as processes are submitted at once, so the lost ones are those that were running.

When a pool pays (benchmarks/README.md, "When a local pool pays"). A spawned worker
is not free: it spends 2.1-4.0 s spawning and importing the solve stack before its first
solve, CPU the machine's other work competes for, and the command ends only when it
has stopped. Linux also shares the CPU between sessions (autogroup): while other
sessions keep the cores busy a worker takes its share from this process instead of
adding one. On the shared 2-core machine measured, a pool started for a batch of plans
of the shipped scenario broke even with 50 plans (5.2 s of solving) when the machine was
quiet (load 0.3-1.3) and won from 100 (0.76x; 0.60x with 200), but with other work
running (load 1.4-3.8) it lost with up to 100 plans (1.2-2.3x) and mostly with 200;
with 10-20 plans it was 1.7-3.5x slower whatever the load. A `compare` of the shipped
scenario, whose batches are 8 plans (1.2 s) and 45 stress solves (1.7 s), took
10.9-13.3 s by default against 5.1-8.6 s with `--workers 1` (issue 12).

So the default executor (``pays_from``) decides per batch. It runs the batch here, one
job at a time, timing each, and hands what is left to the pool only when the median
time of the jobs so far times the jobs left exceeds ``pays_from`` (PAYS_FROM_S) and,
to start the pool, SPARE_CORES cores are idle (the cores less the 1-minute load
average). A batch that never gets there costs what it costs in this process, so the
default is not slower than `--workers 1` but for the timing (microseconds a job). An
explicit ``--workers N`` starts the pool for every batch of more than one chunk, as
asked.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from optimizer.runs.executor import (
    ATTEMPTS,
    Executor,
    Failed,
    Job,
    Tracker,
    chunked,
    report_chunk,
    run_chunk,
)

# Seconds of solving left in a batch from which the default executor uses a pool. With a
# core to itself a worker pays once the batch outlasts about 1.2 x its start-up (this
# process solves alone while the worker starts, then both do, and the command waits for
# the last chunk): 2.5-4.6 s for the 2.1-4.0 s start-ups measured by benchmarks/
# bench_pool.py. Measured on the 2-core machine when it was quiet (load 0.3-1.3), a
# fresh pool broke even with 50 plans of the shipped scenario (5.2 s of solving: 1.06x)
# and won from 100 (12 s: 0.76x; 25 s: 0.60x): twice the break-even, 10 s.
PAYS_FROM_S = 10.0
# Cores that must be idle (the cores this process may use less the 1-minute load
# average, this process included) for a pool to be worth starting: Linux shares the CPU
# between sessions (autogroup), so while other sessions keep the cores busy a spawned
# worker takes its share from this process instead of adding to it. Measured: at load
# 1.1-1.3 a fresh pool won with 100 plans (0.76x), at load 1.4-2.7 it lost with 50 to
# 100 (1.3-2.1x); 0.75 of a core idle means a load of at most 1.25 on 2 cores.
SPARE_CORES = 0.75
MANAGER_JOIN_SECONDS = 30.0  # a bound on waiting at Ctrl-C, not an expected time


def cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def spare_cores() -> float:
    """Cores this process may use, less the 1-minute load average (this process, when it
    is solving, counts in it)."""
    return cores() - os.getloadavg()[0]


def _warm_up() -> None:
    """Import the solve stack once per worker, while the parent is already solving.
    Ctrl-C is the parent's to handle: it stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import optimizer.solving.plan  # noqa: F401


class LocalExecutor(Executor):
    def __init__(self, workers: int, parent_solves: bool = True,
                 pays_from: float | None = None,
                 spare: Callable[[], float] = spare_cores):
        """``workers`` solving processes; with ``parent_solves`` this one is one of them,
        otherwise all ``workers`` are spawned and this process only dispatches. With
        ``pays_from`` (seconds of solving; needs ``parent_solves``) the pool is used only
        for a batch estimated to take longer than that here, and started only while
        ``spare()`` cores are idle (module docstring)."""
        super().__init__()
        self.spare = spare
        self.parallelism = workers
        self.parent_solves = parent_solves
        self.pool_size = workers - 1 if parent_solves else workers
        self.pays_from = pays_from if parent_solves else None
        self.pool_started = False
        # until a pool starts, everything runs here, and the results say so
        self._where = f"{workers} local processes"
        self.description = "this process" if self.pays_from is not None else self._where
        self._pool: ProcessPoolExecutor | None = None

    def _fresh_pool(self) -> ProcessPoolExecutor:
        self.pool_started, self.description = True, self._where
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(self.pool_size,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_warm_up)
        return self._pool

    def map(self, jobs: Sequence[Job], progress: Tracker | None = None) -> list[Any]:
        if progress:
            progress.expect(len(jobs))
        done = self._here_until_it_pays(jobs, progress) if self.pays_from is not None else []
        rest = jobs[len(done):]
        chunks = chunked(range(len(rest)), self.parallelism)
        if len(chunks) <= 1 and self.parent_solves:
            return done + [self._here(job, progress) for job in rest]
        return done + _Batch(self, rest, chunks, progress).run()

    def _here_until_it_pays(self, jobs: Sequence[Job], progress: Tracker | None
                            ) -> list[Any]:
        """Jobs run here, one by one, until the median time of those run so far times
        the number left exceeds ``pays_from``, what is left is more than one chunk and
        the pool has started or a core is idle to start it: the results of the jobs run
        here."""
        assert self.pays_from is not None
        out: list[Any] = []
        seconds: list[float] = []
        for job in jobs:
            left = len(jobs) - len(out)
            if seconds and statistics.median(seconds) * left > self.pays_from \
                    and len(chunked(range(left), self.parallelism)) > 1 \
                    and (self.pool_started or self.spare() >= SPARE_CORES):
                break
            start = time.perf_counter()
            out.append(self._here(job, progress))
            seconds.append(time.perf_counter() - start)
        return out

    @staticmethod
    def _here(job: Job, progress: Tracker | None) -> Any:
        result = run_chunk([job])[0]
        report_chunk([job], progress)
        return result

    def close(self, kill: bool = False) -> None:
        """Shut the pool down. Its workers finish what they run (at most one chunk each,
        one this process already finished as a backup) and exit cleanly; a terminated
        worker would leave Pyomo's import-time lock to the resource tracker, which then
        warns. With ``kill`` (Ctrl-C) they are stopped at once all the same."""
        if self._pool is None:
            return
        if kill:
            # the pool's own processes and manager thread: concurrent.futures has no
            # public handle on either
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            manager = getattr(self._pool, "_executor_manager_thread", None)
            self._pool.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                p.terminate()
            # shutdown(wait=False) forgets the manager thread, so the call below would not
            # join it; left running, it closes its wake-up pipe while the interpreter's
            # exit hook writes to it (CPython gh-125451, unfixed in 3.11): a traceback
            # after the clean exit. It stops once it sees its workers gone.
            if manager is not None:
                manager.join(MANAGER_JOIN_SECONDS)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None


class _Batch:
    """One map: chunks shared between this process and the pool's dispatcher thread.

    When this process has no queued chunk left it runs, as a backup, a chunk the pool
    has not returned yet (a worker may still be starting, or be slow); whichever copy
    finishes first counts. Jobs are deterministic, so both copies give the same result.
    A chunk that was running when a worker died is never backed up here: it might kill
    this process too.
    """

    def __init__(self, owner: LocalExecutor, jobs: Sequence[Job], chunks: list[list[int]],
                 progress: Tracker | None):
        self.owner = owner
        self.jobs = jobs
        self.progress = progress
        self.results: list[Any] = [None] * len(jobs)
        self.pending = deque(chunks)  # each a list of job positions
        self.suspects: deque[list[int]] = deque()  # were running when a worker died
        self.crashes = [0] * len(jobs)  # worker deaths that are surely this job's doing
        self.in_pool: list[list[int]] = []  # submitted, in order
        self.finished: set[int] = set()  # job positions with a result
        self.tainted: set[int] = set()  # job positions that were running at a death
        self.backed_up: set[int] = set()  # id() of chunks this process took over
        self.lock = threading.Lock()
        self.complete = threading.Event()
        self.error: BaseException | None = None  # raised in the dispatcher thread
        self.stop = threading.Event()

    def _take(self) -> list[int] | None:
        with self.lock:
            return self.pending.popleft() if self.pending else None

    def _backup(self) -> list[int] | None:
        with self.lock:
            for chunk in self.in_pool:
                if id(chunk) not in self.backed_up and not self.finished.issuperset(chunk) \
                        and self.tainted.isdisjoint(chunk):
                    self.backed_up.add(id(chunk))
                    return chunk
        return None

    def _done(self, chunk: list[int], results: list[Any]) -> None:
        with self.lock:
            fresh = [(i, r) for i, r in zip(chunk, results, strict=True)
                     if i not in self.finished]
            for i, r in fresh:
                self.results[i] = r
                self.finished.add(i)
            if len(self.finished) == len(self.jobs):
                self.complete.set()
        report_chunk([self.jobs[i] for i, _ in fresh], self.progress)

    def _run_here(self, chunk: list[int]) -> None:
        self._done(chunk, run_chunk([self.jobs[i] for i in chunk]))

    def run(self) -> list[Any]:
        dispatcher = threading.Thread(target=self._dispatch, name="coprocure-dispatch",
                                      daemon=True)
        dispatcher.start()
        try:
            while self.owner.parent_solves and not self.complete.is_set() and (
                    chunk := self._take() or self._backup()) is not None:
                self._run_here(chunk)
            while not self.complete.wait(0.1):  # in slices, so that Ctrl-C gets through
                if not dispatcher.is_alive():
                    break
        except BaseException:
            self.stop.set()
            self.owner.close(kill=True)
            dispatcher.join(1.0)  # it lets go of the pool within its 0.5 s wait
            raise
        self.stop.set()
        if self.error is not None:
            raise self.error
        return [r if i in self.finished else Failed(self.jobs[i].label, "not run (a bug)")
                for i, r in enumerate(self.results)]

    def _dispatch(self) -> None:
        try:
            self._dispatch_loop()
        except BaseException as exc:  # surfaced in the calling thread
            self.error = exc

    def _submit(self, pool: ProcessPoolExecutor, running: dict, chunk: list[int]) -> None:
        running[pool.submit(run_chunk, [self.jobs[i] for i in chunk])] = chunk
        with self.lock:
            self.in_pool.append(chunk)

    def _dispatch_loop(self) -> None:
        """Keep the pool busy. When a worker dies the pool is lost with every chunk it
        was running; those are then re-run one at a time on a fresh pool, so that a
        death is charged to the one chunk (and then the one job) that causes it."""
        owner = self.owner
        pool = owner._pool or owner._fresh_pool()
        running: dict[Future, list[int]] = {}
        while not (self.stop.is_set() or self.complete.is_set()):
            if self.suspects:
                if not running:
                    self._submit(pool, running, self.suspects.popleft())
            else:
                while len(running) < owner.pool_size and (chunk := self._take()) is not None:
                    self._submit(pool, running, chunk)
            if not running:
                return
            finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            if self.stop.is_set() or self.complete.is_set():
                break  # the batch is over (or interrupted): the pool is not ours now
            broken = False
            for future in finished:
                chunk = running[future]
                try:
                    self._done(chunk, future.result())
                    del running[future]
                except BrokenProcessPool:
                    broken = True
                except Exception as exc:  # e.g. an argument that does not pickle
                    self._done(chunk, [Failed(self.jobs[i].label, f"{type(exc).__name__}: "
                                                                  f"{exc}") for i in chunk])
                    del running[future]
            if broken:
                self._after_crash(list(running.values()))
                running.clear()
                owner.retries += 1
                pool = owner._fresh_pool()

    def _after_crash(self, lost: list[list[int]]) -> None:
        with self.lock:
            lost = [c for c in lost if not self.finished.issuperset(c)]  # done here meanwhile
            for chunk in lost:
                self.tainted.update(chunk)
        if len(lost) > 1:  # any of them may have done it: each is re-run alone
            self.suspects.extend(lost)
            return
        if not lost:
            return
        chunk = lost[0]  # it ran alone: it did it
        for i in chunk:
            self.crashes[i] += 1
        if len(chunk) > 1:  # find the job among its chunk-mates
            self.suspects.extend([i] for i in chunk)
        elif self.crashes[chunk[0]] >= ATTEMPTS:
            job = self.jobs[chunk[0]]
            self._done(chunk, [Failed(job.label, f"the worker process running it died "
                                                 f"{ATTEMPTS} times (out of memory, or killed)")])
        else:
            self.suspects.append(chunk)
