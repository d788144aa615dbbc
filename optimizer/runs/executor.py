"""Where a batch of independent solves runs: this process, local worker processes, or a
Dask cluster (SPEC 6 `--workers`, `--scheduler`).

A batch is a list of :class:`Job`: a module-level function and its plain-data arguments
(scenario data, contracts, a basis as bytes), never a Pyomo model or a HiGHS object,
which do not pickle. Every job builds and solves where it runs and returns plain data,
so a result is the same wherever it was computed. Jobs are grouped into chunks so that
many small solves share one round trip, and a chunk's jobs that share an argument object
send it once.

Faults are results, not crashes: a job that raises comes back as :class:`Failed` naming
the strategy or scenario and the reason; a worker process that dies costs its chunk a
retry (at most :data:`ATTEMPTS` runs, then its jobs are :class:`Failed`).
"""

from __future__ import annotations

import math
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

ATTEMPTS = 3  # worker deaths one job may cause on a local pool before it is reported failed

# Pyomo's output capture is process-global: two solves in threads of one process can
# deadlock (PITFALLS). A Dask worker started with several threads runs our chunks one at
# a time through this lock.
_SOLVE_LOCK = threading.RLock()  # re-entrant: a job may run a nested batch here


class Tracker:
    """Counts finished jobs against the jobs announced so far, for a progress bar; it is
    told of finished jobs from more than one thread."""

    def __init__(self, show: Callable[[int, int, str], None] | None = None):
        self.show = show
        self.total = 0
        self.done = 0
        self._lock = threading.Lock()

    def expect(self, n: int) -> None:
        with self._lock:
            self.total += n
            if self.show:
                self.show(self.done, self.total, "")

    def __call__(self, label: str) -> None:
        with self._lock:
            self.done += 1
            if self.show:
                self.show(self.done, self.total, label)


@dataclass(frozen=True)
class Job:
    label: str  # what a planner calls it: "strategy crma-65", "robust / scenario 17"
    fn: Callable[..., Any]
    args: tuple = ()


@dataclass(frozen=True)
class Failed:
    """A job that produced no result, and why."""

    label: str
    reason: str

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"


@dataclass
class Work:
    """Jobs, and what to do with their results once all of them are in."""

    jobs: list[Job]
    finish: Callable[[list[Any]], None]


def run_works(executor: Executor, works: Sequence[Work], progress: Tracker | None = None
              ) -> None:
    """Run several pieces of work as one batch, so their jobs share the workers."""
    results = executor.map([job for w in works for job in w.jobs], progress)
    start = 0
    for w in works:
        w.finish(results[start:start + len(w.jobs)])
        start += len(w.jobs)


def run_chunk(jobs: Sequence[Job]) -> list[Any]:
    """Run jobs one after another in this process (the task every worker runs)."""
    with _SOLVE_LOCK:
        return [_run_one(job) for job in jobs]


def _run_one(job: Job) -> Any:
    try:
        return job.fn(*job.args)
    except Exception as exc:  # a data problem in one job must not end the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Failed(job.label, f"{type(exc).__name__}: {exc} "
                                 f"(in {where.name}, {where.filename.rsplit('/', 1)[-1]}:"
                                 f"{where.lineno})")


def chunked(jobs: Sequence, parallelism: int) -> list[list]:
    """Contiguous groups: about four per worker so that uneven jobs still balance, each
    of at least one job. Contiguous, because neighbours usually share their scenario."""
    if not jobs:
        return []
    n = min(len(jobs), max(1, 4 * parallelism))
    size = math.ceil(len(jobs) / n)
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


class Executor:
    """Runs batches; subclasses decide where. Use as a context manager."""

    description = "this process"
    parallelism = 1

    def __init__(self) -> None:
        self.retries = 0  # chunks re-run because their worker died
        self.notes: list[str] = []

    def map(self, jobs: Sequence[Job], progress: Tracker | None = None) -> list[Any]:
        """Every job's result (or :class:`Failed`), in the order of ``jobs``."""
        if progress:
            progress.expect(len(jobs))
        out = []
        for job in jobs:
            out.append(run_chunk([job])[0])
            if progress:
                progress(job.label)
        return out

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def report_chunk(chunk: list[Job], progress: Tracker | None) -> None:
    if progress:
        for job in chunk:
            progress(job.label)


def stack_fingerprint() -> dict[str, str]:
    """What a plan depends on besides its data: the versions of the solve stack and a
    digest of this package's own source (an editable install may differ from its
    version number). Run on every cluster worker and compared with this machine."""
    import hashlib
    import importlib.metadata
    import platform
    from pathlib import Path

    import models
    import optimizer

    out = {"python": platform.python_version()}
    for dist in ("coprocure", "pyomo", "highspy", "numpy", "scipy", "pandas",
                 "dask", "distributed", "cloudpickle", "msgpack"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    digest = hashlib.blake2b(digest_size=8)
    for package in (optimizer, models):
        assert package.__file__ is not None  # regular packages, imported from files
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root.parent).as_posix().encode())
            digest.update(path.read_bytes())
    out["coprocure source"] = digest.hexdigest()
    return out
