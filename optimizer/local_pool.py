"""Batches on this machine: ``workers`` solving processes, this one included.

This process takes chunks from the same queue as a pool of ``workers - 1`` spawned
processes: a small batch is done before the pool has even started (worker processes
import Pyomo and HiGHS, about a second), and a large one keeps every core busy. Spawned,
not forked: the parent has threads (the progress bar, the dispatcher) and forking a
threaded process can deadlock the child.

A pool whose worker dies is broken for good (``BrokenProcessPool``): the chunks that
were running are queued again on a fresh pool, each at most ``ATTEMPTS`` times; at most
as many chunks as processes are submitted at once, so those are the ones that were
running.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from optimizer.executor import (
    ATTEMPTS,
    Executor,
    Failed,
    Job,
    Progress,
    chunked,
    died,
    report_chunk,
    run_chunk,
)


def cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _warm_up() -> None:
    """Import the solve stack once per worker, while the parent is already solving."""
    import optimizer.batch  # noqa: F401


class LocalExecutor(Executor):
    def __init__(self, workers: int):
        super().__init__()
        self.parallelism = workers
        self.description = f"{workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def _fresh_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(self.parallelism - 1,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_warm_up)
        return self._pool

    def map(self, jobs: Sequence[Job], progress: Progress | None = None) -> list[Any]:
        chunks = chunked(jobs, self.parallelism)
        if len(chunks) <= 1:
            return super().map(jobs, progress)
        if progress:
            progress.expect(len(jobs))
        batch = _Batch(self, chunks, progress)
        return [r for chunk_results in batch.run() for r in chunk_results]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class _Batch:
    """One map: chunks shared between this process and the pool's dispatcher thread."""

    def __init__(self, owner: LocalExecutor, chunks: list[list[Job]], progress: Progress | None):
        self.owner = owner
        self.chunks = chunks
        self.progress = progress
        self.results: list[list[Any] | None] = [None] * len(chunks)
        self.pending = deque(range(len(chunks)))
        self.attempts = [0] * len(chunks)
        self.lock = threading.Lock()
        self.error: BaseException | None = None  # raised in the dispatcher thread
        self.stop = threading.Event()

    def _take(self) -> int | None:
        with self.lock:
            return self.pending.popleft() if self.pending else None

    def _done(self, i: int, results: list[Any]) -> None:
        self.results[i] = results
        report_chunk(self.chunks[i], self.progress)

    def run(self) -> list[list[Any]]:
        dispatcher = threading.Thread(target=self._dispatch, name="coprocure-dispatch",
                                      daemon=True)
        dispatcher.start()
        try:
            while (i := self._take()) is not None:
                self._done(i, run_chunk(self.chunks[i]))
            while dispatcher.is_alive():
                dispatcher.join(0.1)  # in slices, so that Ctrl-C gets through
        except BaseException:
            self.stop.set()
            self.owner.close()
            raise
        if self.error is not None:
            raise self.error
        return self.results

    def _dispatch(self) -> None:
        try:
            self._dispatch_loop()
        except BaseException as exc:  # surfaced in the calling thread
            self.error = exc

    def _dispatch_loop(self) -> None:
        owner = self.owner
        pool = owner._pool or owner._fresh_pool()
        running: dict[Future, int] = {}
        while not self.stop.is_set():
            while len(running) < owner.parallelism - 1 and (i := self._take()) is not None:
                self.attempts[i] += 1
                running[pool.submit(run_chunk, self.chunks[i])] = i
            if not running:
                return
            finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                i = running.pop(future)
                try:
                    self._done(i, future.result())
                except BrokenProcessPool:
                    broken = True
                    self._retry_or_fail(i)
                except Exception as exc:  # e.g. an argument that does not pickle
                    self._done(i, [Failed(j.label, f"{type(exc).__name__}: {exc}")
                                   for j in self.chunks[i]])
            if broken:
                for i in running.values():
                    self._retry_or_fail(i)
                running.clear()
                owner.retries += 1
                pool = owner._fresh_pool()

    def _retry_or_fail(self, i: int) -> None:
        if self.attempts[i] >= ATTEMPTS:
            self._done(i, died(self.chunks[i], self.attempts[i]))
        else:
            with self.lock:
                self.pending.appendleft(i)
