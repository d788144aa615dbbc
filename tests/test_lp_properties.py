"""Properties of the joint LP on random small scenarios (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import data as md
from tests.factory import checked_objective, random_scenarios, scale_money

PROPS = settings(max_examples=30, deadline=None)


objective = checked_objective


@PROPS
@given(random_scenarios())
def test_checker_passes_on_every_plan(data: md.ScenarioData) -> None:
    objective(data)


@PROPS
@given(random_scenarios(), st.floats(1.0, 3.0))
def test_more_capacity_never_costs_more(data: md.ScenarioData, factor: float) -> None:
    more = replace(data, offers=tuple(replace(o, capacity=o.capacity * factor)
                                      for o in data.offers))
    assert objective(more) <= objective(data) * (1 + 1e-9) + 1e-6


@PROPS
@given(random_scenarios(caps=True), st.floats(0.05, 0.5))
def test_a_looser_cap_never_costs_more(data: md.ScenarioData, loosen: float) -> None:
    """Every cap (shares drawn below 1) raised by a strictly positive amount, at most to 1."""
    looser = replace(data, policies=tuple(replace(p, share=min(1.0, p.share + loosen))
                                          for p in data.policies))
    assert data.policies and all(a.share > b.share
                                 for a, b in zip(looser.policies, data.policies, strict=True))
    assert objective(looser) <= objective(data) * (1 + 1e-9) + 1e-6


@PROPS
@given(random_scenarios(), st.sampled_from([0.5, 2.0, 10.0]))
def test_scaling_money_scales_the_objective(data: md.ScenarioData, k: float) -> None:
    assert objective(scale_money(data, k)) == pytest.approx(k * objective(data), rel=1e-6,
                                                            abs=1e-6)


@PROPS
@given(random_scenarios(), st.randoms(use_true_random=False))
def test_permuting_buyers_changes_nothing(data: md.ScenarioData, rnd) -> None:
    order = list(data.buyers)
    rnd.shuffle(order)
    assert objective(replace(data, buyers=tuple(order))) == pytest.approx(
        objective(data), rel=1e-7, abs=1e-6)
