"""What a deal is worth to the planning unit (SPEC 3.1): for every deal a plan leaves
unsigned, what signing it would have cost; the Deals sheet of the results shows it."""

from __future__ import annotations

from optimizer.solving.plan import PlanRun, solve_plan


def cost_to_sign(run: PlanRun) -> dict[str, float | None]:
    """Deal not signed -> how much more the plan costs (objective, present value) when it
    must sign it; None where the plan would then have no solution. One re-solve per
    unsigned deal, with the coalition (or the one partner) as the planning unit: for a
    plan made by partners alone the answer would depend on who signs, so there is none."""
    result = run.result
    assert result is not None  # only a plan has deals to price
    data = result.scenario
    if data.settings.coordination != "joint" and len(data.buyers) > 1:
        return {}
    out: dict[str, float | None] = {}
    for deal in result.deals.loc[~result.deals["signed"].astype(bool), "deal"]:
        forced = solve_plan(data, check=False, signing={str(deal): True})
        out[str(deal)] = None if forced.objective is None else forced.objective - result.objective
    return out
