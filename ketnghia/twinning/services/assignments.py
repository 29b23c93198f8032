"""Assignments below the commune (committee members → villages, offices → villages, Party members → households); what they change is reported to `core.derived`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.twinning import rules
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
)
from ketnghia.twinning.selectors import network_rules_for
from ketnghia.twinning.services._common import (
    ASSIGNMENTS,
    _close_before,
    _current,
    _period_problems,
    _refuse,
)


def _describe(kind: str, responsible: object, target: object) -> str:
    return _("%(kind)s %(responsible)s → %(target)s") % {
        "kind": AssignmentKind(kind).label,
        "responsible": responsible,
        "target": target,
    }


def assignment_problems(
    *,
    kind: str,
    organisation: Organisation | None,
    person: Person | None,
    village: Unit | None,
    household: Household | None,
    start_date: date,
    end_date: date | None,
    exclude_pk: int | None = None,
) -> list[Problem]:
    """Return every rule the assignment would break (empty when it may be written)."""
    responsible = organisation if organisation is not None else person
    target = household if household is not None else village
    record = _describe(kind, responsible, target)
    problems = _period_problems(record, start_date, end_date)
    if problems:
        return problems

    def refuse(message: str, field: str) -> None:
        problems.append(Problem(f"{record}: {message}", Location(field=field)))

    if kind == AssignmentKind.OFFICE_VILLAGE:
        if organisation is None or organisation.kind != OrganisationKind.DISTRICT_OFFICE:
            refuse(_("a village is assigned to a district office."), "organisation")
        if village is None or village.level != UnitLevel.VILLAGE:
            refuse(_("a district office is assigned a village."), "village")
        elif (
            organisation is not None
            and organisation.district is not None
            and not village.path.startswith(organisation.district.path)
        ):
            refuse(_("the village lies outside the office's district."), "village")
    elif kind == AssignmentKind.COMMITTEE_VILLAGE:
        if person is None or person.role != PersonRole.COMMITTEE_MEMBER:
            refuse(_("a village is assigned to a commune Party committee member."), "person")
        if village is None or village.level != UnitLevel.VILLAGE:
            refuse(_("a committee member is assigned a village."), "village")
        elif (
            person is not None
            and village.parent is not None
            and network_rules_for(village.parent).committee_member_village_in_commune
            and village.parent_id != person.commune_id
        ):
            refuse(
                _("the program requires a committee member's village to lie in their commune."),
                "village",
            )
    elif kind == AssignmentKind.MEMBER_HOUSEHOLD:
        if person is None or person.role != PersonRole.PARTY_MEMBER:
            refuse(_("a household is assigned to a Party member."), "person")
        if household is None:
            refuse(_("a Party member is assigned a household."), "household")
        else:
            program_rules = network_rules_for(household.commune)
            if (
                person is not None
                and program_rules.party_member_household_in_commune
                and household.commune_id != person.commune_id
            ):
                refuse(
                    _("the program requires a Party member's household to lie in their commune."),
                    "household",
                )
            others = _current(
                Assignment.objects.filter(kind=kind, household=household), start_date, end_date
            )
            if exclude_pk is not None:
                others = others.exclude(pk=exclude_pk)
            for other in others.select_related("person"):
                refuse(
                    _(
                        "one Party member is in charge of a household at a time; %(other)s is from %(start)s."
                    )
                    % {"other": other.person, "start": other.start_date},
                    "household",
                )
            if person is not None:
                load = _current(
                    Assignment.objects.filter(kind=kind, person=person), start_date, end_date
                )
                if exclude_pk is not None:
                    load = load.exclude(pk=exclude_pk)
                cap = program_rules.max_households_per_party_member
                if rules.load_exceeds_cap(load.count(), cap):
                    refuse(
                        _("the program allows at most %(cap)s households per Party member.")
                        % {"cap": cap},
                        "person",
                    )
    else:
        refuse(_("unknown assignment kind."), "kind")
    if kind in (AssignmentKind.OFFICE_VILLAGE, AssignmentKind.COMMITTEE_VILLAGE) and village:
        others = _current(
            Assignment.objects.filter(
                kind=kind, village=village, organisation=organisation, person=person
            ),
            start_date,
            end_date,
        )
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            refuse(_("the same assignment already covers part of this period."), "start_date")
    return problems


@transaction.atomic
def assignment_create(
    *,
    kind: str,
    start_date: date,
    organisation: Organisation | None = None,
    person: Person | None = None,
    village: Unit | None = None,
    household: Household | None = None,
    end_date: date | None = None,
    decision_number: str = "",
    decision_date: date | None = None,
    actor: Actor,
) -> Assignment:
    """Put an office or person in charge of a village or household for a period."""
    _refuse(
        assignment_problems(
            kind=kind,
            organisation=organisation,
            person=person,
            village=village,
            household=household,
            start_date=start_date,
            end_date=end_date,
        )
    )
    assignment = Assignment(
        kind=kind,
        organisation=organisation,
        person=person,
        village=village,
        household=household,
        commune=household.commune if household is not None else village and village.parent,
        start_date=start_date,
        end_date=end_date,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
    )
    save_by(assignment, actor)
    _coverage_changed(assignment)
    return assignment


def _coverage_changed(assignment: Assignment) -> None:
    """Refresh what an assignment moves, every year on: a Party member's household assignment
    the indicators' coverage, every kind the criteria's twinning facts (who is in charge)."""
    coverage_changed(commune_ids=[assignment.commune_id])


def coverage_changed(*, commune_ids: Iterable[int]) -> None:
    """Report that Party members' household assignments of `commune_ids` changed (every year
    on): what is derived from them (the indicators' coverage) is refreshed at commit. For the
    writes that bypass `assignment_create` (the bulk import)."""
    derived.inputs_changed(commune_ids=commune_ids, source=ASSIGNMENTS)


@transaction.atomic
def assignment_end(*, assignment: Assignment, end_date: date, actor: Actor) -> Assignment:
    """Close an assignment on `end_date` (its last day)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _refuse(_period_problems(str(assignment), assignment.start_date, end_date))
    assignment.end_date = end_date
    save_by(assignment, actor, update_fields=["end_date"])
    _coverage_changed(assignment)
    return assignment


@transaction.atomic
def assignment_reassign(
    *,
    assignment: Assignment,
    on: date,
    organisation: Organisation | None = None,
    person: Person | None = None,
    decision_number: str = "",
    decision_date: date | None = None,
    actor: Actor,
) -> Assignment:
    """Close `assignment` the day before `on`; open the same unit's assignment to someone else."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    end_date = _close_before(
        assignment,
        on,
        actor,
        _("%(record)s: a reassignment on %(on)s falls outside the assignment's period."),
    )
    return assignment_create(
        kind=assignment.kind,
        organisation=organisation,
        person=person,
        village=assignment.village,
        household=assignment.household,
        start_date=on,
        end_date=end_date,
        decision_number=decision_number,
        decision_date=decision_date,
        actor=actor,
    )
