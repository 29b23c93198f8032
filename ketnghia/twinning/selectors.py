"""Reads of the twinning network, always through the scoping gate's `UnitScope`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ketnghia.core import gate
from ketnghia.core.errors import NotFound
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import ProgramCommune
from ketnghia.twinning import rules
from ketnghia.twinning.models import (
    Activity,
    Assignment,
    AssignmentKind,
    NetworkRules,
    Person,
    Twinning,
    WorkTeam,
)


def network_rules_for(commune: Unit) -> rules.NetworkRules:
    """Return the network rules `commune` must keep: the strictest of its programs' rules."""
    program_ids = ProgramCommune.objects.filter(commune=commune).values("program_id")
    stored = NetworkRules.objects.filter(program_id__in=program_ids)
    return rules.NetworkRules.strictest(
        [
            rules.NetworkRules(
                one_twinning_unit_per_commune=r.one_twinning_unit_per_commune,
                max_households_per_party_member=r.max_households_per_party_member,
                committee_member_village_in_commune=r.committee_member_village_in_commune,
                party_member_household_in_commune=r.party_member_household_in_commune,
            )
            for r in stored
        ]
    )


def on_date(on: date) -> Q:
    """Filter for rows (start_date, end_date) whose period contains `on`."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def twinned_commune_paths(user: Any, on: date) -> frozenset[str]:
    """Return the paths of the communes `user`'s organisation is twinned with on `on`.

    The gate's scope of a twinning-unit member (registered in `TwinningConfig.ready`); none
    without an organisation.
    """
    if user.organisation_id is None:
        return frozenset()
    current = Twinning.objects.filter(on_date(on), organisation_id=user.organisation_id)
    return frozenset(current.values_list("commune__path", flat=True))


def person_list_for(*, scope: UnitScope, commune: Unit | None = None) -> QuerySet[Person]:
    """Return the people inside `scope` (of one commune when given)."""
    people = scope.filter(
        Person.objects.select_related("village", "commune", "organisation"), "unit_path"
    )
    if commune is not None:
        people = people.filter(commune=commune)
    return people


def person_get_for(*, scope: UnitScope, pk: int) -> Person:
    """Return one person inside `scope`; NotFound for missing and forbidden alike."""
    person = person_list_for(scope=scope).filter(pk=pk).first()
    if person is None:
        raise NotFound(_("Person not found."))
    return person


def commune_get_for(*, scope: UnitScope, code: str) -> Unit:
    """Return the commune with `code` inside `scope`; NotFound otherwise."""
    commune = scope.filter(Unit.objects.filter(code=code, level=UnitLevel.COMMUNE)).first()
    if commune is None:
        raise NotFound(_("Commune %(code)s not found.") % {"code": code})
    return commune


@dataclass
class InCharge:
    """Who answered for a unit (or household) on one day, from the twinning unit down."""

    on: date
    twinnings: list[Twinning] = field(default_factory=list)
    offices: list[Assignment] = field(default_factory=list)
    committee_members: list[Assignment] = field(default_factory=list)
    party_member: Assignment | None = None

    @property
    def party_member_name(self) -> str:
        person = self.party_member.person if self.party_member else None
        return person.full_name if person else ""


def in_charge_on(
    *,
    scope: UnitScope,
    on: date,
    household: Household | None = None,
    village: Unit | None = None,
    commune: Unit | None = None,
) -> InCharge:
    """Return who was in charge of household X, village V or commune C on `on`.

    A household's answer carries its Party member, its village's office and committee member,
    and its commune's twinning unit; a village's its office, committee member and twinning
    unit; a commune's its twinning unit(s). Outside `scope`: NotFound.
    """
    if household is not None:
        path = household.unit_path
        village = household.village
        commune = household.commune
    elif village is not None:
        path = village.path
        commune = village.parent
    elif commune is not None:
        path = commune.path
    else:
        raise ValueError("name a household, a village or a commune")
    if not scope.contains_path(path):
        raise NotFound(_("Not found."))
    answer = InCharge(on=on)
    answer.twinnings = list(
        Twinning.objects.filter(on_date(on), commune=commune).select_related("organisation")
    )
    # One query for the village's and the household's assignments together.
    below = Q(pk__in=[])
    if village is not None:
        below |= Q(village=village, household__isnull=True)
    if household is not None:
        below |= Q(household=household)
    current = Assignment.objects.filter(below, on_date(on)).select_related("organisation", "person")
    for assignment in current.order_by("start_date", "pk"):
        if assignment.kind == AssignmentKind.OFFICE_VILLAGE:
            answer.offices.append(assignment)
        elif assignment.kind == AssignmentKind.COMMITTEE_VILLAGE:
            answer.committee_members.append(assignment)
        elif answer.party_member is None:
            answer.party_member = assignment
    return answer


def twinning_history(*, scope: UnitScope, commune: Unit) -> QuerySet[Twinning]:
    """Return every twinning of `commune` (inside `scope`), oldest first."""
    return scope.filter(
        Twinning.objects.filter(commune=commune).select_related("organisation"), "commune__path"
    ).order_by("start_date")


def assignment_list_for(
    *, scope: UnitScope, commune: Unit, on: date | None = None, kind: str | None = None
) -> QuerySet[Assignment]:
    """Return the commune's assignments inside `scope` (those in force on `on` when given)."""
    rows = scope.filter(
        Assignment.objects.filter(commune=commune).select_related(
            "organisation", "person", "village", "household"
        ),
        "unit_path",
    )
    if on is not None:
        rows = rows.filter(on_date(on))
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows


def work_team_list_for(*, scope: UnitScope, commune: Unit | None = None) -> QuerySet[WorkTeam]:
    teams = scope.filter(WorkTeam.objects.select_related("organisation", "commune"), "unit_path")
    return teams.filter(commune=commune) if commune is not None else teams


def activity_list_for(*, scope: UnitScope, commune: Unit | None = None) -> QuerySet[Activity]:
    rows = scope.filter(
        Activity.objects.select_related("team", "team__organisation", "village", "commune"),
        "unit_path",
    )
    return rows.filter(commune=commune) if commune is not None else rows


__all__ = ["EVERYTHING", "InCharge", "in_charge_on", "network_rules_for"]


def teams_user_may_record_for(
    *,
    user: object,
    scope: UnitScope | None = None,
    on: date | None = None,
    communes: list[Unit] | None = None,
) -> list[WorkTeam]:
    """Return the work teams `user` may record activities of: the one rule of the gate's
    `activities.record` action.

    An officer who may edit a commune records for any of its teams; a twinning-unit member for
    the teams of their own organisation in the communes they see (`scope`: what the user
    views, by default). `on` keeps the teams working that day (any period otherwise). No
    user (the CLI without --actor) records for every team.
    """
    teams = WorkTeam.objects.select_related("commune", "organisation").prefetch_related("members")
    if user is not None:
        teams = work_team_list_for(
            scope=scope if scope is not None else gate.scope_for(user, gate.Action.VIEW)
        ).prefetch_related("members")
    if on is not None:
        teams = teams.filter(on_date(on))
    if communes is not None:
        teams = teams.filter(commune__in=communes)
    teams = teams.order_by("commune__path", "name")
    if user is None:
        return list(teams)
    edit = gate.scope_for(user, gate.Action.EDIT)
    organisation_id = getattr(user, "organisation_id", None)
    return [
        team
        for team in teams
        if edit.contains_path(team.commune.path)
        or (organisation_id is not None and team.organisation_id == organisation_id)
    ]
