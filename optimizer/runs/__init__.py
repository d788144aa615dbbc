"""Where a batch of independent solves runs: this process, local worker processes, or a
Dask cluster.

Jobs are plain data (:mod:`~optimizer.runs.executor`, which also holds the in-process
executor); :mod:`~optimizer.runs.local_pool` runs them on spawned local processes and
:mod:`~optimizer.runs.cluster` on a Dask cluster; :mod:`~optimizer.runs.choose` picks one
from the command's ``--workers`` and ``--scheduler``.
"""
