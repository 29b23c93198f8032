"""The .xlsx a commune's officer fills to import its assignments, generated per commune.

Sheets: instructions; "Phân công", the assignments in force today pre-filled (the commune's
twinning unit(s), its villages' district offices and committee members, the Party member of
each household), with drop-down lists for the kind and the village; "Người phụ trách", the
commune's committee and Party members (their number, name, sex, birth year, ethnicity,
phone, role, village, active period), for new people too; and a hidden sheet of lists. The
workbook names its commune in its document properties (`ketnghia.commune`, the census
import's mark), so a file made for another commune is refused naming both. Phones pass the
personal-data door: masked for a user who may not see them, and a masked phone imported
back keeps the stored number. Every text cell goes through `core.outputs`. Imported back
unchanged, the template changes nothing (a round-trip test holds the two together).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ketnghia.core.gate import UnitScope
from ketnghia.core.outputs import xlsx_set
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES
from ketnghia.households.models import Sex
from ketnghia.imports.mark import mark_workbook
from ketnghia.twinning import selectors
from ketnghia.twinning.assignment_import import columns as cols
from ketnghia.twinning.models import PersonRole

ASSIGNMENTS_SHEET = "Phân công"
PEOPLE_SHEET = "Người phụ trách"
INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
HEADER_ROW = 3
SPARE_ROWS = 300
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SEX_LABELS = {Sex.MALE: "nam", Sex.FEMALE: "nữ"}
# The reference column the template adds for reading (the import does not read it).
HEAD_HEADER = "Chủ hộ (để đối chiếu)"


def title_text(commune: Unit) -> str:
    """Return the title line of the template (names the commune and its code)."""
    return f"PHÂN CÔNG PHỤ TRÁCH — {commune.name} (mã {commune.code})"


def _village_names(villages: list[Unit]) -> dict[int, str]:
    """Return how the template names each village: its name, or its code if two share it."""
    counts: dict[str, int] = {}
    for village in villages:
        counts[village.name] = counts.get(village.name, 0) + 1
    return {v.pk: v.name if counts[v.name] == 1 else v.code for v in villages}


def _header(sheet: Any, row: int, labels: list[str]) -> None:
    for index, label in enumerate(labels, start=1):
        cell = xlsx_set(sheet.cell(row, index), label)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 22


def _date(sheet: Any, row: int, column: int, value: dt.date | None) -> None:
    if value is not None:
        cell = xlsx_set(sheet.cell(row, column), value)
        cell.number_format = "dd/mm/yyyy"


def _list(sheet: Any, formula: str, cells: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = _("Choose a value from the list.")
    validation.errorTitle = _("Value not in the list")
    validation.add(cells)
    sheet.add_data_validation(validation)


def assignments_template(
    *, commune: Unit, scope: UnitScope, disclosure: Disclosure, on: dt.date | None = None
) -> bytes:
    """Return the .xlsx assignments template of `commune`: what is in force on `on` (today)."""
    on = on or timezone.localdate()
    villages = list(Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code"))
    village_name = _village_names(villages)
    workbook = Workbook()
    mark_workbook(workbook, commune=commune.code)
    sheet = workbook.active
    sheet.title = ASSIGNMENTS_SHEET
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET, 0), commune)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    workbook.active = 1

    xlsx_set(sheet["A1"], title_text(commune))
    sheet["A1"].font = Font(bold=True, size=14)
    xlsx_set(
        sheet["A2"],
        _("Pre-filled with the assignments in force on %(day)s.")
        % {"day": on.strftime("%d/%m/%Y")},
    )
    labels = [column.label for column in cols.ASSIGNMENT_COLUMNS]
    labels.insert(4, HEAD_HEADER)
    _header(sheet, HEADER_ROW, labels)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    row = HEADER_ROW
    for twinning in selectors.twinning_history(scope=scope, commune=commune).filter(
        selectors.on_date(on)
    ):
        row += 1
        values: list[Any] = [
            cols.KIND_LABELS[cols.TWINNING],
            commune.code,
            None,
            None,
            None,
            twinning.organisation.name,
            None,
            None,
        ]
        for index, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row, index), value)
        _date(sheet, row, 9, twinning.start_date)
        _date(sheet, row, 10, twinning.end_date)
        xlsx_set(sheet.cell(row, 11), twinning.decision or None)
        _date(sheet, row, 12, twinning.decision_date)
    current = selectors.assignment_list_for(scope=scope, commune=commune, on=on).order_by(
        "kind", "unit_path", "start_date", "pk"
    )
    order = {kind: index for index, kind in enumerate(cols.KINDS)}
    for assignment in sorted(current, key=lambda a: order.get(a.kind, 9)):
        row += 1
        household = assignment.household
        values = [
            cols.KIND_LABELS[assignment.kind],
            commune.code,
            village_name.get(assignment.village_id) if household is None else None,
            household.code if household is not None else None,
            household.head_name if household is not None else None,
            assignment.organisation.name if assignment.organisation_id else None,
            assignment.person_id,
            assignment.person.full_name if assignment.person_id else None,
        ]
        for index, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row, index), value)
        _date(sheet, row, 9, assignment.start_date)
        _date(sheet, row, 10, assignment.end_date)
        xlsx_set(sheet.cell(row, 11), assignment.decision_number or None)
        _date(sheet, row, 12, assignment.decision_date)
    last = row + SPARE_ROWS
    kinds = list(cols.KIND_LABELS.values())
    xlsx_set(lists["A1"], "Loại phân công")
    for index, label in enumerate(kinds, start=2):
        xlsx_set(lists.cell(index, 1), label)
    _list(sheet, f"='{LISTS_SHEET}'!$A$2:$A${len(kinds) + 1}", f"A{HEADER_ROW + 1}:A{last}")
    xlsx_set(lists["B1"], "Thôn, làng")
    for index, village in enumerate(villages, start=2):
        xlsx_set(lists.cell(index, 2), village_name[village.pk])
    if villages:
        _list(
            sheet,
            f"='{LISTS_SHEET}'!$B$2:$B${len(villages) + 1}",
            f"C{HEADER_ROW + 1}:C{last}",
        )
    for letter in "IJL":
        for number in range(HEADER_ROW + 1, last + 1):
            sheet[f"{letter}{number}"].number_format = "dd/mm/yyyy"
    _people_sheet(
        workbook.create_sheet(PEOPLE_SHEET, 2), lists, commune, scope, disclosure, village_name
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _people_sheet(
    sheet: Any,
    lists: Any,
    commune: Unit,
    scope: UnitScope,
    disclosure: Disclosure,
    village_name: dict[int, str],
) -> None:
    """Add the people sheet: the commune's committee and Party members, phones through the door."""
    _header(sheet, 1, [column.label for column in cols.PEOPLE_COLUMNS])
    sheet.freeze_panes = "C2"
    people = selectors.person_list_for(scope=scope, commune=commune).filter(
        Q(role=PersonRole.COMMITTEE_MEMBER) | Q(role=PersonRole.PARTY_MEMBER)
    )
    row = 1
    for person in people.order_by("role", "full_name", "pk"):
        row += 1
        values: list[Any] = [
            person.pk,
            person.full_name,
            _SEX_LABELS.get(person.sex, person.sex),
            person.birth_year,
            ETHNIC_GROUP_NAMES.get(person.ethnicity, person.ethnicity),
            disclosure.show(person.phone, kind=Kind.PHONE, path=person.unit_path, subject=person.pk)
            or None,
            cols.ROLE_LABELS.get(person.role, person.role),
            commune.code,
            village_name.get(person.village_id) if person.village_id else None,
        ]
        for index, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row, index), value)
        _date(sheet, row, 10, person.active_from)
        _date(sheet, row, 11, person.active_to)
    last = row + SPARE_ROWS
    for letter, header, values in (
        ("C", "Giới tính", list(_SEX_LABELS.values())),
        ("D", "Vai trò", list(cols.ROLE_LABELS.values())),
        ("E", "Dân tộc", list(ETHNIC_GROUP_NAMES.values())),
    ):
        xlsx_set(lists[f"{letter}1"], header)
        for index, value in enumerate(values, start=2):
            xlsx_set(lists[f"{letter}{index}"], value)
    for target, source, count in (
        ("C", "C", 2),
        ("G", "D", 2),
        ("E", "E", len(ETHNIC_GROUP_NAMES)),
    ):
        _list(
            sheet,
            f"='{LISTS_SHEET}'!${source}$2:${source}${count + 1}",
            f"{target}2:{target}{last}",
        )
    if village_name:
        _list(sheet, f"='{LISTS_SHEET}'!$B$2:$B${len(village_name) + 1}", f"I2:I{last}")


def _instructions(sheet: Any, commune: Unit) -> None:
    lines = [
        _("Assignments of %(commune)s (code %(code)s)")
        % {"commune": commune.name, "code": commune.code},
        _("This file is for this commune only: an import for another commune is refused."),
        "",
        _(
            "Sheet “%(sheet)s”: one row per assignment. Kind: choose from the list. A twinning "
            "names the organisation; a district office names the organisation and the village; "
            "a committee member names the person's number and the village; a Party member names "
            "the person's number and the household code."
        )
        % {"sheet": ASSIGNMENTS_SHEET},
        _(
            "To reassign a household (or the commune's twinning unit), add a row with the new "
            "person (or organisation) and the day the reassignment starts: the current one is "
            "closed the day before. To end an assignment, write its end date on its row."
        ),
        _(
            "An empty end date never erases a stored one; rows not in the file stay as they are. "
            "The column “%(head)s” is for reading only."
        )
        % {"head": HEAD_HEADER},
        _(
            "Sheet “%(sheet)s”: the committee and Party members. A new person gets a code of "
            "your own (for example M1), used in the “Mã người phụ trách” column of the "
            "assignments; a masked phone number keeps the stored one."
        )
        % {"sheet": PEOPLE_SHEET},
        _("Dates as dd/mm/yyyy."),
        _(
            "Upload the file on the commune's network page, or run: ketnghia import-assignments "
            "FILE --dry-run"
        ),
    ]
    for index, line in enumerate(lines, start=1):
        xlsx_set(sheet.cell(index, 1), line)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 120
