"""The census procedure's steps: order, roles, and what each step needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ketnghia.accounts.rules import Role
from ketnghia.census.models import RoundState
from ketnghia.census.workflow import RoundFacts, is_frozen, next_state, role_may_take, step_problems

READY = RoundFacts(
    state=RoundState.COLLECTED,
    entry_count=10,
    meeting_date=date(2015, 10, 5),
    meeting_participants=40,
    meeting_agreeing=20,
    has_minutes=True,
    posting_start=date(2015, 10, 6),
    posting_end=date(2015, 10, 13),
)


def test_steps_go_in_order():
    assert next_state(RoundState.DRAFT) == RoundState.COLLECTED
    assert next_state(RoundState.PROVINCE_ACCEPTED) is None
    assert step_problems(READY, RoundState.POSTED)  # skipping the meeting


def test_meeting_needs_half_agreeing_and_minutes():
    assert step_problems(READY, RoundState.VILLAGE_MEETING) == []
    assert step_problems(replace(READY, meeting_agreeing=19), RoundState.VILLAGE_MEETING)
    assert step_problems(replace(READY, has_minutes=False), RoundState.VILLAGE_MEETING)
    assert step_problems(replace(READY, meeting_agreeing=41), RoundState.VILLAGE_MEETING)


def test_posting_and_complaints():
    posted = replace(READY, state=RoundState.VILLAGE_MEETING)
    assert step_problems(posted, RoundState.POSTED) == []
    assert step_problems(replace(posted, posting_end=date(2015, 10, 1)), RoundState.POSTED)
    approved = replace(READY, state=RoundState.POSTED, open_complaints=2)
    assert step_problems(approved, RoundState.COMMUNE_APPROVED)
    assert step_problems(replace(approved, open_complaints=0), RoundState.COMMUNE_APPROVED) == []


def test_empty_round_cannot_be_collected():
    assert step_problems(RoundFacts(state=RoundState.DRAFT, entry_count=0), RoundState.COLLECTED)


def test_roles_and_freezing():
    assert role_may_take(Role.COMMUNE_OFFICER, RoundState.COMMUNE_APPROVED)
    assert not role_may_take(Role.COMMUNE_OFFICER, RoundState.DISTRICT_ACCEPTED)
    assert role_may_take(Role.DISTRICT_OFFICER, RoundState.DISTRICT_ACCEPTED)
    assert not role_may_take(Role.PROVINCE_VIEWER, RoundState.PROVINCE_ACCEPTED)
    assert role_may_take(Role.PROVINCE_ADMIN, RoundState.PROVINCE_ACCEPTED)
    assert not is_frozen(RoundState.POSTED)
    assert is_frozen(RoundState.COMMUNE_APPROVED)
