"""The outcome estimator recovers a planted effect and finds none where none was planted."""

from __future__ import annotations

import numpy as np
import pytest

from ketnghia.economy.outcomes import Settings, analyse_kind
from ketnghia.economy.synthetic import COHORTS, synthetic_panel

KIND = "breeding_livestock"
SEEDS = range(20)


@pytest.mark.parametrize("effect", [0.08, 0.0])
def test_the_interval_covers_the_planted_effect_in_18_of_20_seeds(effect: float) -> None:
    covered = 0
    for seed in SEEDS:
        data = synthetic_panel(seed, effect=effect)
        result = analyse_kind(data.panel, data.rows, KIND)
        assert result.att is not None, result.reason
        covered += result.att.covers(effect)
    assert covered >= 18, covered


def test_a_planted_effect_is_found_not_just_covered() -> None:
    data = synthetic_panel(1, effect=0.12)
    result = analyse_kind(data.panel, data.rows, KIND)
    assert result.att is not None
    assert result.att.ci_low > 0
    assert abs(result.att.value - 0.12) < 0.05


def test_matching_removes_the_selection_bias_the_naive_gap_carries() -> None:
    data = synthetic_panel(3, effect=0.0)
    result = analyse_kind(data.panel, data.rows, KIND)
    assert data.naive_gap < -0.03  # supported households were poorer to begin with
    cohort = result.cohorts[0]
    before = {(r.trait, r.level): r for r in cohort.balance}
    minority = before[("ethnicity", "Ba Na")]
    assert abs(minority.smd_before) > 0.1
    assert minority.smd_after is not None and abs(minority.smd_after) < 1e-9
    assert abs(before[("deprivations", "")].smd_after or 0) < abs(
        before[("deprivations", "")].smd_before
    )


def test_pre_periods_are_estimated_and_centred_on_zero() -> None:
    data = synthetic_panel(4, effect=0.1)
    result = analyse_kind(data.panel, data.rows, KIND)
    late = next(c for c in result.cohorts if c.start_year == COHORTS[-1])
    assert [p.event_time for p in late.pre_periods] == [-4, -3, -2]
    for period in late.pre_periods:
        assert period.estimate.covers(0.0) or abs(period.estimate.value) < 0.05
    assert [p.event_time for p in result.event_study][:2] == [-4, -3]
    assert all(np.isfinite(p.estimate.se) for p in result.event_study)


def test_a_group_below_the_minimum_gets_no_estimate_and_a_reason() -> None:
    data = synthetic_panel(5, effect=0.1, households=400)
    result = analyse_kind(data.panel, data.rows, KIND, Settings(min_group=60))
    assert result.att is None
    assert all(c.att is None and c.reason for c in result.cohorts)
    assert "60" in result.cohorts[0].reason


def test_strata_without_enough_comparison_households_are_left_out() -> None:
    data = synthetic_panel(6, effect=0.0)
    loose = analyse_kind(data.panel, data.rows, KIND, Settings(min_stratum_controls=1))
    strict = analyse_kind(data.panel, data.rows, KIND, Settings(min_stratum_controls=8))
    assert strict.cohorts[0].matched < loose.cohorts[0].matched
    assert strict.cohorts[0].strata < loose.cohorts[0].strata


def test_a_kind_nobody_received_says_so() -> None:
    data = synthetic_panel(7, effect=0.0)
    result = analyse_kind(data.panel, data.rows, "latrine")
    assert result.att is None and result.cohorts == []
    assert result.reason


def test_a_household_supported_earlier_with_another_kind_is_left_out() -> None:
    data = synthetic_panel(8, effect=0.0)
    first = data.rows[0]
    rows = [*data.rows, (first[0], "seedlings", first[2] - 1)]
    before = analyse_kind(data.panel, data.rows, KIND)
    after = analyse_kind(data.panel, rows, KIND)
    cohort = next(c for c in after.cohorts if c.start_year == first[2])
    earlier = next(c for c in before.cohorts if c.start_year == first[2])
    assert cohort.supported <= earlier.supported
