"""The file: its columns (`Field`s), the words officers write in them, its rows read (no ORM).

Headers are matched as every import matches them (`imports.readers.header_key`: no
diacritics, case or punctuation); the template writes each column's header. What one cell may
hold is the shared readers' rules (`Field.parse`): codes keep their leading zeros and lose
Excel's apostrophe, text is NFC, dates are dd/mm/yyyy, ISO or spreadsheet dates, an Excel
error value (#N/A) is named. A problem in a cell is located (file, sheet, row, column) and
the row is left out of the next steps, so every problem of the file is listed at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Problem
from ketnghia.core.outputs import csv_unquote
from ketnghia.core.text import fold
from ketnghia.households.validity import SEX_WORDS, ethnicity_code
from ketnghia.imports.files import check_file
from ketnghia.imports.readers import (
    CSV_SUFFIXES,
    ProblemList,
    Row,
    Table,
    excel_error,
    excel_error_message,
    header_key,
    open_table,
    workbook_sheets,
)
from ketnghia.imports.spec import Field
from ketnghia.twinning.models import AssignmentKind, PersonRole

TWINNING = "twinning"
# What the template's drop-down offers, in order (Vietnamese: the file is the officers'):
# the twinning (organisation → commune) and the three kinds below it.
KIND_LABELS: dict[str, str] = {
    TWINNING: "Kết nghĩa (đơn vị → xã)",
    AssignmentKind.OFFICE_VILLAGE: "Phòng, ban huyện → thôn",
    AssignmentKind.COMMITTEE_VILLAGE: "Cấp ủy viên → thôn",
    AssignmentKind.MEMBER_HOUSEHOLD: "Đảng viên → hộ",
}
_KIND_WORDS: dict[str, str] = {
    "ket nghia": TWINNING,
    "don vi ket nghia": TWINNING,
    "phong ban huyen": AssignmentKind.OFFICE_VILLAGE,
    "phong ban": AssignmentKind.OFFICE_VILLAGE,
    "cap uy vien": AssignmentKind.COMMITTEE_VILLAGE,
    "cap uy": AssignmentKind.COMMITTEE_VILLAGE,
    "dang vien": AssignmentKind.MEMBER_HOUSEHOLD,
}
_KIND_WORDS |= {header_key(label): kind for kind, label in KIND_LABELS.items()}
_KIND_WORDS |= {header_key(kind): kind for kind in KIND_LABELS}

ROLE_LABELS: dict[str, str] = {
    PersonRole.COMMITTEE_MEMBER: "Cấp ủy viên",
    PersonRole.PARTY_MEMBER: "Đảng viên",
}
_ROLE_WORDS: dict[str, str] = {header_key(label): role for role, label in ROLE_LABELS.items()}
_ROLE_WORDS |= {header_key(role): role for role in ROLE_LABELS}
_ROLE_WORDS |= {
    "cap uy": PersonRole.COMMITTEE_MEMBER,
    "uy vien": PersonRole.COMMITTEE_MEMBER,
}

KIND = Field(
    "kind",
    "Loại phân công",
    ("Loại", "Hình thức phân công", "kind", "assignment kind"),
    required=True,
)
COMMUNE = Field("commune_code", "Mã xã", ("Mã đơn vị hành chính xã", "commune code"), type="code")
VILLAGE = Field(
    "village", "Thôn, làng", ("Thôn/làng", "Mã thôn", "Thôn", "Làng", "village", "village code")
)
HOUSEHOLD = Field("household_code", "Mã hộ", ("Mã số hộ", "Mã HGĐ", "household code"), type="code")
ORGANISATION = Field(
    "organisation", "Đơn vị phụ trách", ("Cơ quan, đơn vị", "Đơn vị", "organisation")
)
PERSON = Field(
    "person",
    "Mã người phụ trách",
    ("Mã người", "Mã cán bộ, đảng viên", "person id", "person"),
    type="code",
)
PERSON_NAME = Field(
    "person_name", "Họ tên người phụ trách", ("Người phụ trách", "Họ và tên", "person name")
)
START = Field(
    "start_date",
    "Từ ngày",
    ("Ngày bắt đầu", "Ngày phân công", "from", "start date"),
    type="date",
    required=True,
)
END = Field("end_date", "Đến ngày", ("Ngày kết thúc", "until", "end date"), type="date")
DECISION = Field("decision_number", "Số quyết định", ("Quyết định", "decision number"))
DECISION_DATE = Field("decision_date", "Ngày quyết định", ("decision date",), type="date")
ASSIGNMENT_FIELDS = (KIND, COMMUNE, VILLAGE, HOUSEHOLD, ORGANISATION, PERSON, PERSON_NAME)
ASSIGNMENT_FIELDS += (START, END, DECISION, DECISION_DATE)

# The people sheet (or people file): the committee and Party members the file assigns.
PERSON_ID = Field(
    "person",
    "Mã người",
    ("Mã người phụ trách", "Mã cán bộ, đảng viên", "person id"),
    type="code",
    required=True,
)
FULL_NAME = Field("full_name", "Họ và tên", ("Họ tên", "full name"), required=True)
SEX = Field("sex", "Giới tính", ("sex",), required=True)
BIRTH_YEAR = Field("birth_year", "Năm sinh", ("birth year",), type="int")
ETHNICITY = Field("ethnicity", "Dân tộc", ("ethnicity",), required=True)
PHONE = Field("phone", "Điện thoại", ("Số điện thoại", "phone"), type="code")
ROLE = Field("role", "Vai trò", ("Chức danh", "role"), required=True)
ACTIVE_FROM = Field(
    "active_from", "Hoạt động từ", ("Từ ngày", "active from"), type="date", required=True
)
ACTIVE_TO = Field("active_to", "Hoạt động đến", ("Đến ngày", "active until"), type="date")
PEOPLE_FIELDS = (PERSON_ID, FULL_NAME, SEX, BIRTH_YEAR, ETHNICITY, PHONE, ROLE, COMMUNE)
PEOPLE_FIELDS += (VILLAGE, ACTIVE_FROM, ACTIVE_TO)
ASSIGNMENT_COLUMNS = tuple(field.column() for field in ASSIGNMENT_FIELDS)
PEOPLE_COLUMNS = tuple(field.column() for field in PEOPLE_FIELDS)


@dataclass
class AssignmentLine:
    """One assignment row as the file gives it, then (`resolve`) with its references looked
    up; `where`: the row it was read from (its problems are located by it)."""

    where: Row
    kind: str
    commune_code: str
    village: str
    household_code: str
    organisation: str
    person: str
    person_name: str
    start: dt.date
    end: dt.date | None
    decision: str
    decision_date: dt.date | None
    # Set by `resolve`: the commune (`commune_code` becomes its code), the village or
    # household (or the commune, for a twinning: `unit`, its id `target`) and who answers
    # for it ("o:<id>" an organisation, "p:<id>" a stored person, "n:<code>" a new one),
    # named in `label`.
    index: int = 0
    commune_id: int = 0
    unit: Any = None
    target: int = 0
    record: str = ""
    responsible: str = ""
    label: str = ""
    # One at a time on the unit (a twinning unit when the rule says so; a Party member).
    exclusive: bool = False
    cap: int | None = None


@dataclass(frozen=True)
class PersonLine:
    """One row of the people sheet: an existing person's id, or a key the file gives a new one."""

    where: Row
    key: str
    full_name: str
    sex: str
    birth_year: int | None
    ethnicity: str
    phone: str
    role: str
    commune_code: str
    village: str
    active_from: dt.date
    active_to: dt.date | None


class _Cells:
    """Read one row's cells by their fields, keeping each cell's first problem."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.is_csv = Path(row.file).suffix.lower() in CSV_SUFFIXES
        self.problems: dict[str, Problem] = {}

    def __call__(self, field: Field, *, blank: str | None = None) -> Any:
        """Return the cell parsed by `field` (text and codes "" when blank or refused)."""
        error = excel_error(self.row.get(field.key))
        value = None
        if error is not None:
            # Named as the error it is (a text cell would take it for text).
            self.refuse(field.key, excel_error_message(error))
        else:
            found = ProblemList()
            value = field.parse(self.row, found, blank=blank)
            for problem in found.items:
                self.refuse(field.key, problem.message)
        if field.type == "text":
            text = " ".join((value or "").split())
            return csv_unquote(text) if self.is_csv else text
        return "" if value is None and field.type == "code" else value

    def period(self, start: Field, end: Field) -> tuple[dt.date | None, dt.date | None]:
        """Return a row's start (required) and end, refusing an end before the start."""
        first, last = self(start, blank=_("The date is empty.")), self(end)
        if first is not None and last is not None and last < first:
            self.refuse(
                end.key,
                _("The end (%(end)s) lies before the start (%(start)s).")
                % {"end": last.strftime("%d/%m/%Y"), "start": first.strftime("%d/%m/%Y")},
            )
        return first, last

    def refuse(self, key: str, message: str) -> None:
        self.problems.setdefault(key, self.row.problem(key, message))


def assignment_line(row: Row, problems: ProblemList | list[Problem]) -> AssignmentLine | None:
    """Return the row's assignment (None, its problems added to `problems`, when a cell is
    wrong)."""
    cell = _Cells(row)
    kind_text = cell(KIND)
    kind = _KIND_WORDS.get(header_key(kind_text)) if kind_text else None
    if kind is None:
        cell.refuse(
            KIND.key,
            _("Unknown kind of assignment “%(value)s”: choose one of %(kinds)s.")
            % {"value": kind_text, "kinds": "; ".join(KIND_LABELS.values())},
        )
    start, end = cell.period(START, END)
    line = AssignmentLine(
        where=row,
        kind=kind or "",
        commune_code=cell(COMMUNE),
        village=cell(VILLAGE),
        household_code=cell(HOUSEHOLD),
        organisation=cell(ORGANISATION),
        person=cell(PERSON),
        person_name=cell(PERSON_NAME),
        start=start or dt.date.min,
        end=end,
        decision=cell(DECISION)[:120],
        decision_date=cell(DECISION_DATE),
    )
    if kind in (TWINNING, AssignmentKind.OFFICE_VILLAGE) and not line.organisation:
        cell.refuse(ORGANISATION.key, _("Write the organisation in charge."))
    people_kinds = (AssignmentKind.COMMITTEE_VILLAGE, AssignmentKind.MEMBER_HOUSEHOLD)
    if kind in people_kinds and not line.person:
        cell.refuse(PERSON.key, _("Write the code of the person in charge."))
    village_kinds = (AssignmentKind.OFFICE_VILLAGE, AssignmentKind.COMMITTEE_VILLAGE)
    if kind in village_kinds and not line.village:
        cell.refuse(VILLAGE.key, _("Write the village (its code or name)."))
    if kind == AssignmentKind.MEMBER_HOUSEHOLD and not line.household_code:
        cell.refuse(HOUSEHOLD.key, _("Write the household's code."))
    problems.extend(cell.problems.values())
    return None if cell.problems else line


def person_line(row: Row, problems: ProblemList | list[Problem]) -> PersonLine | None:
    """Return the people-sheet row (None, its problems added to `problems`, when a cell is
    wrong)."""
    cell = _Cells(row)
    key = cell(PERSON_ID)
    if not key:
        cell.refuse(
            PERSON_ID.key,
            _(
                "Write the person's code: a stored person's number, or a code of your own for a new one."
            ),
        )
    name = cell(FULL_NAME)
    if not name or len(name) > 150:
        cell.refuse(FULL_NAME.key, _("Write the full name (at most 150 characters)."))
    sex = SEX_WORDS.get(fold(cell(SEX)))
    if sex is None:
        cell.refuse(SEX.key, _("Write the sex as nam (male) or nữ (female)."))
    born = cell(BIRTH_YEAR)
    if born is not None and not 1900 <= born <= dt.date.today().year:
        cell.refuse(
            BIRTH_YEAR.key,
            _("A birth year lies between 1900 and %(year)s.") % {"year": dt.date.today().year},
        )
    ethnic_text = cell(ETHNICITY)
    ethnicity = ethnicity_code(row.get(ETHNICITY.key))
    if ethnicity is None:
        cell.refuse(
            ETHNICITY.key,
            _("Unknown ethnic group “%(value)s”: write its name or its two-digit code.")
            % {"value": ethnic_text},
        )
    role_text = cell(ROLE)
    role = _ROLE_WORDS.get(header_key(role_text)) if role_text else None
    if role is None:
        cell.refuse(
            ROLE.key,
            _("Unknown role “%(value)s”: write %(roles)s.")
            % {"value": role_text, "roles": " / ".join(ROLE_LABELS.values())},
        )
    phone = "".join(cell(PHONE).split())
    if len(phone) > 20:
        cell.refuse(PHONE.key, _("A phone number has at most 20 characters."))
    active_from, active_to = cell.period(ACTIVE_FROM, ACTIVE_TO)
    problems.extend(cell.problems.values())
    if cell.problems:
        return None
    return PersonLine(
        where=row,
        key=key,
        full_name=name,
        sex=sex or "",
        birth_year=born,
        ethnicity=ethnicity or "",
        phone=phone,
        role=role or "",
        commune_code=cell(COMMUNE),
        village=cell(VILLAGE),
        active_from=active_from or dt.date.min,
        active_to=active_to,
    )


def people_sheet(path: Path, name: str) -> str | None:
    """Return the workbook's people sheet ("Người phụ trách", "Danh sách đảng viên"), if any
    (a CSV has none)."""
    if path.suffix.lower() in CSV_SUFFIXES:
        return None
    for sheet in workbook_sheets(path, name=name):
        key = header_key(sheet)
        if "nguoi phu trach" in key or "danh sach dang vien" in key or key == "people":
            return sheet
    return None


def open_main(path: Path, name: str) -> Table:
    """Return the file's assignments table, else (a people file alone) its people table."""
    check_file(path, name)
    sheet = people_sheet(path, name)
    try:
        return open_table(path, ASSIGNMENT_COLUMNS, name=name, skip_sheets=[sheet] if sheet else [])
    except InvalidInput as error:
        if not (path.suffix.lower() in CSV_SUFFIXES or sheet):
            raise
        # A CSV holds one table: the assignments, or else the people.
        try:
            return open_table(path, PEOPLE_COLUMNS, name=name, sheet=sheet)
        except InvalidInput:
            raise error from None


def split_tables(table: Table) -> tuple[Table | None, Table | None]:
    """Return the assignments table and the people table of the file `open_main` opened."""
    if tuple(table.columns) == PEOPLE_COLUMNS:
        return None, table
    sheet = people_sheet(table.path, table.name)
    if sheet is None:
        return table, None
    return table, open_table(table.path, PEOPLE_COLUMNS, name=table.name, sheet=sheet)
