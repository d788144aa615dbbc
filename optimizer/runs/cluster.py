"""Batches on a Dask distributed cluster (`--scheduler ADDRESS`, docs/cluster.md).

Before anything is sent, the cluster is checked: the scheduler answers (fast: a plain
connection attempt first), it has workers, Dask's own packages match, and every worker
runs the same coprocure source with the same solver stack as this machine, since a
plan depends on the HiGHS version and options. A worker that dies mid-batch is Dask's
to replace: the scheduler re-runs its tasks elsewhere (up to its `allowed-failures`,
3 by default), after which the chunk's jobs are reported as failed. A scheduler that is
lost mid-batch ends the run (:class:`ClusterLost`): its tasks are gone with it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from optimizer.errors import CoprocureError
from optimizer.runs.executor import (
    Executor,
    Failed,
    Job,
    Tracker,
    chunked,
    report_chunk,
    run_chunk,
    stack_fingerprint,
)

if TYPE_CHECKING:
    from distributed import Client, Future

CONNECT_TIMEOUT_S = 10.0


class ClusterError(CoprocureError):
    exit_code = 1


class ClusterLost(CoprocureError):
    """The scheduler went away mid-batch: the run cannot complete (exit 3)."""

    exit_code = 3


class DaskExecutor(Executor):
    def __init__(self, address: str, timeout_s: float = CONNECT_TIMEOUT_S):
        super().__init__()
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("--scheduler needs Dask: install it with "
                               "pip install 'coprocure[dask]'") from None
        self.address = address
        self.sent = 0  # jobs sent to the cluster by every batch so far
        self.done = 0  # of which came back
        self.lost = False
        _security_settings(address)
        _answers(address, timeout_s)
        self.client = _connect(Client, address, timeout_s)
        try:
            self._check(timeout_s)
        except BaseException:
            self.client.close()
            raise
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        self.parallelism = len(workers)
        self.description = f"Dask cluster at {address} ({len(workers)} workers)"
        crowded = sorted(a for a, w in workers.items() if w.get("nthreads", 1) > 1)
        if crowded:
            self.notes.append(
                f"{len(crowded)} Dask worker(s) have several threads (e.g. {crowded[0]}); "
                "coprocure solves one chunk at a time per worker process, so start workers "
                "with `dask worker ADDRESS --nworkers N --nthreads 1` to use every core")

    def _check(self, timeout_s: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {self.address} has no workers: start "
                               f"some with `dask worker {self.address} --nthreads 1`") from None
        # Dask's own get_versions(check=True) only warns; the fingerprint below covers
        # Dask's packages as well as the solve stack, and refuses.
        # The scheduler unpickles the task graph, so it needs the package as well.
        installed = self.client.run(importlib.metadata.version, "coprocure", on_error="return")
        installed["the scheduler"] = _on_scheduler(
            self.client, importlib.metadata.version, "coprocure")
        missing = sorted(a for a, v in installed.items() if isinstance(v, BaseException))
        if missing:
            raise ClusterError(f"coprocure is not installed on {', '.join(missing)} of the "
                               f"Dask cluster at {self.address}: install it on every node, "
                               "the scheduler's included (docs/cluster.md)")
        here = stack_fingerprint()
        nodes = dict(sorted(self.client.run(stack_fingerprint).items()))
        nodes["the scheduler"] = self.client.run_on_scheduler(stack_fingerprint)
        for node, there in nodes.items():
            differ = [f"{k} {there.get(k)} there, {v} here" for k, v in here.items()
                      if there.get(k) != v]
            if differ:
                name = node if node == "the scheduler" else f"Dask worker {node}"
                raise ClusterError(f"{name} runs a different coprocure or solver stack, so "
                                   f"its plans could differ: {'; '.join(differ)}. Install "
                                   "the same versions on every node (docs/cluster.md)")

    def map(self, jobs: Sequence[Job], progress: Tracker | None = None) -> list[Any]:
        from distributed import as_completed

        if not jobs:
            return []
        # the workers there now: some may have joined (or left) since the connection
        before = set(self._workers())
        self.parallelism = max(1, len(before))
        chunks = chunked(jobs, self.parallelism)
        if progress:
            progress.expect(len(jobs))
        batch = uuid.uuid4().hex[:8]
        futures = self.client.map(run_chunk, chunks, pure=False,
                                  key=[f"coprocure-{batch}-{i}" for i in range(len(chunks))])
        self.sent += len(jobs)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[list[Any] | None] = [None] * len(chunks)
        try:
            for future in as_completed(futures, loop=self.client.loop):
                i = index[future.key]
                # Dask cancels every future of a client that lost its scheduler; nothing
                # else here cancels one before the batch is over
                if future.cancelled():
                    raise self._lost()
                if results[i] is None:
                    results[i] = _chunk_result(future, chunks[i])
                    self.done += len(chunks[i])
                    report_chunk(chunks[i], progress)
        finally:
            if not self.lost:
                self.client.cancel([f for f in futures if not f.done()])
        # Dask re-runs a lost worker's tasks itself; count the workers that left (a
        # scheduler lost after the last result is for the next batch to report)
        if self.client.status == "running":
            self.retries += len(before - set(self._workers()))
        # every chunk has its results once all its futures have completed
        return [r for chunk_results in cast("list[list[Any]]", results) for r in chunk_results]

    def _workers(self) -> dict[str, Any]:
        """The scheduler's workers now; a client that lost its scheduler knows none."""
        info = self.client.scheduler_info(n_workers=-1) if self.client.status == "running" \
            else {}
        if "workers" not in info:
            raise self._lost()
        return cast("dict[str, Any]", info["workers"])

    def _lost(self) -> ClusterLost:
        self.lost = True
        return ClusterLost(f"lost the Dask scheduler at {self.address}: {self.done} of "
                           f"{self.sent} solves sent to it were done, nothing was written. "
                           "Check the scheduler (was it stopped, or out of memory?) and run "
                           "the command again")

    def close(self) -> None:
        if not self.lost:
            self.client.close()
            return
        # The client is still trying to reconnect; what it logs while it stops (an error,
        # sometimes a traceback) only repeats what ClusterLost says.
        with _quiet("distributed", "distributed.client"):  # Dask's config sets both levels
            self.client.close()


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    logs = [logging.getLogger(name) for name in names]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)


def _on_scheduler(client: Client, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return client.run_on_scheduler(fn, *args)
    except Exception as exc:
        return exc


def _chunk_result(future: Future, chunk: list[Job]) -> list[Any]:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:  # Dask's allowed-failures ran out: it says how many
        return [Failed(job.label, f"the worker process running it died every time Dask "
                                  f"tried it ({exc})") for job in chunk]
    except Exception as exc:  # e.g. a worker that cannot unpickle the task
        return [Failed(job.label, f"{type(exc).__name__}: {exc}") for job in chunk]


def _connect(client_class: type[Client], address: str, timeout_s: float) -> Client:
    """Dask's client, or a plain error. A service on the port that is not a Dask
    scheduler (its dashboard, a web proxy) can leave the client waiting for a handshake
    that never comes: the wait is bounded here, in a thread of its own."""
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_class(address, timeout=timeout_s, set_as_default=False)
        except BaseException as exc:  # handed to the calling thread
            box["error"] = exc

    thread = threading.Thread(target=connect, name="coprocure-connect", daemon=True)
    thread.start()
    thread.join(timeout_s + 5)
    if "client" in box:
        return box["client"]
    hint = ("is it a Dask scheduler (`dask scheduler`, port 8786 by default), not its "
            "dashboard or another service?")
    if thread.is_alive():
        raise ClusterError(f"something answers at {address} but did not complete Dask's "
                           f"handshake within {timeout_s + 5:g} s: {hint}")
    exc = box["error"]
    if isinstance(exc, OSError | TimeoutError):
        raise ClusterError(f"could not connect to the Dask scheduler at {address}: {exc}")
    raise ClusterError(f"could not talk to a Dask scheduler at {address} "
                       f"({type(exc).__name__}: {exc}): {hint}")


def _security_settings(address: str) -> None:
    """The client's TLS settings come from Dask's configuration; say which are missing
    rather than let Dask fail deep inside its connection code."""
    import dask.config

    scheme = urlsplit(address).scheme if "://" in address else "tcp"
    configured = [dask.config.get(f"distributed.comm.tls.{key}", default=None)
                  for key in ("ca-file", "client.cert")]
    if scheme == "tls" and not all(configured):
        raise ClusterError(
            f"--scheduler {address} asks for TLS, but no client certificate is configured: "
            "set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT "
            "and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY (or the same keys in Dask's "
            "distributed.yaml); see docs/cluster.md")
    if scheme == "tcp" and dask.config.get("distributed.comm.require-encryption",
                                           default=False):
        raise ClusterError(f"--scheduler {address} is plain tcp://, but Dask's configuration "
                           "requires encryption (distributed.comm.require-encryption): use "
                           "the scheduler's tls:// address")


def _answers(address: str, timeout_s: float) -> None:
    """Fail in seconds, with a plain message, when nothing listens at ``address``
    (Dask's own client retries for its whole connect timeout). Plain tcp:// only: a
    bare probe of a TLS scheduler would put a failed handshake in its log every run,
    and the bounded connect covers that case."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise ClusterError(f"--scheduler {address}: expected an address such as "
                           "tcp://10.0.0.5:8786")
    try:
        with socket.create_connection((host, port), timeout=min(timeout_s, 5.0)):
            pass
    except socket.gaierror:
        raise ClusterError(f"--scheduler {address}: unknown host {host}") from None
    except TimeoutError:
        raise ClusterError(f"no Dask scheduler answers at {address}: no reply within "
                           f"{min(timeout_s, 5.0):g} s (check the address and any firewall)"
                           ) from None
    except OSError as exc:
        raise ClusterError(f"no Dask scheduler answers at {address} ({exc.strerror or exc}): "
                           "start one with `dask scheduler`, or check the address") from None
