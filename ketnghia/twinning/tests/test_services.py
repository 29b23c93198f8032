"""Assignments over time: who was in charge on a date, reassignments, and refusals of bad input."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    NetworkRules,
    OrganisationKind,
    Twinning,
)
from ketnghia.twinning.selectors import in_charge_on
from ketnghia.twinning.tests.network import committee_member, household, network, party_member

pytestmark = pytest.mark.django_db


def _program(tree, cap: int = 2) -> Program:
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    for commune in (tree.ngok_wang, tree.dak_mar, tree.dak_choong):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    NetworkRules.objects.create(program=program, max_households_per_party_member=cap)
    return program


def _messages(error: pytest.ExceptionInfo) -> str:
    return " | ".join(str(p) for p in error.value.problems)


def test_who_was_in_charge_of_a_household_through_a_reassignment(tree):
    net = network(tree)
    a = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    b = party_member("A Thuận", tree.ngok_wang, tree.village_a)
    home = household(tree.ngok_wang, "H1", tree.village_a)
    first = services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=a,
        household=home,
        start_date=date(2008, 3, 1),
        decision_number="12/QĐ-ĐU",
        decision_date=date(2008, 2, 20),
        actor=None,
    )
    second = services.assignment_reassign(
        assignment=first, on=date(2012, 1, 1), person=b, decision_number="3/QĐ-ĐU", actor=None
    )
    first.refresh_from_db()
    assert first.end_date == date(2011, 12, 31)
    assert second.start_date == date(2012, 1, 1) and second.end_date is None
    services.twinning_create(
        organisation=net.agency, commune=tree.ngok_wang, start_date=date(2007, 6, 1), actor=None
    )
    on_2010 = in_charge_on(scope=EVERYTHING, on=date(2010, 5, 5), household=home)
    on_2012 = in_charge_on(scope=EVERYTHING, on=date(2012, 1, 1), household=home)
    before = in_charge_on(scope=EVERYTHING, on=date(2008, 2, 29), household=home)
    assert on_2010.party_member_name == "Y Blong"
    assert on_2012.party_member_name == "A Thuận"
    assert before.party_member is None
    assert [t.organisation for t in on_2012.twinnings] == [net.agency]
    # The closing and the opening are both in the history.
    assert first.history.count() == 2


def test_who_was_in_charge_of_a_village_and_outside_the_scope(tree):
    net = network(tree)
    member = committee_member("Y Hoa", tree.ngok_wang)
    services.assignment_create(
        kind=AssignmentKind.OFFICE_VILLAGE,
        organisation=net.office,
        village=tree.village_a,
        start_date=date(2009, 1, 1),
        end_date=date(2014, 12, 31),
        actor=None,
    )
    services.assignment_create(
        kind=AssignmentKind.COMMITTEE_VILLAGE,
        person=member,
        village=tree.village_a,
        start_date=date(2010, 1, 1),
        actor=None,
    )
    answer = in_charge_on(scope=EVERYTHING, on=date(2012, 6, 1), village=tree.village_a)
    assert [a.organisation for a in answer.offices] == [net.office]
    assert [a.person for a in answer.committee_members] == [member]
    later = in_charge_on(scope=EVERYTHING, on=date(2015, 6, 1), village=tree.village_a)
    assert later.offices == [] and [a.person for a in later.committee_members] == [member]
    with pytest.raises(NotFound):
        in_charge_on(
            scope=UnitScope(paths=frozenset({tree.dak_choong.path})),
            on=date(2012, 6, 1),
            village=tree.village_a,
        )


def test_twinning_reassignment_keeps_one_unit_per_commune(tree):
    _program(tree)
    net = network(tree)
    other = services.organisation_create(
        name="Bộ Chỉ huy Quân sự tỉnh",
        kind=OrganisationKind.ARMED_FORCES,
        province=tree.province,
        actor=None,
    )
    first = services.twinning_create(
        organisation=net.agency, commune=tree.ngok_wang, start_date=date(2007, 6, 1), actor=None
    )
    with pytest.raises(InvalidInput) as refused:
        services.twinning_create(
            organisation=other, commune=tree.ngok_wang, start_date=date(2010, 1, 1), actor=None
        )
    assert "one twinning unit per commune" in _messages(refused)
    assert "Sở Y tế tỉnh Kon Tum" in _messages(refused)
    services.twinning_reassign(
        twinning=first, organisation=other, on=date(2011, 1, 1), decision="5-QĐ/TU", actor=None
    )
    assert [
        (t.organisation.name, t.start_date, t.end_date)
        for t in Twinning.objects.filter(commune=tree.ngok_wang).order_by("start_date")
    ] == [
        ("Sở Y tế tỉnh Kon Tum", date(2007, 6, 1), date(2010, 12, 31)),
        ("Bộ Chỉ huy Quân sự tỉnh", date(2011, 1, 1), None),
    ]
    on_2010 = in_charge_on(scope=EVERYTHING, on=date(2010, 12, 31), commune=tree.ngok_wang)
    assert [t.organisation for t in on_2010.twinnings] == [net.agency]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("end_before_start", "lies before the start"),
        ("committee_outside_commune", "committee member's village to lie in their commune"),
        ("household_of_other_commune", "Party member's household to lie in their commune"),
        ("over_cap", "at most 2 households per Party member"),
        ("household_taken", "one Party member is in charge of a household at a time"),
        ("office_outside_district", "outside the office's district"),
    ],
)
def test_bad_assignments_are_refused_with_record_and_rule_and_write_nothing(tree, case, expected):
    _program(tree, cap=2)
    net = network(tree)
    member = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    other = party_member("A Thuận", tree.ngok_wang, tree.village_a)
    homes = [household(tree.ngok_wang, f"H{i}", tree.village_a) for i in range(3)]
    for home in homes[:2]:
        services.assignment_create(
            kind=AssignmentKind.MEMBER_HOUSEHOLD,
            person=member,
            household=home,
            start_date=date(2010, 1, 1),
            actor=None,
        )
    before = Assignment.objects.count()
    kwargs: dict = {"start_date": date(2012, 1, 1), "actor": None}
    if case == "end_before_start":
        kwargs |= {
            "kind": AssignmentKind.MEMBER_HOUSEHOLD,
            "person": other,
            "household": homes[2],
            "end_date": date(2011, 1, 1),
        }
    elif case == "committee_outside_commune":
        kwargs |= {
            "kind": AssignmentKind.COMMITTEE_VILLAGE,
            "person": committee_member("Y Hoa", tree.ngok_wang),
            "village": tree.village_b,
        }
    elif case == "household_of_other_commune":
        kwargs |= {
            "kind": AssignmentKind.MEMBER_HOUSEHOLD,
            "person": other,
            "household": household(tree.dak_mar, "M1", tree.village_b),
        }
    elif case == "over_cap":
        kwargs |= {"kind": AssignmentKind.MEMBER_HOUSEHOLD, "person": member, "household": homes[2]}
    elif case == "household_taken":
        kwargs |= {"kind": AssignmentKind.MEMBER_HOUSEHOLD, "person": other, "household": homes[0]}
    elif case == "office_outside_district":
        kwargs |= {
            "kind": AssignmentKind.OFFICE_VILLAGE,
            "organisation": net.office,
            "village": tree.village_c,
        }
    with pytest.raises(InvalidInput) as refused:
        services.assignment_create(**kwargs)
    assert expected in _messages(refused)
    assert Assignment.objects.count() == before


def test_a_failed_reassignment_keeps_the_old_assignment_open(tree):
    _program(tree, cap=1)
    member = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    busy = party_member("A Thuận", tree.ngok_wang, tree.village_a)
    homes = [household(tree.ngok_wang, f"H{i}", tree.village_a) for i in range(2)]
    first = services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=member,
        household=homes[0],
        start_date=date(2010, 1, 1),
        actor=None,
    )
    services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=busy,
        household=homes[1],
        start_date=date(2010, 1, 1),
        actor=None,
    )
    with pytest.raises(InvalidInput):
        services.assignment_reassign(assignment=first, on=date(2013, 1, 1), person=busy, actor=None)
    first.refresh_from_db()
    assert first.end_date is None
    assert Assignment.objects.count() == 2


def test_person_unit_path_follows_village_commune_or_organisation(tree):
    net = network(tree)
    member = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    assert member.unit_path == tree.village_a.path
    cadre = services.person_create(
        full_name="Trần Văn Bình",
        sex="male",
        ethnicity="01",
        role="cadre",
        active_from=date(2007, 1, 1),
        organisation=net.office,
        actor=None,
    )
    assert cadre.unit_path == tree.dak_ha.path
    with pytest.raises(InvalidInput) as refused:
        party_member("Lạc chỗ", tree.ngok_wang, tree.village_b)
    assert "not in the person's commune" in _messages(refused)
