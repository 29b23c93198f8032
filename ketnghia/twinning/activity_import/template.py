"""The .xlsx template for entering activities in bulk, for one work team or one commune.

One row per activity under a Vietnamese header; drop-down lists for the kind, the village
(and, in a commune's template, the team); the instructions list the team members who may
be named as participants. The file names its team and commune in custom document
properties (`imports.mark`), so the import refuses it for another team or commune. Every text
cell goes through `core.outputs`.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.template import Sheet, col, template_workbook
from ketnghia.twinning.activity_import import columns as cols
from ketnghia.twinning.models import ActivityKind, WorkTeam

DATA_SHEET = "Hoạt động"
HEADER_ROW = 3
# Rows with drop-down lists below the header.
ROWS = 500


def team_label(team: WorkTeam) -> str:
    """Return a team as the commune template's list writes it ("t12 — name")."""
    return f"t{team.pk} — {team.name}"


def _kind_labels() -> list[str]:
    with translation.override("vi"):
        return [str(kind.label) for kind in ActivityKind]


def activity_template(*, team: WorkTeam | None = None, commune: Unit | None = None) -> bytes:
    """Return the bulk-entry template of one team's activities, or of a commune's teams."""
    if (team is None) == (commune is None):
        raise ValueError("name a team or a commune")
    if team is not None:
        commune, teams = team.commune, [team]
        title = _("Activities of work team %(team)s — %(commune)s (code %(code)s)") % {
            "team": team.name,
            "commune": commune.name,
            "code": commune.code,
        }
    else:
        assert commune is not None
        teams = list(
            WorkTeam.objects.filter(commune=commune)
            .select_related("organisation")
            .order_by("name", "pk")
        )
        title = _("Activities of the work teams in %(commune)s (code %(code)s)") % {
            "commune": commune.name,
            "code": commune.code,
        }
    villages = Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE, valid_to__isnull=True)
    choices = {
        cols.KIND: _kind_labels(),
        cols.VILLAGE: [f"{v.name} ({v.code})" for v in villages.order_by("code")],
        cols.TEAM: [team_label(t) for t in teams],
    }
    columns = [
        col(
            field,
            width=40 if field is cols.NOTES else 22,
            choices=choices.get(field, ()),
            whole=(0, None) if field.type in ("int", "decimal") else None,
            error=_("A count cannot be negative."),
        )
        for field in cols.TEMPLATE_FIELDS
        if team is None or field is not cols.TEAM
    ]
    sheet = Sheet(DATA_SHEET, columns, heading=[title], header_row=HEADER_ROW, spare=ROWS)
    return template_workbook(
        [sheet],
        instructions=_instructions(teams, title),
        mark={"commune": commune.code, "team": str(team.pk) if team is not None else ""},
    )


def _instructions(teams: list[WorkTeam], title: str) -> list[str]:
    lines = [
        title,
        _("Made on %(date)s.") % {"date": timezone.localdate().strftime("%d/%m/%Y")},
        "",
        _("Fill in one row per activity on the sheet “%(sheet)s”, from row %(row)s.")
        % {"sheet": DATA_SHEET, "row": HEADER_ROW + 1},
        _("Date as dd/mm/yyyy, not in the future and inside the team's period."),
        _("Kind and village from the lists; leave the village empty for the whole commune."),
        _("Participants: names of team members, separated by “;”."),
        _("Men and women reached add up to the total; ethnic minorities are among them."),
        _("Importing the same file again creates nothing."),
        "",
        _("Work teams and their members:"),
    ]
    for team in teams:
        period = (
            team.start_date.strftime("%d/%m/%Y")
            + " – "
            + (team.end_date.strftime("%d/%m/%Y") if team.end_date else "…")
        )
        members = "; ".join(sorted(p.full_name for p in team.members.all()))
        lines.append(f"{team_label(team)} ({period}): {members}")
    return lines
