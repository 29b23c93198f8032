"""Census rounds through their procedure: classification, steps, snapshots, revisions."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.census import selectors, services
from ketnghia.census.models import CensusRound, RoundState
from ketnghia.census.tests.factories import approve, make_round, take_to_posted
from ketnghia.core.errors import InvalidInput
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard


def _round_with(tree, year: int, standard: str, incomes: dict[str, int], masks=None):
    return make_round(tree.ngok_wang, year, standard, incomes, masks, village=tree.village_a)


def _approve(census_round, users):
    return approve(census_round, users.commune_officer)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_entries_are_classified_under_the_round_standard(tree):
    census_round = _round_with(tree, 2015, "vn-2011", {"H1": 400_000, "H2": 400_001, "H3": 520_001})
    statuses = dict(census_round.entries.values_list("household_code", "status"))
    assert statuses == {"H1": "poor", "H2": "near_poor", "H3": "not_poor"}


def test_procedure_in_order_with_roles(tree, users):
    census_round = _round_with(tree, 2015, "vn-2011", {"H1": 300_000})
    with pytest.raises(InvalidInput):
        services.census_round_advance(
            census_round=census_round,
            target=RoundState.VILLAGE_MEETING,
            actor=users.commune_officer,
        )
    _approve(census_round, users)
    with pytest.raises(InvalidInput):
        services.census_round_advance(
            census_round=census_round,
            target=RoundState.DISTRICT_ACCEPTED,
            actor=users.commune_officer,
        )
    services.census_round_advance(
        census_round=census_round, target=RoundState.DISTRICT_ACCEPTED, actor=users.district_officer
    )
    services.census_round_advance(
        census_round=census_round, target=RoundState.PROVINCE_ACCEPTED, actor=users.province_admin
    )
    census_round.refresh_from_db()
    assert census_round.state == RoundState.PROVINCE_ACCEPTED
    assert census_round.commune_approved_by == users.commune_officer
    assert census_round.history.count() >= 6


def test_open_complaints_block_approval(tree, users):
    census_round = _round_with(tree, 2015, "vn-2011", {"H1": 300_000})
    officer = users.commune_officer
    take_to_posted(census_round, officer)
    complaint = services.complaint_record(
        census_round=census_round,
        received_on=date(2015, 10, 3),
        text="Hộ tôi bị xếp sai",
        actor=officer,
    )
    with pytest.raises(InvalidInput):
        services.census_round_advance(
            census_round=census_round, target=RoundState.COMMUNE_APPROVED, actor=officer
        )
    services.complaint_resolve(
        complaint=complaint,
        resolution="Đã rà soát lại",
        resolved_on=date(2015, 10, 5),
        actor=officer,
    )
    services.census_round_advance(
        census_round=census_round, target=RoundState.COMMUNE_APPROVED, actor=officer
    )


def test_approved_round_is_a_snapshot(tree, users):
    census_round = _approve(_round_with(tree, 2015, "vn-2011", {"H1": 300_000}), users)
    household = Household.objects.get(code="H1")
    household.head_name = "Tên mới"
    household.save()
    entry = census_round.entries.get()
    assert entry.head_name == "Chủ hộ H1"
    with pytest.raises(InvalidInput):
        services.census_entry_override(
            entry=entry, status="near_poor", reason="x", actor=users.commune_officer
        )
    with pytest.raises(InvalidInput):
        services.census_round_classify(census_round=census_round)

    revision = services.census_round_revise(census_round=census_round, actor=users.commune_officer)
    assert revision.revision == 2 and revision.state == RoundState.COLLECTED
    revised_entry = revision.entries.get()
    services.census_entry_override(
        entry=revised_entry,
        status="near_poor",
        reason="Thu nhập bị khai thiếu",
        actor=users.commune_officer,
    )
    # The approved round still gives the official figure until the revision is approved.
    summary = selectors.commune_census_summary(scope=EVERYTHING, commune=tree.ngok_wang)
    assert summary[0].round == census_round
    assert summary[0].counts["poor"] == 1
    assert census_round.entries.get().status == "poor"


def test_override_needs_reason_and_is_kept_in_history(tree, users):
    census_round = _round_with(tree, 2015, "vn-2011", {"H1": 300_000})
    entry = census_round.entries.get()
    with pytest.raises(InvalidInput):
        services.census_entry_override(
            entry=entry, status="near_poor", reason=" ", actor=users.commune_officer
        )
    services.census_entry_override(
        entry=entry, status="near_poor", reason="Có nguồn thu mới", actor=users.commune_officer
    )
    entry.refresh_from_db()
    assert (entry.status, entry.computed_status, entry.is_overridden) == ("near_poor", "poor", True)
    assert entry.history.latest().history_user == users.commune_officer
    # Reclassifying keeps the hand-set status.
    services.census_round_classify(census_round=census_round)
    entry.refresh_from_db()
    assert entry.status == "near_poor"


def test_transitions_and_series_break_across_years(tree, users):
    _approve(_round_with(tree, 2014, "vn-2011", {"A": 300_000, "B": 300_000, "C": 450_000}), users)
    _approve(_round_with(tree, 2015, "vn-2011", {"A": 300_000, "B": 600_000, "D": 100_000}), users)
    _approve(
        _round_with(tree, 2016, "vn-2016", {"A": 600_000, "B": 650_000, "D": 2_000_000}), users
    )
    summary = selectors.commune_census_summary(scope=EVERYTHING, commune=tree.ngok_wang)
    assert [s.round.year for s in summary] == [2014, 2015, 2016]
    assert summary[0].transitions is None
    assert summary[1].transitions["remained_poor"] == 1  # A
    assert summary[1].transitions["exited_poverty"] == 1  # B
    assert summary[1].transitions["left"] == 1  # C
    assert summary[1].transitions["new_household"] == 1  # D
    assert summary[2].transitions["fell_back"] == 1  # B: poor 2014, out 2015, poor 2016
    assert summary[2].transitions["exited_poverty"] == 1  # D
    assert not summary[1].series_break and summary[2].series_break
    assert summary[1].poverty_rate == pytest.approx(200 / 3)


def test_recompute_under_another_standard_leaves_the_round_alone(tree, users):
    census_round = _approve(
        _round_with(tree, 2016, "vn-2016", {"A": 650_000, "B": 900_000}, {"B": 0b111}), users
    )
    assert selectors.round_recompute(
        census_round=census_round, standard=get_standard("vn-2011")
    ) == {
        "poor": 0,
        "near_poor": 0,
        "average": 0,
        "not_poor": 2,
    }
    assert selectors.status_counts(census_round=census_round)["poor"] == 2
    with pytest.raises(InvalidInput):
        selectors.round_recompute(census_round=census_round, standard=get_standard("vn-2022"))


def test_rounds_are_scoped(tree, users):
    census_round = _round_with(tree, 2015, "vn-2011", {"H1": 300_000})
    other = UnitScope(paths=frozenset({tree.dak_mar.path}))
    assert not selectors.round_list_for(scope=other, commune=tree.ngok_wang).exists()
    assert not selectors.entry_list_for(scope=other, census_round=census_round).exists()
    assert CensusRound.objects.count() == 1
