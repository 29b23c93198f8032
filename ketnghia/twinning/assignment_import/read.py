"""The read step: open the file's tables and turn each row into plain values (no ORM).

What one cell may hold is the census import's rules (`census.importing.cells`,
`imports.readers`): codes keep their leading zeros and lose Excel's apostrophe, text is NFC,
dates are dd/mm/yyyy, ISO or spreadsheet dates, an Excel error value (#N/A) is named. A
problem in a cell is located (file, sheet, row, column) and the row is left out of the
next steps, so every problem of the file is listed at once.
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
    CellError,
    ProblemList,
    Row,
    Table,
    cell_date,
    excel_error,
    excel_error_message,
    open_table,
    workbook_sheets,
)
from ketnghia.imports.values import cell_str, code, whole_number
from ketnghia.twinning.assignment_import import columns as cols


@dataclass(frozen=True)
class AssignmentLine:
    """One assignment row as the file gives it (references not yet looked up); `where`: the
    row it was read from (its problems are located by it)."""

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
    """Read one row's cells, collecting the problems of the row."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.is_csv = Path(row.file).suffix.lower() in CSV_SUFFIXES
        self.problems: list[Problem] = []
        self.errors: set[str] = set()

    def _raw(self, key: str) -> Any:
        value = self.row.get(key)
        error = excel_error(value)
        if error is not None:
            # Named once, as the error it is, instead of the column's own message.
            if key not in self.errors:
                self.problems.append(self.row.problem(key, excel_error_message(error)))
                self.errors.add(key)
            return None
        return value

    def text(self, key: str) -> str:
        text = " ".join(cell_str(self._raw(key)).split())
        return csv_unquote(text) if self.is_csv else text

    def code(self, key: str) -> str:
        return code(self._raw(key))

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self._raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required and key not in self.errors:
                self.problems.append(self.row.problem(key, _("The date is empty.")))
            return None
        try:
            return cell_date(value)
        except CellError as error:
            self.problems.append(self.row.problem(key, str(error)))
            return None

    def number(self, key: str) -> int | None:
        try:
            return whole_number(self._raw(key))
        except CellError as error:
            self.problems.append(self.row.problem(key, str(error)))
            return None

    def period(self, start_key: str, end_key: str) -> tuple[dt.date | None, dt.date | None]:
        """Return a row's start (required) and end, refusing an end before the start."""
        start, end = self.date(start_key, required=True), self.date(end_key)
        if start is not None and end is not None and end < start:
            self.refuse(
                end_key,
                _("The end (%(end)s) lies before the start (%(start)s).")
                % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")},
            )
        return start, end

    def refuse(self, key: str, message: str) -> None:
        if key not in self.errors:
            self.problems.append(self.row.problem(key, message))


def assignment_line(row: Row, problems: ProblemList | list[Problem]) -> AssignmentLine | None:
    """Return the row's assignment (None, its problems added to `problems`, when a cell is
    wrong)."""
    cells = _Cells(row)
    kind_text = cells.text(cols.KIND)
    kind = cols.kind_of(kind_text)
    if kind is None:
        cells.refuse(
            cols.KIND,
            _("Unknown kind of assignment “%(value)s”: choose one of %(kinds)s.")
            % {"value": kind_text, "kinds": "; ".join(cols.KIND_LABELS.values())},
        )
    start, end = cells.period(cols.START, cols.END)
    line = AssignmentLine(
        where=row,
        kind=kind or "",
        commune_code=cells.code(cols.COMMUNE_CODE),
        village=cells.text(cols.VILLAGE),
        household_code=cells.code(cols.HOUSEHOLD_CODE),
        organisation=cells.text(cols.ORGANISATION),
        person=cells.code(cols.PERSON),
        person_name=cells.text(cols.PERSON_NAME),
        start=start or dt.date.min,
        end=end,
        decision=cells.text(cols.DECISION)[:120],
        decision_date=cells.date(cols.DECISION_DATE),
    )
    if kind in (cols.TWINNING, cols.AssignmentKind.OFFICE_VILLAGE) and not line.organisation:
        cells.refuse(cols.ORGANISATION, _("Write the organisation in charge."))
    people_kinds = (cols.AssignmentKind.COMMITTEE_VILLAGE, cols.AssignmentKind.MEMBER_HOUSEHOLD)
    if kind in people_kinds and not line.person:
        cells.refuse(cols.PERSON, _("Write the code of the person in charge."))
    village_kinds = (cols.AssignmentKind.OFFICE_VILLAGE, cols.AssignmentKind.COMMITTEE_VILLAGE)
    if kind in village_kinds and not line.village:
        cells.refuse(cols.VILLAGE, _("Write the village (its code or name)."))
    if kind == cols.AssignmentKind.MEMBER_HOUSEHOLD and not line.household_code:
        cells.refuse(cols.HOUSEHOLD_CODE, _("Write the household's code."))
    problems.extend(cells.problems)
    return None if cells.problems else line


def person_line(row: Row, problems: ProblemList | list[Problem]) -> PersonLine | None:
    """Return the people-sheet row (None, its problems added to `problems`, when a cell is
    wrong)."""
    cells = _Cells(row)
    key = cells.code(cols.PERSON)
    if not key:
        cells.refuse(
            cols.PERSON,
            _(
                "Write the person's code: a stored person's number, or a code of your own for a new one."
            ),
        )
    name = cells.text(cols.FULL_NAME)
    if not name or len(name) > 150:
        cells.refuse(cols.FULL_NAME, _("Write the full name (at most 150 characters)."))
    sex = SEX_WORDS.get(fold(cells.text(cols.SEX)))
    if sex is None:
        cells.refuse(cols.SEX, _("Write the sex as nam (male) or nữ (female)."))
    born = cells.number(cols.BIRTH_YEAR)
    if born is not None and not 1900 <= born <= dt.date.today().year:
        cells.refuse(
            cols.BIRTH_YEAR,
            _("A birth year lies between 1900 and %(year)s.") % {"year": dt.date.today().year},
        )
    ethnic_text = cells._raw(cols.ETHNICITY)
    ethnicity = ethnicity_code(ethnic_text)
    if ethnicity is None:
        cells.refuse(
            cols.ETHNICITY,
            _("Unknown ethnic group “%(value)s”: write its name or its two-digit code.")
            % {"value": cell_str(ethnic_text)},
        )
    role_text = cells.text(cols.ROLE)
    role = cols.role_of(role_text)
    if role is None:
        cells.refuse(
            cols.ROLE,
            _("Unknown role “%(value)s”: write %(roles)s.")
            % {"value": role_text, "roles": " / ".join(cols.ROLE_LABELS.values())},
        )
    phone = "".join(cells.code(cols.PHONE).split())
    if len(phone) > 20:
        cells.refuse(cols.PHONE, _("A phone number has at most 20 characters."))
    active_from, active_to = cells.period(cols.ACTIVE_FROM, cols.ACTIVE_TO)
    problems.extend(cells.problems)
    if cells.problems:
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
        commune_code=cells.code(cols.COMMUNE_CODE),
        village=cells.text(cols.VILLAGE),
        active_from=active_from or dt.date.min,
        active_to=active_to,
    )


def open_main(path: Path, name: str) -> Table:
    """Return the file's assignments table, else (a people file alone) its people table."""
    check_file(path, name)
    is_csv = path.suffix.lower() in CSV_SUFFIXES
    sheet = None if is_csv else cols.people_sheet(workbook_sheets(path, name=name))
    try:
        return open_table(
            path, cols.ASSIGNMENT_COLUMNS, name=name, skip_sheets=[sheet] if sheet else []
        )
    except InvalidInput as error:
        if not (is_csv or sheet):
            raise
        # A CSV holds one table: the assignments, or else the people.
        try:
            return open_table(path, cols.PEOPLE_COLUMNS, name=name, sheet=sheet)
        except InvalidInput:
            raise error from None


def split_tables(table: Table) -> tuple[Table | None, Table | None]:
    """Return the assignments table and the people table of the file `open_main` opened."""
    if tuple(table.columns) == cols.PEOPLE_COLUMNS:
        return None, table
    if table.path.suffix.lower() in CSV_SUFFIXES:
        return table, None
    sheet = cols.people_sheet(workbook_sheets(table.path, name=table.name))
    if sheet is None:
        return table, None
    return table, open_table(table.path, cols.PEOPLE_COLUMNS, name=table.name, sheet=sheet)
