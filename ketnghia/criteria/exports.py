"""The commune's criteria matrix as an .xlsx workbook (every text cell through core.outputs)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ketnghia.core.outputs import xlsx_append
from ketnghia.criteria.display import criterion_label, set_label, state_words, value_text
from ketnghia.geo.models import Unit


def _heading(criterion: Any) -> str:
    """Return a column's heading: the criterion's label with its unit ("Tỷ lệ hộ nghèo (%)")."""
    label = criterion_label(criterion)
    return f"{label} ({criterion.unit})" if criterion.unit else label


def _sheet(
    book: Workbook, title: str, criteria_set: Any, rows: list[dict[str, Any]], first: bool
) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    xlsx_append(
        sheet,
        [
            _("%(set)s (version %(version)s)")
            % {"set": set_label(criteria_set), "version": criteria_set.version}
        ],
    )
    header = [_("Code"), _("Name"), _("Result")]
    header.extend(_heading(criterion) for criterion in criteria_set.criteria)
    xlsx_append(sheet, header)
    by_code = {criterion.code: criterion for criterion in criteria_set.criteria}
    for row in rows:
        assessment = row["assessment"]
        values: list[Any] = [
            row["unit"].code,
            row["unit"].name,
            assessment.get_outcome_display() if assessment else "",
        ]
        for cell in row["cells"]:
            text = state_words(cell["state"])
            criterion = cell.get("criterion") or by_code.get(cell.get("code", ""))
            shown = (
                value_text(criterion, cell.get("value"), cell.get("threshold"))
                if criterion is not None
                else ""
            )
            values.append(f"{text} ({shown})" if shown else text)
        xlsx_append(sheet, values)


def matrix_workbook(
    *,
    commune: Unit,
    year: int,
    village_set: Any,
    commune_set: Any,
    rows: list[dict[str, Any]],
    commune_row: Any,
) -> bytes:
    """Return the matrix workbook: a sheet of villages, a sheet of the commune's own result."""
    book = Workbook()
    first = True
    if village_set is not None:
        _sheet(book, _("Villages %(year)s") % {"year": year}, village_set, rows, first)
        first = False
    if commune_set is not None and commune_row is not None:
        _sheet(book, _("Commune %(year)s") % {"year": year}, commune_set, [commune_row], first)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
