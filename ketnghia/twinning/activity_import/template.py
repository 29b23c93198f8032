"""The .xlsx template for entering activities in bulk, for one work team or one commune.

One row per activity under a Vietnamese header; drop-down lists for the kind, the village
(and, in a commune's template, the team); the instructions list the team members who may
be named as participants. The file names its team and commune in custom document
properties (`imports.mark`), so the import refuses it for another team or commune. Every text
cell goes through `core.outputs`.
"""

from __future__ import annotations

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ketnghia.core.outputs import xlsx_set
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.mark import mark_workbook
from ketnghia.twinning.activity_import import columns as cols
from ketnghia.twinning.models import ActivityKind, WorkTeam

DATA_SHEET = "Hoạt động"
LISTS_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"
HEADER_ROW = 3
# Rows with drop-down lists below the header.
ROWS = 500


def team_label(team: WorkTeam) -> str:
    """Return a team as the commune template's list writes it ("t12 — name")."""
    return f"t{team.pk} — {team.name}"


def _kind_labels() -> list[str]:
    with translation.override("vi"):
        return [str(kind.label) for kind in ActivityKind]


def _list_validation(sheet, formula: str, cells: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = _("Choose a value from the list.")
    validation.errorTitle = _("Value not in the list")
    validation.add(cells)
    sheet.add_data_validation(validation)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def activity_template(*, team: WorkTeam | None = None, commune: Unit | None = None) -> bytes:
    """Return the bulk-entry template of one team's activities, or of a commune's teams."""
    if (team is None) == (commune is None):
        raise ValueError("name a team or a commune")
    commune = commune or team.commune  # type: ignore[union-attr]
    teams = (
        [team]
        if team is not None
        else list(
            WorkTeam.objects.filter(commune=commune)
            .select_related("organisation")
            .order_by("name", "pk")
        )
    )
    fields = [f for f in cols.TEMPLATE_FIELDS if team is None or f != cols.TEAM]
    villages = list(
        Unit.objects.filter(
            parent=commune, level=UnitLevel.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    if team is not None:
        title = _("Activities of work team %(team)s — %(commune)s (code %(code)s)") % {
            "team": team.name,
            "commune": commune.name,
            "code": commune.code,
        }
    else:
        title = _("Activities of the work teams in %(commune)s (code %(code)s)") % {
            "commune": commune.name,
            "code": commune.code,
        }
    xlsx_set(sheet.cell(1, 1), title).font = Font(bold=True, size=13)
    for index, key in enumerate(fields, start=1):
        cell = xlsx_set(sheet.cell(HEADER_ROW, index), cols.HEADERS[key])
        cell.font = Font(bold=True)
        sheet.column_dimensions[_letter(index)].width = 22 if key != cols.NOTES else 40
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    lists = workbook.create_sheet(LISTS_SHEET)
    list_values = {
        cols.KIND: _kind_labels(),
        cols.VILLAGE: [f"{v.name} ({v.code})" for v in villages],
        cols.TEAM: [team_label(t) for t in teams],
    }
    first, last = HEADER_ROW + 1, HEADER_ROW + ROWS
    for column, key in enumerate((cols.KIND, cols.VILLAGE, cols.TEAM), start=1):
        xlsx_set(lists.cell(1, column), cols.HEADERS[key])
        for row, value in enumerate(list_values[key], start=2):
            xlsx_set(lists.cell(row, column), value)
        if key in fields and list_values[key]:
            target = _letter(fields.index(key) + 1)
            source = _letter(column)
            _list_validation(
                sheet,
                f"='{LISTS_SHEET}'!${source}$2:${source}${len(list_values[key]) + 1}",
                f"{target}{first}:{target}{last}",
            )
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    whole.error = _("A count cannot be negative.")
    for key in (
        cols.REACHED_MALE,
        cols.REACHED_FEMALE,
        cols.REACHED_TOTAL,
        cols.REACHED_MINORITY,
        cols.RESOURCES_VND,
    ):
        letter = _letter(fields.index(key) + 1)
        whole.add(f"{letter}{first}:{letter}{last}")
    sheet.add_data_validation(whole)
    lists.sheet_state = "hidden"
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), teams, title)
    mark_workbook(workbook, commune=commune.code, team=str(team.pk) if team is not None else "")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet, teams: list[WorkTeam], title: str) -> None:
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
    for row, line in enumerate(lines, start=1):
        xlsx_set(sheet.cell(row, 1), line)
    sheet.column_dimensions["A"].width = 110
