"""Work teams and their activities: recorded one by one, confirmed.

An import's new and edited activities are written set-based by `activity_import/write.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.twinning import rules
from ketnghia.twinning.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Organisation,
    Person,
    WorkTeam,
)
from ketnghia.twinning.services._common import ACTIVITIES, _period_problems, _refuse


@transaction.atomic
def work_team_create(
    *,
    name: str,
    organisation: Organisation,
    commune: Unit,
    start_date: date,
    end_date: date | None = None,
    members: Iterable[Person] = (),
    actor: Actor,
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
    actor: Actor,
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
    # The criteria's twinning facts count recorded activities (the indicators the confirmed).
    derived.inputs_changed(
        commune_ids=[activity.commune_id],
        years=[activity.date.year],
        source=ACTIVITIES,
        actor=actor,
    )
    return activity


@transaction.atomic
def activity_confirm(*, activity: Activity, actor: Actor) -> Activity:
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
        source=ACTIVITIES,
        actor=actor,
    )
    return activity
