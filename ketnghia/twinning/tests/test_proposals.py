"""Reassignment proposals: every poor household covered where the caps allow, the rest explained."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.core.errors import InvalidInput
from ketnghia.core.gate import EVERYTHING
from ketnghia.households.models import Household
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.coverage import coverage_report, proposal_for
from ketnghia.twinning.models import Assignment, AssignmentKind, NetworkRules
from ketnghia.twinning.proposals import AT_CAP, NO_MEMBER, Member, NeedyHousehold, propose
from ketnghia.twinning.tests.network import network, party_member


def _households(villages: list[int]) -> list[NeedyHousehold]:
    return [NeedyHousehold(i, f"H{i:03d}", v) for i, v in enumerate(villages)]


def test_members_of_the_same_village_are_preferred_then_the_nearest():
    households = _households([1, 1, 3, 5])
    members = [Member(10, "Một", 1, 0, 5), Member(20, "Năm", 5, 0, 5), Member(30, "Hai", 2, 0, 5)]
    proposal = propose(households, members)
    by_household = {r.household_code: (r.member_name, r.distance) for r in proposal.rows}
    assert by_household["H000"] == ("Một", 0)
    assert by_household["H001"] == ("Một", 0)
    assert by_household["H003"] == ("Năm", 0)
    assert by_household["H002"] == ("Hai", 1)
    assert proposal.uncovered == []


def test_load_is_balanced_between_members_of_one_village():
    proposal = propose(_households([4] * 6), [Member(1, "A", 4, 2, 10), Member(2, "B", 4, 0, 10)])
    assert proposal.loads_after == {1: 4, 2: 4}


def test_infeasible_cases_say_which_households_and_why():
    at_cap = propose(_households([1, 1, 2]), [Member(1, "A", 1, 9, 10)])
    assert len(at_cap.rows) == 1
    assert [(u.household_code, u.reason) for u in at_cap.uncovered] == [
        ("H001", AT_CAP),
        ("H002", AT_CAP),
    ]
    nobody = propose(_households([1, 2]), [])
    assert [u.reason for u in nobody.uncovered] == [NO_MEMBER, NO_MEMBER]


@settings(max_examples=40, deadline=None)
@given(
    villages=st.lists(st.integers(1, 6), max_size=40),
    members=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 5)), max_size=8),
    cap=st.integers(1, 6),
)
def test_every_household_is_covered_when_the_caps_allow(villages, members, cap):
    households = _households(villages)
    people = [Member(i, f"M{i}", v, min(load, cap), cap) for i, (v, load) in enumerate(members)]
    proposal = propose(households, people)
    free = sum(m.free for m in people)
    assert len(proposal.rows) == min(len(households), free)
    assert len(proposal.rows) + len(proposal.uncovered) == len(households)
    assert len({r.household_id for r in proposal.rows}) == len(proposal.rows)
    assert all(load <= cap for load in proposal.loads_after.values())


@pytest.mark.django_db
def test_proposal_for_a_commune_then_accepted_by_an_officer(tree, users):
    round_ = approve(
        make_round(
            tree.ngok_wang,
            2015,
            "vn-2011",
            {"P1": 100_000, "P2": 200_000, "P3": 300_000, "N1": 450_000, "R1": 900_000},
            village=tree.village_a,
        ),
        users.commune_officer,
    )
    assert round_.entries.count() == 5
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(
        program=program, commune=tree.ngok_wang, valid_from=date(2007, 1, 1)
    )
    NetworkRules.objects.create(program=program, max_households_per_party_member=2)
    net = network(tree)
    near = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    far = party_member("A Thuận", tree.ngok_wang, net.village_a2)
    proposal = proposal_for(scope=EVERYTHING, commune=tree.ngok_wang, year=2015)
    assert {r.household_code for r in proposal.rows} == {"P1", "P2", "P3", "N1"}
    assert proposal.uncovered == []
    assert sum(1 for r in proposal.rows if r.member_id == near.pk) == 2
    assert Assignment.objects.count() == 0  # nothing changes until accepted
    created = services.proposal_accept(
        commune=tree.ngok_wang,
        rows=[(r.household_id, r.member_id) for r in proposal.rows],
        start_date=date(2015, 12, 1),
        decision_number="7/QĐ-ĐU",
        actor=users.commune_officer,
    )
    assert len(created) == 4
    assert created[0].history.first().history_user == users.commune_officer
    report = coverage_report(scope=EVERYTHING, program=program, year=2015)
    assert report.totals["poor_households_with_party_member"].complete
    # Over the cap now: a fifth household for a full member is refused, nothing written.
    rich = Household.objects.get(code="R1")
    with pytest.raises(InvalidInput):
        services.proposal_accept(
            commune=tree.ngok_wang,
            rows=[(rich.pk, far.pk), (rich.pk, near.pk)],
            start_date=date(2016, 1, 1),
            actor=None,
        )
    assert Assignment.objects.filter(kind=AssignmentKind.MEMBER_HOUSEHOLD).count() == 4
