"""Batches on a real Dask cluster on 127.0.0.1: `dask scheduler` and two `dask worker`
processes, started here; results identical to a local run, a worker killed mid-batch,
an unreachable scheduler, a worker with other code."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from models.data import DisruptionScenario, Shock
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.stress import stress_jobs, stress_plan, stress_result
from optimizer.runs.cluster import ClusterError, DaskExecutor
from optimizer.runs.executor import Failed, Job, Tracker
from optimizer.workbook.load import load_workbook
from tests.conftest import CRISIS, ROOT, SHIPPED

pytest.importorskip("distributed", reason="the test extra installs dask[distributed]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """`dask scheduler` / `dask worker`, from this interpreter's environment."""
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=cwd,
                            env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no scheduler on port {port} after {timeout} s")


class Cluster:
    def __init__(self, tmp: Path, workers: int = 2, env: dict | None = None):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs = [dask("scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                           "--no-dashboard", env=env, cwd=tmp)]
        wait_for_port(self.port)
        for i in range(workers):
            self.add_worker(tmp / f"w{i}", env)

    def add_worker(self, where: Path, env: dict | None = None) -> None:
        where.mkdir(parents=True, exist_ok=True)
        self.procs.append(dask("worker", self.address, "--nthreads", "1", "--nworkers", "1",
                               "--no-dashboard", "--local-directory", str(where),
                               "--host", "127.0.0.1", env=env, cwd=where))

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=120)

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # The scheduler (it unpickles the task graph) and the workers can import this
    # module's job functions; the package is the installed one either way.
    c = Cluster(tmp_path_factory.mktemp("dask"), env={"PYTHONPATH": str(ROOT)})
    try:
        c.wait_for_workers(2)
        yield c
    finally:
        c.stop()


def many_disruptions(data, n: int) -> tuple[DisruptionScenario, ...]:
    offers = sorted({(o.supplier, o.material, o.period) for o in data.offers})
    return tuple(
        DisruptionScenario(f"d{i}", 0.9 / n, tuple(
            Shock(*offers[(5 * i + k) % len(offers)], capacity_factor=(i % 4) / 4,
                  price_factor=1 + (i % 3) / 4) for k in range(2)))
        for i in range(n))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimizer.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def figures(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of an output workbook but Run (times and where it ran)."""
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    return {k: v for k, v in sheets.items() if k != "Run"}


# compare on the decade scenario (deals, discounts, stages); stress of every strategy on
# the quarterly crisis scenario, whose robust plans and their EVPI and VSS solves take
# seconds where the decade's take minutes: the same batch code either way
@pytest.mark.parametrize(("command", "book"), [("stress", CRISIS), ("compare", SHIPPED)],
                         ids=["stress", "compare"])
def test_commands_on_the_cluster_give_the_local_figures(cluster, tmp_path, command, book):
    local = run_cli(command, str(book), "-q", "--workers", "1", "-o", "local.xlsx",
                    cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    remote = run_cli(command, str(book), "-q", "--scheduler", cluster.address,
                     "-o", "cluster.xlsx", cwd=tmp_path)
    assert remote.returncode == 0, remote.stderr
    here, there = figures(tmp_path / "local.xlsx"), figures(tmp_path / "cluster.xlsx")
    assert here.keys() == there.keys()
    for name in here:
        pd.testing.assert_frame_equal(here[name], there[name], check_exact=True, obj=name)
    run_sheet = pd.read_excel(tmp_path / "cluster.xlsx", sheet_name="Run", header=None,
                              engine="calamine")
    ran_on = dict(zip(run_sheet[0], run_sheet[1], strict=True))["solves ran on"]
    assert ran_on == f"Dask cluster at {cluster.address} (2 workers)"


def test_jobs_run_on_both_workers_and_a_failing_job_names_itself(cluster):
    with DaskExecutor(cluster.address) as ex:
        assert ex.parallelism == 2 and not ex.notes
        pids = ex.map([Job(f"pid {i}", _pid_after, (0.2,)) for i in range(12)])
        bad = ex.map([Job("strategy broken", plan_coordinated, (None,))])
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert isinstance(bad[0], Failed) and bad[0].label == "strategy broken"
    assert "AttributeError" in bad[0].reason


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_worker_killed_mid_batch_costs_a_retry_not_the_batch(cluster):
    data = load_workbook(SHIPPED).scenario()
    run = plan_coordinated(replace(data, disruptions=many_disruptions(data, 60)))
    here = stress_plan(run.result)
    with DaskExecutor(cluster.address) as ex:
        pids = ex.client.run(os.getpid)
        victim = pids[sorted(pids)[0]]
        killed = []

        def kill_once(done: int, total: int, label: str) -> None:
            if done and not killed:  # the first chunk is back: the others are running
                os.kill(victim, signal.SIGKILL)
                killed.append(label)

        jobs = stress_jobs(run.result)
        there = stress_result(jobs, ex.map(jobs, Tracker(kill_once)))
    assert killed
    pd.testing.assert_frame_equal(here.table(), there.table(), check_exact=True)
    assert there.notes == []
    cluster.wait_for_workers(2)  # the nanny restarts the killed worker for later tests


def test_an_unreachable_scheduler_fails_fast_with_a_clear_message(tmp_path):
    port = free_port()  # nothing listens there
    result = run_cli("stress", str(SHIPPED), "-q", "--scheduler", f"tcp://127.0.0.1:{port}",
                     cwd=tmp_path)
    assert result.returncode == 1
    # said by the plain connection attempt made first, not after Dask's 30 s of retries
    assert f"no Dask scheduler answers at tcp://127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.xlsx"))
    with pytest.raises(ClusterError, match="expected an address such as"):
        DaskExecutor("tcp://127.0.0.1")


def test_a_scheduler_lost_mid_batch_ends_the_run_saying_what_was_done(tmp_path):
    """The scheduler killed while a stress run's solves are on the cluster: the command
    names the scheduler and how far the run got, exits 3 and writes nothing."""
    from distributed import Client

    c = Cluster(tmp_path, env={"PYTHONPATH": str(ROOT)})
    try:
        c.wait_for_workers(2)
        with open(tmp_path / "stderr", "w") as log:
            run = subprocess.Popen([sys.executable, "-m", "optimizer.cli", "stress",
                                    str(SHIPPED), "-q", "--scheduler", c.address,
                                    "-o", "stress.xlsx"], cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=log)
        with Client(c.address, timeout=60) as watcher:
            while run.poll() is None and not watcher.run_on_scheduler(
                    lambda dask_scheduler: any(k.startswith("coprocure-")
                                               for k in map(str, dask_scheduler.tasks))):
                time.sleep(0.05)  # until the first batch is on the cluster
        c.procs[0].kill()
        assert run.wait(120) == 3
        stderr = (tmp_path / "stderr").read_text()
        assert f"lost the Dask scheduler at {c.address}" in stderr, stderr
        done = re.search(r"(\d+) of (\d+) solves sent to it were done", stderr)
        assert done and int(done[1]) < int(done[2]), stderr
        assert "Traceback" not in stderr and "KeyError" not in stderr
        assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.xlsx"))
    finally:
        c.stop()


def test_a_worker_running_other_code_is_refused_up_front(tmp_path):
    """A worker that imports a modified copy of the package (as a node left on an older
    checkout would): the client refuses the cluster before sending any job."""
    copy = tmp_path / "src"
    for package in ("optimizer", "models"):
        shutil.copytree(ROOT / package, copy / package)
    with open(copy / "models" / "build.py", "a") as f:
        f.write("\n# a local change on one node\n")
    c = Cluster(tmp_path, workers=0)
    try:
        with pytest.raises(ClusterError, match="has no workers"):
            DaskExecutor(c.address, timeout_s=2)
        c.add_worker(tmp_path / "w", env={"PYTHONPATH": str(copy)})
        c.wait_for_workers(1)
        with pytest.raises(ClusterError, match="runs a different coprocure") as caught:
            DaskExecutor(c.address)
        assert "coprocure source" in str(caught.value)
    finally:
        c.stop()


def test_a_service_that_is_not_a_scheduler_is_named_as_such():
    """Something that accepts connections but never speaks Dask (a dashboard, a proxy):
    Dask's client would wait for its handshake without end."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # the kernel accepts; nobody answers
        with pytest.raises(ClusterError, match="not its dashboard or another service"):
            DaskExecutor(f"tcp://127.0.0.1:{listener.getsockname()[1]}", timeout_s=2)


def test_tls_without_a_client_certificate_says_what_to_set():
    with pytest.raises(ClusterError, match="DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT"):
        DaskExecutor("tls://127.0.0.1:1")
