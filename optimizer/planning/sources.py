"""Where the value of coordination comes from (SPEC 3.1), in SPEC's order.

- C_pr: every partner planning alone on its pro-rata share of every ordinary offer, deals
  taken whole in Buyers order (the `pro-rata` mode);
- C1: joint planning with each deal signed as the pro-rata plan signed it, discounts on
  each partner's own volume;
- C2: the same signing, discounts on the pooled volume;
- C_joint: the joint plan.

Deals only the coalition signs are worth C2 - C_joint; discount brackets only pooled
volume reaches, C1 - C2; the rest (pooled capacity, freight, stock sharing), C_pr - C1.
Without volume discounts in the workbook C1 = C2 (one solve). The Shapley game splits
sum c({i}) - c(N), which with deals may differ from C_pr - C_joint: both are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from models.data import ScenarioData
from optimizer.planning.coordination import plan_coordinated
from optimizer.solving.plan import solve_plan

ROUNDING = 1e-12  # relative: far below any solver tolerance, far above float noise


@dataclass(frozen=True)
class CoordinationSources:
    pro_rata: float | None  # C_pr
    own_brackets: float | None  # C1
    pooled_brackets: float | None  # C2
    joint: float | None  # C_joint
    deals_only_together: tuple[str, ...]  # signed jointly and not when planning alone
    deals_alone: tuple[str, ...]  # signed by a partner planning alone

    def _gap(self, high: float | None, low: float | None) -> float | None:
        if high is None or low is None:
            return None
        # two LP optima of the same cost differ by rounding (1.9e-06 USD on 11 bn): 0
        return 0.0 if abs(high - low) <= ROUNDING * max(abs(high), abs(low)) else high - low

    @property
    def total(self) -> float | None:
        return self._gap(self.pro_rata, self.joint)

    @property
    def from_deals(self) -> float | None:
        return self._gap(self.pooled_brackets, self.joint)

    @property
    def from_brackets(self) -> float | None:
        return self._gap(self.own_brackets, self.pooled_brackets)

    @property
    def from_the_rest(self) -> float | None:
        return self._gap(self.pro_rata, self.own_brackets)


def coordination_sources(base: ScenarioData) -> CoordinationSources:
    """The decomposition for the base workbook (four plans; three while the workbook has
    no volume discounts, C1 = C2 then). C1 is checked by nothing but the model: its
    discounts count each partner's own volume inside a joint plan, which no coordination
    mode does."""
    alone = plan_coordinated(replace(base, settings=replace(base.settings,
                                                             coordination="pro-rata")))
    joint_data = replace(base, settings=replace(base.settings, coordination="joint",
                                                robust="no"))
    joint = plan_coordinated(joint_data)
    signed_alone = set(alone.result.signed) if alone.result is not None else set()
    signing = {d.name: d.name in signed_alone for d in base.deals}
    c2 = solve_plan(joint_data, signing=signing)
    # C1: the same, with each schedule counting each partner's own volume
    own = replace(joint_data, discounts=tuple(replace(s, buyers=(b,)) for s in base.discounts
                                              for b in base.buyers))
    c1 = solve_plan(own, check=False, signing=signing) if base.discounts else c2
    signed_jointly = joint.result.signed if joint.result is not None else ()
    return CoordinationSources(
        pro_rata=alone.objective, own_brackets=c1.objective, pooled_brackets=c2.objective,
        joint=joint.objective,
        deals_only_together=tuple(d for d in signed_jointly if d not in signed_alone),
        deals_alone=tuple(sorted(signed_alone)))
