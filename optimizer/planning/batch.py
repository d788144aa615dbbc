"""Plans in batches: compare's strategies, the Shapley game's coalitions, sweep points.

Reuse (SPEC 6): each distinct scenario is planned once (`joint` on a joint base is the
base; the grand coalition of the Shapley game is the joint plan), and every plan after
the first starts HiGHS from the first plan's optimal basis when its LP has the same rows
and columns. The first plan is solved on its own, before the rest are sent out, so that
every later plan starts from the same basis wherever and in whatever order it runs.

Plans of one structure that differ only in numbers (prices, floors, capacities...) are
sent one after another, and those that one process runs share one Pyomo model, built
and compiled once (:mod:`optimizer.solving.shared`); each plan's LP is the one its own
model would give, solved the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.data import ScenarioData
from models.index import build_index
from optimizer.planning.coordination import plan_coordinated
from optimizer.runs.executor import Executor, Failed, Job, Tracker
from optimizer.solving.diagnose import Diagnosis, diagnose
from optimizer.solving.highs import Basis, Status, WarmStart
from optimizer.solving.plan import PlanRun
from optimizer.solving.shared import SHARED_MIN, Group, groups, plan_shared, release

Planned = tuple[PlanRun, Diagnosis | None]


def plan_job(data: ScenarioData, reference: Basis | None, learn: bool,
             diagnose_infeasible: bool, group: Group | None = None) -> Planned:
    """Plan one scenario (a batch job), on its group's shared model when it has one. A
    robust plan comes without its stress test and measures: the caller runs those as a
    batch of their own."""
    warm = WarmStart(reference) if reference is not None or learn else None
    run = plan_coordinated(data, warm=warm, complete_robust=False) if group is None \
        else plan_shared(data, group, warm)
    run.outcome = None  # holds Pyomo and HiGHS objects, which stay where they were made
    if learn and warm is not None:
        run.basis = warm.reference
    diagnosis = diagnose(data) if diagnose_infeasible and run.status is Status.INFEASIBLE \
        else None
    return run, diagnosis


def cost_job(data: ScenarioData, reference: Basis | None) -> float | None:
    """The objective of one scenario's plan, or None without a plan (a batch job)."""
    warm = WarmStart(reference) if reference is not None else None
    return plan_coordinated(data, check=False, warm=warm, complete_robust=False).objective


class BatchPlanner:
    def __init__(self, executor: Executor | None = None, reuse: bool = True,
                 progress: Tracker | None = None, share: bool = True):
        self.executor = executor or Executor()
        self.reuse = reuse
        self.share = share  # plans that differ only in numbers share one model
        self.progress = progress
        self.plans: dict[ScenarioData, Planned] = {}
        self.costs_of: dict[ScenarioData, float | None] = {}
        self.reference: Basis | None = None

    def plan(self, scenarios: Sequence[ScenarioData], labels: Sequence[str],
             diagnose_infeasible: bool = False) -> list[Planned]:
        """Every scenario's plan (and, when asked, the diagnosis of an infeasible one)."""
        if not self.reuse:
            return [_planned(r) for r in self.executor.map(
                [Job(label, plan_job, (d, None, False, diagnose_infeasible))
                 for d, label in zip(scenarios, labels, strict=True)], self.progress)]
        todo = self._distinct(scenarios, labels, self.plans)
        if todo and not self.plans:  # the first plan sets the reference basis
            first, label = todo.pop(0)
            run, diagnosis = _planned(self.executor.map(
                [Job(label, plan_job, (first, None, True, diagnose_infeasible))],
                self.progress)[0])
            self.reference, run.basis = run.basis, None
            self.plans[first] = (run, diagnosis)
        jobs, order = self._jobs(todo, diagnose_infeasible)
        results = self.executor.map(jobs, self.progress)
        release()  # a shared model kept in this process goes before the reports are written
        for i, r in zip(order, results, strict=True):
            self.plans[todo[i][0]] = _planned(r)
        return [self.plans[d] for d in scenarios]

    def _jobs(self, todo: list[tuple[ScenarioData, str]], diagnose_infeasible: bool
              ) -> tuple[list[Job], list[int]]:
        """A job per plan, and the position in ``todo`` of each. Plans of one structure
        that differ only in numbers come one after another with their group, so that the
        plans of a group that one process runs share one model (optimizer/solving/
        shared.py): grouped when there are at least SHARED_MIN of them for each process
        the executor may use, the break-even measured."""
        candidates = [i for i, (d, _) in enumerate(todo) if self.share and (
            d.settings.robust == "no") and (
            d.settings.coordination == "joint" or len(d.buyers) == 1)]
        least = SHARED_MIN * self.executor.parallelism
        at = candidates if len(candidates) >= least else []
        group_of = {at[k]: (group, [at[m] for m in members]) for group, members in
                    groups([build_index(todo[i][0]) for i in at], least) for k in members}
        jobs: list[Job] = []
        order: list[int] = []
        placed: set[int] = set()
        for i, (d, label) in enumerate(todo):
            if i in placed:  # with its group
                continue
            if i not in group_of:
                jobs.append(Job(label, plan_job, (d, self.reference, False,
                                                  diagnose_infeasible)))
                order.append(i)
                continue
            group, members = group_of[i]
            for j in members:
                # each plan builds its index again where it runs: keeping the batch's
                # indexes for the jobs held about 170 MiB more in a 13-point sweep at the
                # medium size, pickling one for a worker costs as much as building it
                jobs.append(Job(todo[j][1], plan_job, (todo[j][0], self.reference, False,
                                                       diagnose_infeasible, group)))
                order.append(j)
                placed.add(j)
        return jobs, order

    def costs(self, scenarios: Sequence[ScenarioData], labels: Sequence[str]
              ) -> list[float | None]:
        """Every scenario's objective (the Shapley game needs no more), reusing plans."""
        known = {d: run.objective for d, (run, _) in self.plans.items()} if self.reuse else {}
        known.update(self.costs_of)
        todo = self._distinct(scenarios, labels, known) if self.reuse else list(
            zip(scenarios, labels, strict=True))
        # Largest coalitions first: their plans take longest, and a batch whose last
        # chunks are the small ones ends with its workers finishing together.
        order = sorted(range(len(todo)), key=lambda i: -len(todo[i][0].buyers))
        results = self.executor.map([Job(todo[i][1], cost_job, (todo[i][0], self.reference))
                                     for i in order], self.progress)
        costs: list[float | None] = [None] * len(todo)
        for i, cost in zip(order, results, strict=True):
            costs[i] = None if isinstance(cost, Failed) else cost
        if not self.reuse:
            return costs
        self.costs_of.update((d, c) for (d, _), c in zip(todo, costs, strict=True))
        known.update(self.costs_of)
        return [known[d] for d in scenarios]

    def _distinct(self, scenarios: Sequence[ScenarioData], labels: Sequence[str],
                  known: dict) -> list[tuple[ScenarioData, str]]:
        todo: dict[ScenarioData, str] = {}
        for d, label in zip(scenarios, labels, strict=True):
            if d not in known and d not in todo:
                todo[d] = label
        return list(todo.items())


def _planned(result: Planned | Failed) -> Planned:
    """A job that raised becomes a plan-less run that says which job and why."""
    if isinstance(result, Failed):
        return PlanRun(Status.ERROR, None, reasons=[(result.reason, "")]), None
    return result
