"""The one builder of the fill-in workbooks every importer hands out (its `template`).

An importer declares what is its own: its data sheets (`Sheet`) — the columns (`Col`, or
`col(field)` from its spec's `Field`: header, help, the number format of its type), the
pre-filled rows, the lines above the header — and the instructions; `template_workbook`
writes them the same way for every importer:

- an instructions sheet (the importer's lines, then each column's help), the first data
  sheet open;
- on each data sheet the heading lines (the first in bold), the header row (bold, shaded,
  wrapped; a column's comment on its cell), the column widths, the header frozen;
- the pre-filled rows, and `spare` empty rows below them, with each column's number format
  and check: a drop-down list (its values on a hidden sheet, one column per distinct list,
  or written inline) or a range of whole numbers;
- the mark (`imports.mark.mark_workbook`): the scope and year in the document properties.

Every text cell goes through `core.outputs.xlsx_set` (a name beginning with "=" stays a name).
What the template writes, the import reads back unchanged: each importer's round-trip test
holds the two together.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ketnghia.core.outputs import xlsx_set
from ketnghia.imports.mark import mark_workbook
from ketnghia.imports.spec import Field

INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
HEADER_FILL = "DDEBF7"
DATE_FORMAT = "dd/mm/yyyy"
AMOUNT_FORMAT = "#,##0"
_FORMATS = {"date": DATE_FORMAT}


@dataclass(frozen=True)
class Col:
    """A column of a template: its header, and what its cells offer the one filling them in."""

    header: str
    width: float = 22
    # The number format of its cells ("dd/mm/yyyy", "#,##0").
    format: str = ""
    # A drop-down list (none when empty), on the lists sheet or, `inline`, in the check itself.
    choices: Sequence[str] = ()
    inline: bool = False
    # Whole numbers from the first to the second (no upper bound: None); `error` when not.
    whole: tuple[int, int | None] | None = None
    error: str = ""
    comment: str = ""
    fill: str = HEADER_FILL
    # A line of the instructions ("header: help").
    help: str = ""


def col(field: Field, **options: Any) -> Col:
    """Return the template column of a spec's `field`: its header, its help, its type's format."""
    return Col(
        field.header, **{"help": field.help, "format": _FORMATS.get(field.type, "")} | options
    )


@dataclass(frozen=True)
class Sheet:
    """A data sheet of a template: the lines above the header, the columns, the rows."""

    title: str
    columns: Sequence[Col]
    rows: Sequence[Sequence[Any]] = ()
    heading: Sequence[str] = ()
    header_row: int = 1
    # Empty rows below the pre-filled ones given the columns' formats and checks.
    spare: int = 0
    # How many columns stay in view when scrolling right.
    freeze: int = 0


def template_workbook(
    sheets: Sequence[Sheet],
    *,
    instructions: Sequence[str],
    mark: Mapping[str, Any],
    instructions_first: bool = False,
) -> bytes:
    """Return the .xlsx of `sheets`, with its instructions, lists and `mark` (`mark_workbook`).

    The instructions sheet comes last unless `instructions_first`: a workbook converted to
    CSV without a person choosing the sheet (`soffice --convert-to csv`) gives its first.
    """
    workbook = Workbook()
    guide = workbook.active
    guide.title = INSTRUCTIONS_SHEET
    helps = [f"{c.header}: {c.help}" for sheet in sheets for c in sheet.columns if c.help]
    for row, line in enumerate([*instructions, *helps], start=1):
        xlsx_set(guide.cell(row, 1), line)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 110
    # Every data sheet made first, so the lists sheet comes last.
    targets = [workbook.create_sheet(sheet.title) for sheet in sheets]
    lists: dict[tuple[str, ...], str] = {}

    def list_formula(column: Col) -> str:
        values = tuple(column.choices)
        if column.inline:
            return '"' + ",".join(values) + '"'
        if values not in lists:
            target = workbook[LISTS_SHEET] if lists else workbook.create_sheet(LISTS_SHEET)
            target.sheet_state = "hidden"
            lists[values] = get_column_letter(len(lists) + 1)
            for row, value in enumerate((column.header, *values), start=1):
                xlsx_set(target[f"{lists[values]}{row}"], value)
        letter = lists[values]
        return f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    for target, sheet in zip(targets, sheets, strict=True):
        _write(target, sheet, list_formula)
    if not instructions_first:
        workbook.move_sheet(guide, len(workbook.sheetnames) - 1)
    workbook.active = workbook.sheetnames.index(sheets[0].title)
    mark_workbook(workbook, **mark)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(target: Any, sheet: Sheet, list_formula: Callable[[Col], str]) -> None:
    for row, line in enumerate(sheet.heading, start=1):
        xlsx_set(target.cell(row, 1), line)
    if sheet.heading:
        target["A1"].font = Font(bold=True, size=14)
    top = sheet.header_row
    for index, column in enumerate(sheet.columns, start=1):
        cell = xlsx_set(target.cell(top, index), column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.fill = PatternFill("solid", fgColor=column.fill)
        if column.comment:
            cell.comment = Comment(column.comment, "ketnghia")
        target.column_dimensions[get_column_letter(index)].width = column.width
    # Tall enough for the wrapped headers (Excel does not fit a row to wrapped text itself).
    lines = max((math.ceil(len(c.header) * 1.2 / c.width) for c in sheet.columns), default=1)
    target.row_dimensions[top].height = 15 * lines
    target.freeze_panes = target.cell(top + 1, sheet.freeze + 1)
    for row, values in enumerate(sheet.rows, start=top + 1):
        for index, value in enumerate(values, start=1):
            if value is not None:
                xlsx_set(target.cell(row, index), value)
    last = top + len(sheet.rows) + sheet.spare
    if last == top:
        return
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        if column.format:
            for row in range(top + 1, last + 1):
                target[f"{letter}{row}"].number_format = column.format
        check = None
        if column.choices:
            check = DataValidation(type="list", formula1=list_formula(column), allow_blank=True)
            check.error, check.errorTitle = (
                _("Choose a value from the list."),
                _("Value not in the list"),
            )
        elif column.whole is not None:
            low, high = column.whole
            check = DataValidation(
                type="whole",
                operator="greaterThanOrEqual" if high is None else "between",
                formula1=str(low),
                formula2=None if high is None else str(high),
            )
            check.error = column.error
        if check is not None:
            check.add(f"{letter}{top + 1}:{letter}{last}")
            target.add_data_validation(check)
