"""The error workbook of a refused import: every problem, and the rows they are on, marked.

Its first sheet lists the problems (file, sheet, row, column, message). Then, for each sheet of
the file that has problems, the header and the faulty rows as the file holds them, with the
row number, the cells at fault filled red with the message as a comment, and the messages of
the row in a last column. An officer fixes the file from it without hunting for rows. Every
cell goes through `core.outputs`: a refused name "=HYPERLINK(…)" comes back as text.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string

from ketnghia.core.errors import KetnghiaError, Problem
from ketnghia.core.outputs import xlsx_append
from ketnghia.imports.readers import Table

_BAD = PatternFill("solid", fgColor="FFC7CE")
_ROW = PatternFill("solid", fgColor="FFF2CC")
_BOLD = Font(bold=True)
# "C (Thu nhập …)": the reader names a column by its letter, then its header.
_LETTER = re.compile(r"([A-Z]{1,3})(?: \(|$)")
# Excel refuses sheet titles longer than 31 characters and some punctuation.
_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def _column_index(column: str) -> int | None:
    match = _LETTER.match(column)
    return column_index_from_string(match.group(1)) if match else None


def _title(text: str, taken: set[str]) -> str:
    title = _TITLE_BAD.sub(" ", text)[:28] or "CSV"
    candidate, number = title, 2
    while candidate in taken:
        candidate, number = f"{title} {number}", number + 1
    taken.add(candidate)
    return candidate


def _cell(value: object) -> object:
    # openpyxl refuses control characters a CSV may hold; everything else goes in as it is.
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", value)
    return value


# (header, value) → the value written: how the caller's personal-data door shows a cell.
CellView = Callable[[object, object], object]


def error_workbook(
    *, problems: Iterable[Problem], table: Table | None = None, cell_view: CellView | None = None
) -> bytes:
    """Return the .xlsx listing `problems`, with the faulty rows of `table` when given.

    Each copied cell passes `cell_view(header, value)` first, so columns of personal data
    come out masked or whole as the gate decides for the downloading user.
    """
    problems = list(problems)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Errors")[:31]
    xlsx_append(summary, [_("File"), _("Sheet"), _("Row"), _("Column"), _("Problem")])
    for cell in summary[1]:
        cell.font = _BOLD
    for problem in problems:
        where = problem.location
        xlsx_append(
            summary,
            [
                where.file,
                where.sheet,
                where.row,
                where.column or where.field,
                force_str(problem.message),
            ],
        )
    for letter, width in zip("ABCDE", (24, 16, 8, 30, 90), strict=True):
        summary.column_dimensions[letter].width = width

    if table is not None:
        # The rows may not read to the end (a quote never closed): the rows copied so far
        # stay, and the first sheet lists every problem, that one included.
        with contextlib.suppress(KetnghiaError):
            _faulty_rows(workbook, problems, table, cell_view or (lambda _header, value: value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _faulty_rows(
    workbook: Workbook, problems: list[Problem], table: Table, cell_view: CellView
) -> None:
    by_sheet: dict[str, dict[int, list[Problem]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        where = problem.location
        if where.row is not None and where.sheet in table.sheets:
            by_sheet[where.sheet][where.row].append(problem)
    taken = {workbook.active.title}
    for sheet_name in table.sheets:
        rows = by_sheet.get(sheet_name)
        if not rows:
            continue
        sheet = workbook.create_sheet(_title(sheet_name or table.name, taken))
        header_row = table.header_row(sheet_name)
        written = 1
        width = 0
        headers: list[object] = []
        last = max(rows)
        for number, values in table.raw_rows(sheet_name):
            if number == header_row:
                xlsx_append(sheet, [_("Row"), *(_cell(v) for v in values), _("Problems")])
                for cell in sheet[1]:
                    cell.font = _BOLD
                width = len(values)
                headers = list(values)
                continue
            found = rows.get(number)
            if not found:
                if number > last:
                    break
                continue
            written += 1
            padded = list(values) + [None] * max(0, width - len(values))
            padded = [
                cell_view(headers[i] if i < len(headers) else None, v) for i, v in enumerate(padded)
            ]
            messages = "\n".join(force_str(p.message) for p in found)
            xlsx_append(sheet, [number, *(_cell(v) for v in padded), messages])
            sheet.cell(written, 1).fill = _ROW
            for problem in found:
                index = _column_index(problem.location.column)
                target = sheet.cell(written, index + 1 if index else 1)
                target.fill = _BAD
                note = force_str(problem.message)
                if target.comment is not None:
                    note = f"{target.comment.text}\n{note}"
                target.comment = Comment(note, "ketnghia")
        sheet.freeze_panes = "B2"
