"""Which executor a command runs its batches on, from its `--workers` and `--scheduler`."""

from __future__ import annotations

from optimizer.runs.executor import Executor
from optimizer.runs.local_pool import LocalExecutor, cores


def open_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor a command asked for: a Dask cluster when a scheduler address is
    given, otherwise ``workers`` local processes (default: one per core)."""
    if scheduler:
        from optimizer.runs.cluster import DaskExecutor  # Dask is an optional extra

        return DaskExecutor(scheduler)
    n = cores() if workers is None else workers
    return Executor() if n <= 1 else LocalExecutor(n)
