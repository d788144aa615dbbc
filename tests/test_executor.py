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
