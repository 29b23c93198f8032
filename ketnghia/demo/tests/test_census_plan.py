"""The census plan without the database: calibration, the rules' own statuses, the rounds."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.census.models import RoundState
from ketnghia.demo.census import (
    PROGRAM_PATH,
    YEARS,
    CommuneInfo,
    _income_levels,
    _poverty_lines,
    plan_census,
    standard_code_for,
)
from ketnghia.demo.generator import census_input, plan_demo
from ketnghia.demo.households import plan_households
from ketnghia.demo.registry import plan_registry, planted_support
from ketnghia.poverty.rules import Status, classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.standards import get_standard
from ketnghia.support.demo import PLANTED_EFFECT


@pytest.fixture(scope="module")
def demo(kon_tum):
    plan = plan_demo(kon_tum)
    data = census_input(plan, kon_tum, 2007)
    return plan, data, plan_registry(data, 2007)


def _poor_by_commune(registry, year: int) -> tuple[Counter, Counter]:
    year_plan = registry.years[year]
    communes = [registry.households[i].commune_code for i in year_plan.household.tolist()]
    households = Counter(communes)
    poor = Counter(c for c, s in zip(communes, year_plan.status, strict=True) if s == "poor")
    return poor, households


def test_each_commune_hits_its_designed_rate_every_year(demo):
    _plan, _data, registry = demo
    for year in YEARS:
        poor, households = _poor_by_commune(registry, year)
        for commune, count in households.items():
            wanted = round(registry.targets[commune][year] / 100 * count)
            assert poor[commune] == wanted, (commune, year)


def test_the_designed_path_is_what_the_program_shows(demo):
    _plan, _data, registry = demo
    for year in (2007, 2015):
        poor, households = _poor_by_commune(registry, year)
        rate = 100 * sum(poor.values()) / sum(households.values())
        assert abs(rate - PROGRAM_PATH[year]) < 0.05
    for year in YEARS:
        poor, households = _poor_by_commune(registry, year)
        rate = 100 * sum(poor.values()) / sum(households.values())
        assert abs(rate - PROGRAM_PATH[year]) < 2.5, year


def test_statuses_are_the_rules_own(demo):
    _plan, _data, registry = demo
    for year, year_plan in registry.years.items():
        standard = get_standard(year_plan.standard_code)
        bits = len(standard.indicator_codes)
        assert (year_plan.deprivations >> bits == 0).all()
        result = classify_many(
            standard,
            ["rural"] * len(year_plan.income),
            year_plan.income,
            deprivation_matrix_from_bits(year_plan.deprivations, bits) if bits else None,
        )
        assert (result.status == year_plan.status).all(), year
        assert (year_plan.income % 1000 == 0).all() and (year_plan.income > 0).all()


def test_incomes_grow_within_each_standard(demo):
    _plan, _data, registry = demo
    medians = {year: np.median(plan.income) for year, plan in registry.years.items()}
    for year in YEARS[1:]:
        if standard_code_for(year) == standard_code_for(year - 1):
            assert medians[year] > medians[year - 1], year
    assert 150_000 < medians[2007] < 250_000
    assert 1_200_000 < medians[2025] < 2_500_000


def test_deprivations_recede_over_the_years(demo):
    _plan, _data, registry = demo
    share = {
        year: (registry.years[year].deprivation_count >= 3).mean() for year in range(2016, 2026)
    }
    assert share[2021] < share[2016] and share[2025] < share[2022]
    assert 0.3 < share[2016] < 0.7


def test_every_status_occurs_under_the_2022_standard(demo):
    _plan, _data, registry = demo
    statuses = Counter(registry.years[2023].status.tolist())
    assert set(statuses) == set(Status.values)


def test_last_years_rounds_wait_at_earlier_steps_in_a_few_communes(demo):
    plan, data, registry = demo
    officer = next(u for u in plan.users if u.role == "commune_officer")
    assert data.pending[officer.jurisdiction_code] == RoundState.COLLECTED
    assert 4 <= len(data.pending) <= 8
    states = Counter(r.state for r in registry.rounds if r.year == 2025)
    assert states[RoundState.PROVINCE_ACCEPTED] == 53 - len(data.pending)
    for census_round in registry.rounds:
        accepted = census_round.state == RoundState.PROVINCE_ACCEPTED
        assert accepted or census_round.year == 2025
        assert (census_round.meeting_date is not None) == (
            census_round.state not in {RoundState.DRAFT, RoundState.COLLECTED}
        )
        assert (census_round.province_accepted_at is not None) == accepted


def test_poverty_lines_read_off_the_rules():
    assert _poverty_lines(get_standard("vn-2006")).tolist() == [200_000]
    assert _poverty_lines(get_standard("vn-2016")).tolist() == [700_000] * 3 + [1_000_000] * 8
    assert _poverty_lines(get_standard("vn-2022")).tolist() == [-1] * 3 + [1_500_000] * 10


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(1, 80),
    share=st.floats(0, 1),
    code=st.sampled_from(["vn-2006", "vn-2011", "vn-2016", "vn-2022"]),
)
def test_income_levels_make_exactly_the_wanted_number_poor(seed, size, share, code):
    rng = np.random.default_rng(seed)
    standard = get_standard(code)
    bits = len(standard.indicator_codes)
    masks = rng.integers(0, 2**bits, size) if bits else np.zeros(size, dtype=np.int64)
    counts = np.array([bin(m).count("1") for m in masks.tolist()])
    spread = 0.6 * rng.standard_normal(size)
    lines = _poverty_lines(standard)[counts]
    with np.errstate(divide="ignore"):
        cutoffs = np.where(lines > 0, np.log(np.maximum(lines, 1)), -np.inf) - spread
    wanted = round(share * size)
    level = _income_levels(cutoffs, np.zeros(size, dtype=int), np.array([wanted]), 1)[0]
    incomes = (np.ceil(np.exp(level + spread) / 1000) * 1000).astype(np.int64)
    result = classify_many(
        standard,
        ["rural"] * size,
        incomes,
        deprivation_matrix_from_bits(masks, bits) if bits else None,
    )
    possible = int(np.isfinite(cutoffs).sum())
    assert (result.status == "poor").sum() == min(wanted, possible)


def test_the_planted_support_lifts_its_households_and_moves_no_figure(demo, kon_tum):
    """Livestock rounds' households leave poverty `PLANTED_EFFECT` more often; counts stay."""
    _plan, data, registry = demo
    planted = planted_support(data)
    assert planted.effect == PLANTED_EFFECT and planted.starts
    assert all(code in data.key_communes for code in planted.starts)
    households = plan_households(random.Random(2007), data.communes, data.villages)
    infos = [
        CommuneInfo(c.code, c.code in data.key_communes, data.regions.get(c.code, "III"))
        for c in data.communes
    ]
    plain, _targets = plan_census(2007, infos, households)
    commune = np.array([h.commune_code for h in households])
    for year in YEARS:
        lifted, before = registry.years[year], plain[year]
        assert (lifted.household == before.household).all()
        # Every commune keeps its count of poor households: the article's figures do not
        # move; near-poor ones move by a few households at most.
        now = Counter(zip(commune[lifted.household], lifted.status.tolist(), strict=True))
        was = Counter(zip(commune[before.household], before.status.tolist(), strict=True))
        assert {k: v for k, v in now.items() if k[1] == "poor"} == {
            k: v for k, v in was.items() if k[1] == "poor"
        }
        near = sum(v for k, v in now.items() if k[1] == "near_poor")
        assert abs(near - sum(v for k, v in was.items() if k[1] == "near_poor")) <= 30, year
    # A cohort: the households of a commune poor the year before its first livestock round.
    code, starts = sorted(planted.starts.items())[0]
    g = starts[0]
    base = registry.years[g - 1]
    cohort = set(base.household[(commune[base.household] == code) & (base.status == "poor")])
    gaps = []
    for year in range(g, 2026):
        rows = {
            h: (a, b)
            for h, a, b in zip(
                registry.years[year].household.tolist(),
                registry.years[year].status.tolist(),
                plain[year].status.tolist(),
                strict=True,
            )
            if h in cohort
        }
        lifted = sum(a != "poor" for a, _b in rows.values()) / len(rows)
        before = sum(b != "poor" for _a, b in rows.values()) / len(rows)
        gaps.append(lifted - before)
    assert all(abs(gap - PLANTED_EFFECT) < 0.01 for gap in gaps[:5]), gaps
    assert all(0 < gap <= PLANTED_EFFECT + 0.01 for gap in gaps), gaps
