"""A work team's visit report as an XLSForm (ODK Central, KoBoToolbox), per team or organisation.

The form for one team records the team and its commune in every submission (calculated);
the form for an organisation asks which of its teams, and takes the commune from the team.
Villages are filtered by the commune, participants by the team. Labels are Vietnamese first
with English beside them, through the form helpers of `imports.xlsform`. The CSV export
of its submissions comes back through `activity_import.pipeline`.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports import xlsform as form
from ketnghia.imports.xlsform import choice, fixed, named, row
from ketnghia.twinning.activity_import import columns as cols
from ketnghia.twinning.models import ActivityKind, WorkTeam


def team_choice(team: WorkTeam) -> str:
    """Return the choice name of a team in the form ("t12"; a participant's is "p34"), read
    back by the import."""
    return f"t{team.pk}"


def _in_each_language(label: Any) -> dict[str, str]:
    """Return a model's lazy label (a kind's) in each form language, by the language's name."""
    texts = {}
    for code, language in form.LANGUAGES:
        with translation.override(code):
            texts[language] = str(label)
    return texts


def _count(name: str, label: str, **extra: object) -> dict:
    extra.setdefault("constraint", ". >= 0")
    extra.setdefault("constraint_message", gettext_noop("A count cannot be negative."))
    return row("integer", name, label, required="yes", default="0", **extra)


def _survey(teams: list[WorkTeam], single: bool) -> list[dict]:
    if single:
        team = teams[0]
        rows = [fixed(cols.TEAM.key, team_choice(team)), fixed(cols.COMMUNE.key, team.commune.code)]
    else:
        rows = [
            row("select_one teams", cols.TEAM.key, gettext_noop("Work team"), required="yes"),
            row(
                "calculate",
                cols.COMMUNE.key,
                calculation=f"instance('teams')/root/item[name=${{{cols.TEAM.key}}}]/commune",
            ),
        ]
    return form.group(
        cols.GROUP,
        gettext_noop("Activity report"),
        [
            *rows,
            row(
                "date",
                cols.DATE.key,
                gettext_noop("Date"),
                required="yes",
                constraint=". <= today()",
                constraint_message=gettext_noop("An activity cannot be dated in the future."),
            ),
            row(
                "select_one villages",
                cols.VILLAGE.key,
                gettext_noop("Village"),
                hint=gettext_noop("Leave empty when the activity concerned the whole commune."),
                choice_filter=f"commune=${{{cols.COMMUNE.key}}}",
            ),
            row("select_one kinds", cols.KIND.key, gettext_noop("Kind"), required="yes"),
            row(
                "select_multiple members",
                cols.PARTICIPANTS.key,
                gettext_noop("Participants from the team"),
                choice_filter=f"team=${{{cols.TEAM.key}}}",
            ),
            _count(cols.REACHED_MALE.key, gettext_noop("People reached, men")),
            _count(cols.REACHED_FEMALE.key, gettext_noop("People reached, women")),
            row(
                "calculate",
                cols.REACHED_TOTAL.key,
                calculation=f"${{{cols.REACHED_MALE.key}}} + ${{{cols.REACHED_FEMALE.key}}}",
            ),
            _count(
                cols.REACHED_MINORITY.key,
                gettext_noop("People reached, ethnic minorities"),
                constraint=f". >= 0 and . <= ${{{cols.REACHED_TOTAL.key}}}",
                constraint_message=gettext_noop(
                    "Between 0 and the number of men and women reached."
                ),
            ),
            row(
                "decimal",
                cols.RESOURCES_VND.key,
                gettext_noop("Resources mobilised (VND)"),
                required="yes",
                default="0",
                constraint=". >= 0 and . = int(.)",
                constraint_message=gettext_noop("A whole number of dong, not negative."),
            ),
            row("text", cols.RESOURCES_IN_KIND.key, gettext_noop("Resources in kind")),
            row("text", cols.NOTES.key, gettext_noop("Notes"), appearance="multiline"),
            row("image", cols.PHOTO.key, gettext_noop("Photo")),
        ],
    )


def _choices(teams: list[WorkTeam], single: bool) -> list[dict]:
    choices = [choice("kinds", str(kind), _in_each_language(kind.label)) for kind in ActivityKind]
    if not single:
        for team in teams:
            label = f"{team.name} — {team.commune.name}"
            choices.append(named("teams", team_choice(team), label, commune=team.commune.code))
    villages = Unit.objects.filter(
        parent_id__in=[t.commune_id for t in teams], level=UnitLevel.VILLAGE, valid_to__isnull=True
    ).select_related("parent")
    for village in sorted(villages, key=lambda v: v.code):
        label = f"{village.name} ({village.code})"
        choices.append(named("villages", village.code, label, commune=village.parent.code))
    for team in teams:
        for person in sorted(team.members.all(), key=lambda p: (p.full_name, p.pk)):
            name = f"p{person.pk}"
            choices.append(named("members", name, person.full_name, team=team_choice(team)))
    return choices


def activity_xlsform(*, team: WorkTeam | None = None, teams: list[WorkTeam] | None = None) -> bytes:
    """Return the visit report form of one work team, or of several (an organisation's).

    The version changes whenever the form's content does.
    """
    chosen = [team] if team is not None else list(teams or [])
    if not chosen:
        raise ValueError("a form needs at least one work team")
    single = team is not None
    # The same form id for the same team (or organisation) across versions.
    if single:
        title = form.in_vietnamese(gettext_noop("Work team report — %(team)s"), team=team)
        owner = f"t{team.pk}"
    else:
        organisation = chosen[0].organisation
        message = gettext_noop("Work team report — %(organisation)s")
        title = form.in_vietnamese(message, organisation=organisation)
        owner = f"o{organisation.pk}"
    return form.xlsform(
        title=title,
        form_id=form.form_id("activity", owner),
        survey=_survey(chosen, single),
        choices=_choices(chosen, single),
        instance_name=f"concat(${{{cols.DATE.key}}}, ' – ', ${{{cols.KIND.key}}})",
        # A cadre may serve on two teams of the organisation: one name, two filtered rows.
        allow_choice_duplicates="yes",
    )
