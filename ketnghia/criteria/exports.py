"""The commune's criteria matrix as an .xlsx workbook (every text cell through core.outputs)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ketnghia.core.outputs import xlsx_append
from ketnghia.core.text import format_number
from ketnghia.geo.models import Unit


def _state_label(state: str) -> str:
    return {"met": _("met"), "not_met": _("not met"), "missing": _("missing")}[state]


def _sheet(
    book: Workbook, title: str, criteria_set: Any, rows: list[dict[str, Any]], first: bool
) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    xlsx_append(sheet, [f"{criteria_set.name.vi} (v{criteria_set.version})"])
    header = [_("Code"), _("Name"), _("Result")]
    for criterion in criteria_set.criteria:
        header.append(f"{criterion.code} — {criterion.text.vi}")
    xlsx_append(sheet, header)
    for row in rows:
        assessment = row["assessment"]
        values: list[Any] = [
            row["unit"].code,
            row["unit"].name,
            assessment.get_outcome_display() if assessment else "",
        ]
        for cell in row["cells"]:
            text = _state_label(cell["state"])
            if cell["value"] is not None:
                text += f" ({format_number(cell['value'], 1)}"
                text += (
                    f" / {format_number(cell['threshold'], 1)})"
                    if cell["threshold"] is not None
                    else ")"
                )
            values.append(text)
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
