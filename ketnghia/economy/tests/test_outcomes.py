"""The outcome estimator recovers a planted effect and finds none where none was planted."""

from __future__ import annotations

import numpy as np
import pytest

from ketnghia.economy.outcomes import Panel, Settings, analyse_kind
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


def _targeted_panel(seed: int) -> tuple[Panel, list[tuple[int, str, int]]]:
    """Support with no effect, given commune by commune to every household poor the year
    before (as the demo's and real rounds do): 12 communes of 4 villages, 2010–2018."""
    rng = np.random.default_rng(seed)
    years = tuple(range(2010, 2019))
    n = 4800
    village = rng.integers(0, 48, n)
    commune = village // 4
    welfare = np.zeros((n, len(years)))
    welfare[:, 0] = rng.standard_normal(n)
    for j in range(1, len(years)):
        welfare[:, j] = 0.85 * welfare[:, j - 1] + np.sqrt(1 - 0.85**2) * rng.standard_normal(n)
    poor = (welfare < 0.3 - 0.08 * np.arange(len(years))).astype(float)
    start = {c: 2012 + c % 5 for c in range(12) if c % 5 < 4}  # two communes never supported
    rows = []
    for i in range(n):
        g = start.get(int(commune[i]))
        if g is not None and poor[i, years.index(g - 1)] == 1:
            rows.append((i + 1, KIND, g))
    panel = Panel.build(
        household_ids=np.arange(1, n + 1),
        village_ids=village,
        years=years,
        poor=poor,
        traits={
            "commune_group": np.full(n, "key"),
            "region": np.full(n, "III"),
            "ethnicity": np.full(n, "Xơ Đăng"),
            "household_size": np.full(n, 5),
            "baseline_income": welfare[:, 0],
            "deprivations": np.full(n, 2),
        },
    )
    return panel, rows


def test_comparing_with_villages_not_yet_reached_removes_the_bias_of_targeted_rounds() -> None:
    """Rounds pick last year's poor: the households a round leaves out had left poverty, so
    keeping them as comparison households (and dropping their neighbours) shows a harm that
    is not there; villages not yet reached show none."""
    household, village = [], []
    for seed in range(5):
        panel, rows = _targeted_panel(seed)
        by_household = analyse_kind(panel, rows, KIND, Settings(comparison="household"))
        by_village = analyse_kind(panel, rows, KIND, Settings(comparison="village"))
        assert by_household.att is not None and by_village.att is not None
        household.append(by_household.att.covers(0.0))
        village.append(by_village.att.covers(0.0))
        assert by_household.att.value < by_village.att.value
    assert sum(village) >= 4, village
    assert sum(household) <= 1, household


def test_an_unknown_comparison_is_refused() -> None:
    data = synthetic_panel(1, effect=0.0, households=300, villages=10)
    with pytest.raises(ValueError):
        analyse_kind(data.panel, data.rows, KIND, Settings(comparison="commune"))
