"""What one cell of a census file may hold, read one value at a time (no ORM, no I/O).

The column checks of `checks` call these only where their fast path cannot read a
cell, and cache the answer per distinct value (a column holds few distinct dates, member
counts or village names).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.census.importing import columns as cols
from ketnghia.core.text import fold, parse_amount
from ketnghia.imports.readers import CellError, cell_date
from ketnghia.imports.values import Village, VillageLookup, cell_str, code, whole_number
from ketnghia.poverty.rules import income_problem

MAX_MEMBERS = 99
# The cell values and the village lookup every import shares live in `imports.values`.
__all__ = ["Village", "VillageLookup", "cell_str", "code", "whole_number"]


def member_count(value: Any) -> tuple[int | None, str | None]:
    """Return (a member count or None when blank, message or None)."""
    try:
        count = whole_number(value)
    except CellError as error:
        return None, str(error)
    if count is not None and not 1 <= count <= MAX_MEMBERS:
        return None, _("A household has between 1 and %(max)s members.") % {"max": MAX_MEMBERS}
    return count, None


def survey_date(value: Any, year: int) -> tuple[str | None, str | None]:
    """Return (ISO date or None when blank, message or None) for a survey date cell."""
    if not isinstance(value, dt.date | int | float) and not cell_str(value):
        return None, None
    try:
        day = cell_date(value)
    except CellError as error:
        return None, str(error)
    # A census of year Y is collected from the last months of Y-1 into Y+1 at the latest.
    if not year - 1 <= day.year <= year + 1:
        return None, _("The survey date %(date)s is far from the census year %(year)s.") % {
            "date": day.strftime("%d/%m/%Y"),
            "year": year,
        }
    return day.isoformat(), None


def income_cell(value: Any, ceiling: int) -> int | str:
    """Return an income in whole đồng (rounded up), or the message saying what is wrong."""
    if type(value) is int:
        amount: Any = value
    elif not cell_str(value):
        return _("The monthly income per person is empty.")
    else:
        try:
            amount = parse_amount(value if not isinstance(value, str) else cell_str(value))
        except ValueError as error:
            return str(error)
    message = income_problem(amount, ceiling)
    if message is not None:
        return message
    # Every poverty line is a whole number of đồng, so rounding up keeps every comparison.
    return math.ceil(amount)


def flag(value: Any) -> int | str | None:
    """Return 1 or 0 for a deprivation cell, None when blank, "bad" otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if value in (0, 1) else "bad"
    text = cell_str(value)
    if not text:
        return None
    return cols.FLAG_WORDS.get(fold(text), "bad")
