"""Writes of the twinning network, each in one transaction with history; bad input writes nothing.

Refusals name the record and the rule it breaks: "Party member X → household H: at most 10
households per Party member (program rule)".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems, stored_version
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.twinning import rules
from ketnghia.twinning.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Assignment,
    AssignmentKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Twinning,
    WorkTeam,
)
from ketnghia.twinning.selectors import network_rules_for

ONE_DAY = timedelta(days=1)
# What Party members' household assignments are reported as to `core.derived` (coverage).
ASSIGNMENTS = "twinning.assignments"


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)


def _period_problems(record: str, start: date | None, end: date | None) -> list[Problem]:
    if not rules.period_problem(start, end):
        return []
    return [
        Problem(
            _("%(record)s: the end (%(end)s) lies before the start (%(start)s).")
            % {"record": record, "start": start, "end": end},
            Location(field="end_date"),
        )
    ]


def _current(queryset, start: date, end: date | None):
    """Rows of `queryset` whose period overlaps [start, end]."""
    condition = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        condition &= Q(start_date__lte=end)
    return queryset.filter(condition)


# --- organisations and people -----------------------------------------------------------


def _close_before(record: Twinning | Assignment, on: date, actor: Any, outside: str) -> date | None:
    """End `record` the day before `on` (a reassignment); return the end it had.

    `outside` is the refusal when `on` does not fall inside the record's period after its
    first day, with `%(record)s` and `%(on)s` placeholders.
    """
    if on <= record.start_date or (record.end_date is not None and on > record.end_date):
        raise InvalidInput(Problem(outside % {"record": record, "on": on}, Location(field="on")))
    end_date = record.end_date
    record.end_date = on - ONE_DAY
    save_by(record, actor, update_fields=["end_date"])
    return end_date


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    province: Unit,
    short_name: str = "",
    parent: Organisation | None = None,
    district: Unit | None = None,
    actor: Any,
) -> Organisation:
    """Create an organisation; a district office names its district."""
    problems: list[Problem] = []
    if kind not in OrganisationKind.values:
        problems.append(
            Problem(
                _("Unknown organisation kind “%(kind)s”.") % {"kind": kind}, Location(field="kind")
            )
        )
    if kind == OrganisationKind.DISTRICT_OFFICE and (
        district is None or district.level != UnitLevel.DISTRICT
    ):
        problems.append(
            Problem(
                _("%(name)s: a district office must name its district.") % {"name": name},
                Location(field="district"),
            )
        )
    if Organisation.objects.filter(name=name.strip()).exists():
        problems.append(
            Problem(
                _("An organisation named %(name)s already exists.") % {"name": name},
                Location(field="name"),
            )
        )
    _refuse(problems)
    organisation = Organisation(
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        province=province,
        parent=parent,
        district=district,
    )
    save_by(organisation, actor)
    return organisation


@transaction.atomic
def person_create(
    *,
    full_name: str,
    sex: str,
    ethnicity: str,
    role: str,
    active_from: date,
    birth_year: int | None = None,
    phone: str = "",
    organisation: Organisation | None = None,
    commune: Unit | None = None,
    village: Unit | None = None,
    active_to: date | None = None,
    file_code: str = "",
    actor: Any,
) -> Person:
    """Register a cadre (of an organisation) or a committee or Party member (of a commune).

    `file_code` is the code of its own an import file gave the person ("M1").
    """
    record = full_name.strip()
    problems = _period_problems(record, active_from, active_to)
    if role not in PersonRole.values:
        problems.append(
            Problem(_("Unknown role “%(role)s”.") % {"role": role}, Location(field="role"))
        )
    if role in (PersonRole.COMMITTEE_MEMBER, PersonRole.PARTY_MEMBER) and (
        commune is None or commune.level != UnitLevel.COMMUNE
    ):
        problems.append(
            Problem(
                _("%(record)s: a committee or Party member belongs to a commune.")
                % {"record": record},
                Location(field="commune"),
            )
        )
    if role == PersonRole.CADRE and organisation is None:
        problems.append(
            Problem(
                _("%(record)s: a cadre belongs to an organisation.") % {"record": record},
                Location(field="organisation"),
            )
        )
    if village is not None and (commune is None or village.parent_id != commune.pk):
        problems.append(
            Problem(
                _("%(record)s: village %(village)s is not in the person's commune.")
                % {"record": record, "village": village.name},
                Location(field="village"),
            )
        )
    _refuse(problems)
    person = Person(
        full_name=record,
        sex=sex,
        ethnicity=ethnicity,
        role=role,
        active_from=active_from,
        active_to=active_to,
        birth_year=birth_year,
        phone=phone.strip(),
        organisation=organisation,
        commune=commune,
        village=village,
        file_code=file_code.strip(),
    )
    save_by(person, actor)
    return person


# --- twinning (organisation → commune) --------------------------------------------------


def _twinning_problems(
    *,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None,
    exclude_pk: int | None = None,
) -> list[Problem]:
    record = _("%(organisation)s ↔ %(commune)s") % {
        "organisation": organisation,
        "commune": commune,
    }
    problems = _period_problems(record, start_date, end_date)
    if problems:
        return problems
    if commune.level != UnitLevel.COMMUNE:
        problems.append(
            Problem(
                _("%(record)s: a twinning unit is twinned with a commune.") % {"record": record},
                Location(field="commune"),
            )
        )
    if network_rules_for(commune).one_twinning_unit_per_commune:
        others = _current(Twinning.objects.filter(commune=commune), start_date, end_date)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        for other in others.select_related("organisation"):
            problems.append(
                Problem(
                    _(
                        "%(record)s: the program allows one twinning unit per commune at a "
                        "time, and %(other)s is twinned with it from %(start)s."
                    )
                    % {"record": record, "other": other.organisation, "start": other.start_date},
                    Location(field="start_date"),
                )
            )
    return problems


@transaction.atomic
def twinning_create(
    *,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None = None,
    decision: str = "",
    decision_date: date | None = None,
    actor: Any,
) -> Twinning:
    """Twin `organisation` with `commune` for a period, under the program's rules."""
    _refuse(
        _twinning_problems(
            organisation=organisation, commune=commune, start_date=start_date, end_date=end_date
        )
    )
    twinning = Twinning(
        organisation=organisation,
        commune=commune,
        start_date=start_date,
        end_date=end_date,
        decision=decision.strip(),
        decision_date=decision_date,
    )
    save_by(twinning, actor)
    return twinning


@transaction.atomic
def twinning_reassign(
    *,
    twinning: Twinning,
    organisation: Organisation,
    on: date,
    decision: str = "",
    decision_date: date | None = None,
    actor: Any,
) -> Twinning:
    """Close `twinning` the day before `on` and twin `organisation` with the commune from `on`."""
    twinning = Twinning.objects.select_for_update().get(pk=twinning.pk)
    end_date = _close_before(
        twinning,
        on,
        actor,
        _("%(record)s: a reassignment on %(on)s falls outside the twinning's period."),
    )
    return twinning_create(
        organisation=organisation,
        commune=twinning.commune,
        start_date=on,
        end_date=end_date,
        decision=decision,
        decision_date=decision_date,
        actor=actor,
    )


# --- assignments below the commune --------------------------------------------------------


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
            and organisation.district_id is not None
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
    actor: Any,
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
        commune=household.commune if household is not None else village.parent,
        start_date=start_date,
        end_date=end_date,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
    )
    save_by(assignment, actor)
    _coverage_changed(assignment)
    return assignment


def _coverage_changed(assignment: Assignment) -> None:
    """Refresh the indicators a Party member's household assignment moves (every year on)."""
    if assignment.kind == AssignmentKind.MEMBER_HOUSEHOLD:
        coverage_changed(commune_ids=[assignment.commune_id])


def coverage_changed(*, commune_ids: Iterable[int]) -> None:
    """Report that Party members' household assignments of `commune_ids` changed (every year
    on): what is derived from them (the indicators' coverage) is refreshed at commit. For the
    writes that bypass `assignment_create` (the bulk import)."""
    derived.inputs_changed(commune_ids=commune_ids, source=ASSIGNMENTS)


@transaction.atomic
def assignment_end(*, assignment: Assignment, end_date: date, actor: Any) -> Assignment:
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
    actor: Any,
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


# --- work teams and activities ----------------------------------------------------------


@transaction.atomic
def work_team_create(
    *,
    name: str,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None = None,
    members: Iterable[Person] = (),
    actor: Any,
) -> WorkTeam:
    """Form a work team of `organisation` for `commune`."""
    record = name.strip()
    problems = _period_problems(record, start_date, end_date)
    if commune.level != UnitLevel.COMMUNE:
        problems.append(
            Problem(
                _("%(record)s: a work team goes to a commune.") % {"record": record},
                Location(field="commune"),
            )
        )
    members = list(members)
    for member in members:
        if member.organisation_id != organisation.pk:
            problems.append(
                Problem(
                    _("%(record)s: %(member)s is not a cadre of %(organisation)s.")
                    % {"record": record, "member": member, "organisation": organisation},
                    Location(field="members"),
                )
            )
    _refuse(problems)
    team = WorkTeam(
        name=record,
        organisation=organisation,
        commune=commune,
        start_date=start_date,
        end_date=end_date,
    )
    save_by(team, actor)
    if members:
        team.members.set(members)
    return team


def activity_problems(
    *,
    team: WorkTeam,
    date: date,
    kind: str,
    village: Unit | None = None,
    participants: Iterable[Person] = (),
    reached_male: int = 0,
    reached_female: int = 0,
    reached_minority: int = 0,
    resources_vnd: int = 0,
    today: date | None = None,
    member_ids: set[int] | None = None,
) -> list[Problem]:
    """Return every rule the activity would break (empty when it may be recorded).

    `member_ids` (the team's members) saves a query per activity in a bulk check.
    """
    today = today or timezone.localdate()
    record = _("activity of %(team)s on %(date)s") % {"team": team, "date": date}
    problems: list[Problem] = []

    def refuse(message: str, field: str) -> None:
        problems.append(Problem(f"{record}: {message}", Location(field=field)))

    if kind not in ActivityKind.values:
        refuse(_("unknown kind of activity."), "kind")
    if date > today:
        refuse(_("an activity cannot be dated in the future."), "date")
    if not rules.active_on(team.start_date, team.end_date, date):
        refuse(_("the date lies outside the work team's period."), "date")
    if village is not None and village.parent_id != team.commune_id:
        refuse(_("the village is not in the team's commune."), "village")
    if member_ids is None:
        member_ids = set(team.members.values_list("pk", flat=True))
    for person in participants:
        if person.pk not in member_ids:
            refuse(
                _("%(person)s is not a member of the team.") % {"person": person}, "participants"
            )
    if min(reached_male, reached_female, reached_minority, resources_vnd) < 0:
        refuse(_("counts and amounts cannot be negative."), "reached_male")
    if reached_minority > reached_male + reached_female:
        refuse(_("more ethnic-minority people reached than people reached."), "reached_minority")
    return problems


@transaction.atomic
def activity_record(
    *,
    team: WorkTeam,
    date: date,
    kind: str,
    village: Unit | None = None,
    participants: Iterable[Person] = (),
    reached_male: int = 0,
    reached_female: int = 0,
    reached_minority: int = 0,
    resources_vnd: int = 0,
    resources_in_kind: str = "",
    notes: str = "",
    source: str = "",
    actor: Any,
    today: date | None = None,
    member_ids: set[int] | None = None,
    history_reason: str = "",
) -> Activity:
    """Record what `team` did on `date`; refused in the future or outside the team's period.

    `source` names the field submission it came from (an import's instance id).
    """
    participants = list(participants)
    _refuse(
        activity_problems(
            team=team,
            date=date,
            kind=kind,
            village=village,
            participants=participants,
            reached_male=reached_male,
            reached_female=reached_female,
            reached_minority=reached_minority,
            resources_vnd=resources_vnd,
            today=today,
            member_ids=member_ids,
        )
    )
    activity = Activity(
        team=team,
        date=date,
        commune=team.commune,
        village=village,
        kind=kind,
        reached_male=reached_male,
        reached_female=reached_female,
        reached_minority=reached_minority,
        resources_vnd=resources_vnd,
        resources_in_kind=resources_in_kind.strip(),
        notes=notes.strip(),
        source=source.strip(),
    )
    if history_reason:
        activity._change_reason = history_reason[:100]  # type: ignore[attr-defined]
    save_by(activity, actor)
    if participants:
        activity.participants.set(participants)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    date: date,
    kind: str,
    village: Unit | None = None,
    participants: Iterable[Person] = (),
    reached_male: int = 0,
    reached_female: int = 0,
    reached_minority: int = 0,
    resources_vnd: int = 0,
    resources_in_kind: str = "",
    notes: str = "",
    source: str | None = None,
    actor: Any,
    today: date | None = None,
    member_ids: set[int] | None = None,
    history_reason: str = "",
) -> Activity:
    """Apply an edited report (a reviewer's edit of its submission) to a recorded activity.

    The team stays; the rules of `activity_record` are checked again. A confirmed activity is
    what the commune confirmed: a change of its content is refused, so the commune confirms
    what it sees (only `source`, the submission's newer id, may still change).
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    participants = list(participants)
    content = {
        "date": date,
        "kind": kind,
        "village_id": village.pk if village else None,
        "reached_male": reached_male,
        "reached_female": reached_female,
        "reached_minority": reached_minority,
        "resources_vnd": resources_vnd,
        "resources_in_kind": resources_in_kind.strip(),
        "notes": notes.strip(),
    }
    changes = any(getattr(activity, name) != value for name, value in content.items()) or (
        {p.pk for p in participants} != set(activity.participants.values_list("pk", flat=True))
    )
    if changes and activity.status == ActivityStatus.CONFIRMED:
        _refuse(
            [
                Problem(
                    _(
                        "%(activity)s of %(team)s was confirmed by the commune; it is not "
                        "changed by an edited report."
                    )
                    % {"activity": activity, "team": activity.team}
                )
            ]
        )
    if history_reason:
        activity._change_reason = history_reason[:100]  # type: ignore[attr-defined]
    if not changes:
        # The same report under a newer id: only the id it is known by changes.
        if source is not None and source.strip() != activity.source:
            activity.source = source.strip()
            save_by(activity, actor, update_fields=["source"])
        return activity
    _refuse(
        activity_problems(
            team=activity.team,
            date=date,
            kind=kind,
            village=village,
            participants=participants,
            reached_male=reached_male,
            reached_female=reached_female,
            reached_minority=reached_minority,
            resources_vnd=resources_vnd,
            today=today,
            member_ids=member_ids,
        )
    )
    years = {activity.date.year, date.year}
    activity.date = date
    activity.kind = kind
    activity.village = village
    activity.reached_male = reached_male
    activity.reached_female = reached_female
    activity.reached_minority = reached_minority
    activity.resources_vnd = resources_vnd
    activity.resources_in_kind = resources_in_kind.strip()
    activity.notes = notes.strip()
    if source is not None:
        activity.source = source.strip()
    save_by(activity, actor)
    activity.participants.set(participants)
    derived.inputs_changed(commune_ids=[activity.commune_id], years=sorted(years))
    return activity


@transaction.atomic
def activity_confirm(*, activity: Activity, actor: Any) -> Activity:
    """Mark an activity confirmed by the commune, naming who confirmed it."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ActivityStatus.CONFIRMED:
        return activity
    activity.status = ActivityStatus.CONFIRMED
    activity.confirmed_by = actor
    activity.confirmed_at = timezone.now()
    save_by(activity, actor, update_fields=["status", "confirmed_by", "confirmed_at"])
    derived.inputs_changed(
        commune_ids=[activity.commune_id],
        years=[activity.date.year],
        source="twinning.activities",
        actor=actor,
    )
    return activity


@transaction.atomic
def proposal_accept(
    *,
    commune: Unit,
    rows: Iterable[tuple[int, int]],
    start_date: date,
    decision_number: str = "",
    decision_date: date | None = None,
    actor: Any,
) -> list[Assignment]:
    """Write the accepted proposal rows (household id, Party member id) as assignments.

    All or nothing: one refused row refuses the whole acceptance, every problem listed.
    """
    rows = list(rows)
    households = Household.objects.filter(
        commune=commune, pk__in=[h for h, _ in rows]
    ).select_related("commune", "village")
    people = Person.objects.filter(pk__in=[p for _, p in rows]).select_related("commune")
    households_by_id = {h.pk: h for h in households}
    people_by_id = {p.pk: p for p in people}
    created: list[Assignment] = []
    problems: list[Problem] = []
    # Each row reports its commune; the transaction refreshes them once, at its commit.
    _accept_rows(
        rows,
        households_by_id,
        people_by_id,
        start_date,
        decision_number,
        decision_date,
        actor,
        created,
        problems,
    )
    _refuse(problems)
    return created


def _accept_rows(
    rows: list[tuple[int, int]],
    households_by_id: dict[int, Household],
    people_by_id: dict[int, Person],
    start_date: date,
    decision_number: str,
    decision_date: date | None,
    actor: Any,
    created: list[Assignment],
    problems: list[Problem],
) -> None:
    for index, (household_id, person_id) in enumerate(rows, start=1):
        household = households_by_id.get(household_id)
        person = people_by_id.get(person_id)
        if household is None or person is None:
            problems.append(
                Problem(
                    _("Row %(row)s: the household or the Party member is not of this commune.")
                    % {"row": index},
                    Location(row=index),
                )
            )
            continue
        try:
            created.append(
                assignment_create(
                    kind=AssignmentKind.MEMBER_HOUSEHOLD,
                    person=person,
                    household=household,
                    start_date=start_date,
                    decision_number=decision_number,
                    decision_date=decision_date,
                    actor=actor,
                )
            )
        except InvalidInput as error:
            problems.extend(
                Problem(p.message, Location(row=index, field=p.location.field))
                for p in error.problems
            )


# --- The admin's writes: inside what the acting user administers ----------------------


def _province_path(organisation: Organisation | None) -> str | None:
    return organisation.province.path if organisation and organisation.province_id else None


def organisation_write_problems(*, organisation: Organisation, actor: Any) -> list[Problem]:
    """Return why `actor` may not write `organisation`: its province, before and after."""
    paths = [("province", _province_path(organisation))]
    stored = stored_version(organisation)
    if isinstance(stored, Organisation):
        paths.append(("province", _province_path(stored)))
    return administer_problems(actor=actor, paths=paths)


@transaction.atomic
def organisation_save(*, organisation: Organisation, actor: Any) -> Organisation:
    """Save an organisation of a province the actor administers; history kept."""
    if problems := organisation_write_problems(organisation=organisation, actor=actor):
        raise InvalidInput(problems)
    save_by(organisation, actor)
    return organisation


def twinning_write_problems(*, twinning: Twinning, actor: Any) -> list[Problem]:
    """Return why `actor` may not write `twinning`: its organisation's province and its commune.

    Both must lie inside what the actor administers, as they were and as they become: a
    province administrator cannot twin an organisation with a commune of another province.
    """
    paths = [
        (
            "organisation",
            _province_path(twinning.organisation) if twinning.organisation_id else None,
        ),
        ("commune", twinning.commune.path if twinning.commune_id else None),
    ]
    stored = stored_version(twinning)
    if isinstance(stored, Twinning):
        paths += [
            ("organisation", _province_path(stored.organisation)),
            ("commune", stored.commune.path),
        ]
    problems = administer_problems(actor=actor, paths=paths)
    if problems or not (twinning.organisation_id and twinning.commune_id and twinning.start_date):
        return problems
    # The admin writes under the program's rules too, as `twinning_create` does.
    return _twinning_problems(
        organisation=twinning.organisation,
        commune=twinning.commune,
        start_date=twinning.start_date,
        end_date=twinning.end_date,
        exclude_pk=twinning.pk,
    )


@transaction.atomic
def twinning_save(*, twinning: Twinning, actor: Any) -> Twinning:
    """Save a twinning of the actor's province (organisation and commune); history kept."""
    if problems := twinning_write_problems(twinning=twinning, actor=actor):
        raise InvalidInput(problems)
    save_by(twinning, actor)
    return twinning
