"""What one cell of a census file may hold, read one value at a time (no ORM, no I/O).

The column checks of `checks` call these only where their fast path cannot read a
cell, and cache the answer per distinct value (a column holds few distinct dates, member
counts or village names).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.census.importing import columns as cols
from ketnghia.core.text import fold, parse_amount
from ketnghia.imports.readers import CellError, cell_date, cell_text
from ketnghia.poverty.rules import income_problem

MAX_MEMBERS = 99
# Kind words before a village's name: "Làng Kon Stiu" is found by "Kon Stiu" too.
_VILLAGE_KIND_WORDS = ("to dan pho ", "tdp ", "thon ", "lang ", "ban ", "buon ", "plei ", "to ")


@dataclass(frozen=True)
class Village:
    id: int
    code: str
    name: str
    path: str
    area: str


class VillageLookup:
    """Find a commune's village by code, by name, or by name without its kind word."""

    def __init__(self, villages: list[Village]) -> None:
        self.villages = villages
        self._by_key: dict[str, Village | None] = {}
        for village in villages:
            self._by_key[fold(village.code)] = village
        # Names after codes; a name two villages share is kept as ambiguous (None).
        for village in villages:
            for key in {fold(village.name), _without_kind(fold(village.name))}:
                if key in self._by_key and self._by_key[key] is not village:
                    self._by_key[key] = None
                else:
                    self._by_key.setdefault(key, village)

    def __bool__(self) -> bool:
        return bool(self.villages)

    def find(self, text: str) -> Village | str | None:
        """Return the village `text` names, None if none does, "ambiguous" if several do."""
        key = fold(text)
        for candidate in (key, _without_kind(key)):
            if candidate in self._by_key:
                found = self._by_key[candidate]
                return "ambiguous" if found is None else found
        return None


def _without_kind(key: str) -> str:
    for word in _VILLAGE_KIND_WORDS:
        if key.startswith(word):
            return key[len(word) :].strip()
    return key


def cell_str(value: Any) -> str:
    """Return a cell as trimmed NFC text ("" when blank); the fast path is plain ASCII text."""
    if type(value) is str:
        if value.isascii():
            return value.strip()
        return unicodedata.normalize("NFC", value).strip()
    if value is None:
        return ""
    return cell_text(value)


def code(value: Any) -> str:
    text = cell_str(value)
    # Excel's leading apostrophe forces a cell to text ("'0012"); it is not part of the code.
    return text.lstrip("'").strip() if text.startswith("'") else text


def whole_number(value: Any) -> int | None:
    """Return a cell as a whole number, None when blank; CellError otherwise."""
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_str(value)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        number = parse_amount(text)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise CellError(_("Expected a whole number, found “%(value)s”.") % {"value": text})
    return int(number)


def member_count(value: Any) -> int | str | None:
    """Return a member count, None when blank, or the message saying what is wrong."""
    try:
        count = whole_number(value)
    except CellError as error:
        return str(error)
    if count is not None and not 1 <= count <= MAX_MEMBERS:
        return _("A household has between 1 and %(max)s members.") % {"max": MAX_MEMBERS}
    return count


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
