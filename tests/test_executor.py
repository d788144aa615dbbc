"""Batches on local worker processes: the same results as in this process, whatever the
number of workers, and faults that cost a retry or one job, never the batch."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from models.data import DisruptionScenario, Shock
from optimizer.planning.compare import metrics, run_comparison
from optimizer.planning.coordination import plan_coordinated
from optimizer.planning.stress import stress_plan
from optimizer.runs.executor import ATTEMPTS, Executor, Failed, Job, Tracker, chunked
from optimizer.runs.local_pool import LocalExecutor
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED

# Job functions live at module level: spawned workers import them by name.


def slow_square(x: int) -> int:
    time.sleep(0.05)
    return x * x


def square_or_fail(x: int) -> int:
    if x == 7:
        raise ValueError(f"no square for {x}")
    return x * x


def die_once_in_worker(x: int, parent: int, marker: str) -> int:
    """Kill the worker process running it, the first time only (as `kill -9` would)."""
    if os.getpid() != parent and not Path(marker).exists():
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x * x


def always_die(x: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return x  # pragma: no cover - never reached


def squares(n: int, fn=slow_square) -> list[Job]:
    return [Job(f"job {i}", fn, (i,)) for i in range(n)]


def test_chunks_are_contiguous_and_cover_every_job():
    jobs = squares(10)
    chunks = chunked(jobs, 2)
    assert [j for c in chunks for j in c] == jobs
    assert len(chunks) == 5 and all(c for c in chunks)
    assert chunked(jobs[:3], 8) == [[j] for j in jobs[:3]]
    assert chunked([], 4) == []


@pytest.mark.parametrize("make", [Executor, lambda: LocalExecutor(2),
                                  lambda: LocalExecutor(2, parent_solves=False)],
                         ids=["in-process", "local-2", "local-2-spawned-only"])
def test_a_job_that_raises_is_reported_and_the_batch_goes_on(make):
    seen: list[str] = []
    with make() as ex:
        out = ex.map(squares(12, square_or_fail), Tracker(lambda d, t, label: seen.append(label)))
    failed = [r for r in out if isinstance(r, Failed)]
    assert len(failed) == 1 and failed[0].label == "job 7"
    assert "ValueError: no square for 7" in failed[0].reason
    assert [r for r in out if not isinstance(r, Failed)] == [i * i for i in range(12) if i != 7]
    assert sorted(seen[1:]) == sorted(f"job {i}" for i in range(12))  # seen[0]: announced


def test_spawned_workers_share_the_batch():
    jobs = [Job(f"pid {i}", _pid_after, (0.1,)) for i in range(16)]
    with LocalExecutor(3, parent_solves=False) as ex:
        pids = ex.map(jobs)
    assert os.getpid() not in pids and 2 <= len(set(pids)) <= 3


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.parametrize("parent_solves", [False, True])
def test_a_worker_killed_mid_batch_costs_a_retry_not_the_batch(tmp_path, parent_solves):
    jobs = [Job(f"job {i}", die_once_in_worker, (i, os.getpid(), str(tmp_path / "died")))
            for i in range(24)]
    with LocalExecutor(3, parent_solves=parent_solves) as ex:
        out = ex.map(jobs)
        if not parent_solves:  # this process may otherwise finish first, as a backup
            assert ex.retries == 1 and (tmp_path / "died").exists()
    assert out == [i * i for i in range(24)]


def test_a_job_that_kills_every_worker_fails_alone():
    jobs = squares(8)
    jobs[5] = Job("strategy doomed", always_die, (5,))
    with LocalExecutor(2, parent_solves=False) as ex:
        out = ex.map(jobs)
    assert isinstance(out[5], Failed) and out[5].label == "strategy doomed"
    assert f"died {ATTEMPTS} times" in out[5].reason
    # its chunk-mates and the chunk running beside it were re-run alone, and completed
    assert [r for i, r in enumerate(out) if i != 5] == [i * i for i in range(8) if i != 5]
    assert ex.retries >= ATTEMPTS


@pytest.fixture(scope="module")
def shipped():
    return load_workbook(SHIPPED)


def _tables(comparison) -> dict[str, pd.DataFrame]:
    out = {"metrics": metrics(comparison)}
    for o in comparison.outcomes:
        if o.run.result is not None:
            out[f"{o.name} purchases"] = o.run.result.purchases
            out[f"{o.name} stock"] = o.run.result.stock
        if o.stress is not None:
            out[f"{o.name} stress"] = o.stress.table()
    value = comparison.coordination
    out["shapley"] = pd.DataFrame([value.shapley]) if value else pd.DataFrame()
    return out


def test_compare_is_identical_in_process_and_on_local_workers(shipped):
    here = _tables(run_comparison(shipped, measures=True))
    with LocalExecutor(3, parent_solves=False) as ex:
        there = _tables(run_comparison(shipped, measures=True, executor=ex))
    assert here.keys() == there.keys()
    for name in here:
        pd.testing.assert_frame_equal(here[name], there[name], check_exact=True, obj=name)


def test_stress_of_many_scenarios_is_identical_on_local_workers(shipped):
    data = shipped.scenario()
    offers = sorted({(o.supplier, o.material, o.period) for o in data.offers})
    disruptions = tuple(
        DisruptionScenario(f"d{i}", 0.01, tuple(Shock(*offers[(7 * i + k) % len(offers)],
                                                      capacity_factor=(i % 5) / 5,
                                                      price_factor=1 + (i % 3) / 2)
                                                for k in range(3)))
        for i in range(30))
    run = plan_coordinated(replace(data, disruptions=disruptions))
    here = stress_plan(run.result)
    with LocalExecutor(2) as ex:
        there = stress_plan(run.result, executor=ex)
    pd.testing.assert_frame_equal(here.table(), there.table(), check_exact=True)
    assert len(here.scenarios) == 31 and here.notes == there.notes == []


def test_a_grid_sweep_on_local_workers_equals_the_one_in_this_process(shipped):
    from optimizer.planning.sweep import parse_vary, run_sweep, sweep_table

    varies = [parse_vary("Policies:policy=country-cap:share=0.6:1.0:3"),
              parse_vary("Stockpile::min_days=30:90:3")]
    here = sweep_table(varies, run_sweep(shipped, varies, "crma-65"))
    with LocalExecutor(2, parent_solves=False) as ex:
        there = sweep_table(varies, run_sweep(shipped, varies, "crma-65", executor=ex))
    assert len(here) == 9 and (here["status"] == "optimal").all()
    pd.testing.assert_frame_equal(here, there, check_exact=True)


def _pid_sleeping(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_the_default_keeps_a_small_batch_in_this_process():
    """A batch whose solving is estimated (median job time x jobs left) under
    ``pays_from`` never starts a pool: every job runs here, and the results say so."""
    with LocalExecutor(2, pays_from=60.0, spare=lambda: 1.0) as ex:
        pids = ex.map([Job(f"job {i}", _pid_sleeping, (0.02,)) for i in range(12)])
        assert not ex.pool_started and ex.description == "this process"
    assert pids == [os.getpid()] * 12


def test_the_default_starts_the_pool_for_a_batch_that_pays():
    """Jobs of at least 0.1 s, 12 of them, and a break-even of 0.2 s: after the first job
    the 11 left are estimated at 1.1 s or more, so the pool starts for them; the results
    are the same as in this process, in order, and say where they ran."""
    jobs = [Job(f"job {i}", _square_after, (i, 0.1)) for i in range(12)]
    with LocalExecutor(2, pays_from=0.2, spare=lambda: 1.0) as ex:  # a core to spare
        out = ex.map(jobs)
        assert ex.pool_started and ex.description == "2 local processes"
    assert out == [i * i for i in range(12)]


def test_the_default_starts_no_pool_while_the_cores_are_busy():
    """The same batch while other work keeps every core busy (no core to spare): a
    spawned worker would only take this process's share, so everything runs here."""
    jobs = [Job(f"job {i}", _pid_sleeping, (0.1,)) for i in range(12)]
    with LocalExecutor(2, pays_from=0.2, spare=lambda: 0.0) as ex:
        pids = ex.map(jobs)
        assert not ex.pool_started and ex.description == "this process"
    assert pids == [os.getpid()] * 12


def _square_after(x: int, seconds: float) -> int:
    time.sleep(seconds)
    return x * x


def test_explicit_workers_start_the_pool_whatever_the_batch():
    """`--workers 2` is honoured: a batch of more than one chunk goes to the pool, however
    small; a batch of one chunk stays here."""
    with LocalExecutor(2) as ex:
        assert ex.map(squares(1)) == [0] and not ex.pool_started
        assert ex.map(squares(4)) == [0, 1, 4, 9] and ex.pool_started


def test_open_executor_defaults_to_a_pool_that_must_pay(monkeypatch):
    from optimizer.runs import choose
    from optimizer.runs.local_pool import PAYS_FROM_S

    monkeypatch.setattr(choose, "cores", lambda: 4)  # as on a 4-core machine
    with choose.open_executor() as default, choose.open_executor(3) as three, \
            choose.open_executor(1) as one:
        assert isinstance(default, LocalExecutor) and default.pays_from == PAYS_FROM_S
        assert default.parallelism == 4 and default.description == "this process"
        assert isinstance(three, LocalExecutor) and three.pays_from is None
        assert type(one) is Executor
    monkeypatch.setattr(choose, "cores", lambda: 1)
    with choose.open_executor() as single:
        assert type(single) is Executor
