"""Which executor a command runs its batches on, from its `--workers` and `--scheduler`."""

from __future__ import annotations

from optimizer.runs.executor import Executor
from optimizer.runs.local_pool import PAYS_FROM_S, LocalExecutor, cores


def open_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor a command asked for: a Dask cluster when a scheduler address is
    given; ``workers`` local processes when given (1: this process alone); by default one
    per core, whose pool starts only for a batch that pays for it (an estimated
    PAYS_FROM_S seconds of solving or more, see optimizer/runs/local_pool.py), so that
    the default is never much slower than `--workers 1`."""
    if scheduler:
        from optimizer.runs.cluster import DaskExecutor  # Dask is an optional extra

        return DaskExecutor(scheduler)
    if workers is None:
        n = cores()
        return Executor() if n <= 1 else LocalExecutor(n, pays_from=PAYS_FROM_S)
    return Executor() if workers <= 1 else LocalExecutor(workers)
