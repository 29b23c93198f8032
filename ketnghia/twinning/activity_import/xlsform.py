"""A work team's visit report as an XLSForm (ODK Central, KoBoToolbox), per team or organisation.

The form for one team records the team and its commune in every submission (calculated);
the form for an organisation asks which of its teams, and takes the commune from the team.
Villages are filtered by the commune, participants by the team. Labels are Vietnamese first
with English beside them, through the form helpers of `imports.xlsform`. The CSV export
of its submissions comes back through `activity_import.pipeline`.
"""

from __future__ import annotations

import hashlib
import io
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.xlsform import CHOICE_COLUMNS as _CHOICE_COLUMNS
from ketnghia.imports.xlsform import DEFAULT_LANGUAGE, LANGUAGES
from ketnghia.imports.xlsform import SURVEY_COLUMNS as _SURVEY_COLUMNS
from ketnghia.imports.xlsform import both as _both
from ketnghia.imports.xlsform import choice as _choice
from ketnghia.imports.xlsform import language as _language
from ketnghia.imports.xlsform import row as _row
from ketnghia.imports.xlsform import sheet as _sheet
from ketnghia.twinning.activity_import import columns as cols
from ketnghia.twinning.models import ActivityKind, Organisation, WorkTeam

_FORM_ID = re.compile(r"[^A-Za-z0-9_]+")
# A choice list's extra columns: which team a participant, which commune a village belongs to.
_FILTER_COLUMNS = ("team", "commune")

# The kinds' labels, as msgids the catalogue translates (the model's labels are lazy).
_KIND_LABELS = {
    ActivityKind.VISIT: gettext_noop("Visit"),
    ActivityKind.TRAINING: gettext_noop("Training"),
    ActivityKind.SUPPORT_HANDOVER: gettext_noop("Support handover"),
    ActivityKind.MODEL_SETUP: gettext_noop("Model set-up"),
    ActivityKind.MEETING: gettext_noop("Meeting"),
    ActivityKind.PROPAGANDA: gettext_noop("Propaganda"),
}


def team_choice(team: WorkTeam) -> str:
    """Return the choice name of a team in the form ("t12"), read back by the import."""
    return f"t{team.pk}"


def person_choice(person_id: int) -> str:
    """Return the choice name of a participant in the form ("p34"), read back by the import."""
    return f"p{person_id}"


def form_id(*, team: WorkTeam | None = None, organisation: Organisation | None = None) -> str:
    """Return the form's id: the same form for the same team (or organisation) across versions."""
    owner = f"t{team.pk}" if team is not None else f"o{organisation.pk if organisation else 0}"
    return _FORM_ID.sub("_", f"ketnghia_activity_{owner}").lower()


def _villages(communes: list[int]) -> list[Unit]:
    return list(
        Unit.objects.filter(
            parent_id__in=communes, level=UnitLevel.VILLAGE, valid_to__isnull=True
        ).select_related("parent")
    )


def _count(name: str, label: str, **extra: object) -> dict:
    return _row(
        "integer",
        name,
        _both(label),
        required="yes",
        default="0",
        constraint=extra.pop("constraint", ". >= 0"),
        constraint_message=extra.pop(
            "constraint_message", _both(gettext_noop("A count cannot be negative."))
        ),
        **extra,
    )


def _survey(teams: list[WorkTeam], single: bool) -> list[dict]:
    rows = [_row("start", "start"), _row("end", "end")]
    rows.append(_row("begin_group", cols.GROUP, _both(gettext_noop("Activity report"))))
    if single:
        team = teams[0]
        rows.append(_row("calculate", cols.TEAM, calculation=f"'{team_choice(team)}'"))
        rows.append(_row("calculate", cols.COMMUNE, calculation=f"'{team.commune.code}'"))
    else:
        rows.append(
            _row("select_one teams", cols.TEAM, _both(gettext_noop("Work team")), required="yes")
        )
        rows.append(
            _row(
                "calculate",
                cols.COMMUNE,
                calculation=f"instance('teams')/root/item[name=${{{cols.TEAM}}}]/commune",
            )
        )
    rows += [
        _row(
            "date",
            cols.DATE,
            _both(gettext_noop("Date")),
            required="yes",
            constraint=". <= today()",
            constraint_message=_both(gettext_noop("An activity cannot be dated in the future.")),
        ),
        _row(
            "select_one villages",
            cols.VILLAGE,
            _both(gettext_noop("Village")),
            hint=_both(gettext_noop("Leave empty when the activity concerned the whole commune.")),
            choice_filter=f"commune=${{{cols.COMMUNE}}}",
        ),
        _row("select_one kinds", cols.KIND, _both(gettext_noop("Kind")), required="yes"),
        _row(
            "select_multiple members",
            cols.PARTICIPANTS,
            _both(gettext_noop("Participants from the team")),
            choice_filter=f"team=${{{cols.TEAM}}}",
        ),
        _count(cols.REACHED_MALE, gettext_noop("People reached, men")),
        _count(cols.REACHED_FEMALE, gettext_noop("People reached, women")),
        _row(
            "calculate",
            cols.REACHED_TOTAL,
            calculation=f"${{{cols.REACHED_MALE}}} + ${{{cols.REACHED_FEMALE}}}",
        ),
        _count(
            cols.REACHED_MINORITY,
            gettext_noop("People reached, ethnic minorities"),
            constraint=f". >= 0 and . <= ${{{cols.REACHED_TOTAL}}}",
            constraint_message=_both(
                gettext_noop("Between 0 and the number of men and women reached.")
            ),
        ),
        _row(
            "decimal",
            cols.RESOURCES_VND,
            _both(gettext_noop("Resources mobilised (VND)")),
            required="yes",
            default="0",
            constraint=". >= 0 and . = int(.)",
            constraint_message=_both(gettext_noop("A whole number of dong, not negative.")),
        ),
        _row("text", cols.RESOURCES_IN_KIND, _both(gettext_noop("Resources in kind"))),
        _row("text", cols.NOTES, _both(gettext_noop("Notes")), appearance="multiline"),
        _row("image", cols.PHOTO, _both(gettext_noop("Photo"))),
        _row("end_group", cols.GROUP),
    ]
    return rows


def _choices(teams: list[WorkTeam], single: bool) -> list[dict]:
    choices = [_choice("kinds", str(kind), _both(label)) for kind, label in _KIND_LABELS.items()]
    names = [name for _code, name in LANGUAGES]
    if not single:
        for team in teams:
            # Proper names: the same in both languages.
            label = f"{team.name} — {team.commune.name}"
            choices.append(
                _choice("teams", team_choice(team), dict.fromkeys(names, label))
                | {"commune": team.commune.code}
            )
    for village in sorted(_villages([t.commune_id for t in teams]), key=lambda v: v.code):
        label = f"{village.name} ({village.code})"
        choices.append(
            _choice("villages", village.code, dict.fromkeys(names, label))
            | {"commune": village.parent.code}
        )
    for team in teams:
        for person in sorted(team.members.all(), key=lambda p: (p.full_name, p.pk)):
            choices.append(
                _choice("members", person_choice(person.pk), dict.fromkeys(names, person.full_name))
                | {"team": team_choice(team)}
            )
    return choices


def activity_xlsform(*, team: WorkTeam | None = None, teams: list[WorkTeam] | None = None) -> bytes:
    """Return the visit report form of one work team, or of several (an organisation's).

    The version changes whenever the form's content does.
    """
    chosen = [team] if team is not None else list(teams or [])
    if not chosen:
        raise ValueError("a form needs at least one work team")
    single = team is not None
    survey = _survey(chosen, single)
    choices = _choices(chosen, single)
    digest = hashlib.sha256(repr((survey, choices)).encode()).hexdigest()[:10]
    with _language("vi"):
        if single:
            title = _("Work team report — %(team)s") % {"team": team}
        else:
            title = _("Work team report — %(organisation)s") % {
                "organisation": chosen[0].organisation
            }
    settings_row = {
        "form_title": title,
        "form_id": form_id(team=team) if single else form_id(organisation=chosen[0].organisation),
        "version": f"v{digest}",
        "default_language": DEFAULT_LANGUAGE,
        "instance_name": f"concat(${{{cols.DATE}}}, ' – ', ${{{cols.KIND}}})",
        # A cadre may serve on two teams of the organisation: one name, two filtered rows.
        "allow_choice_duplicates": "yes",
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", (*_SURVEY_COLUMNS, "choice_filter"), survey)
    _sheet(workbook, "choices", (*_CHOICE_COLUMNS, *_FILTER_COLUMNS), choices)
    _sheet(workbook, "settings", tuple(settings_row), [settings_row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
