"""What one cell of a table may hold: text, a code, an integer, a number the Vietnamese way
("0,5", "50%"), a date ("01/07/2025", or a spreadsheet serial). Each parser raises
`CellError` with a translatable message; importers turn it into a `Problem`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ketnghia.core.text import AmbiguousNumber, parse_amount


class CellError(ValueError):
    """A cell that cannot be read as the wanted type; the message is for the user."""


class ExcelError(str):
    """An Excel error value read from a workbook cell ("#N/A"); equal to its text."""


class PercentNumber(float):
    """A number read from a cell formatted as a percentage: 0.97 is shown (and typed) 97 %.

    Only the columns that ask for it (`Column(percent=True)`) have their cells marked; the
    value is the fraction the file stores, so a parser of shares reads it unchanged and
    `cell_percent` reads it as the percent it shows.
    """


# Excel's error values and what each means, for the message that refuses one. A CSV cell
# holding exactly one of these texts is the same error, saved as text.
EXCEL_ERRORS = {
    "#N/A": gettext_noop("no value is available"),
    "#DIV/0!": gettext_noop("a division by zero"),
    "#VALUE!": gettext_noop("a value of the wrong type in a formula"),
    "#REF!": gettext_noop("a reference to a cell that no longer exists"),
    "#NAME?": gettext_noop("an unknown name in a formula"),
    "#NUM!": gettext_noop("an invalid number"),
    "#NULL!": gettext_noop("ranges that do not intersect"),
    "#SPILL!": gettext_noop("a result that cannot spill into its cells"),
    "#CALC!": gettext_noop("a calculation Excel cannot do"),
    "#GETTING_DATA": gettext_noop("a value still being fetched"),
}
EXCEL_ERROR_TEXTS = frozenset(EXCEL_ERRORS)


def excel_error(value: Any) -> str | None:
    """Return the Excel error a cell holds ("#N/A"), None if it holds none."""
    if isinstance(value, ExcelError):
        return str(value)
    if isinstance(value, str) and "#" in value[:8]:
        text = value.strip().upper()
        if text in EXCEL_ERROR_TEXTS:
            return text
    return None


def excel_error_message(error: str) -> str:
    """Return the message refusing a cell that holds the Excel error `error`."""
    meaning = EXCEL_ERRORS.get(error)
    if meaning is None:
        return _(
            "The cell holds the Excel error %(error)s; correct the formula or type the value."
        ) % {"error": error}
    return _(
        "The cell holds the Excel error %(error)s (%(meaning)s); correct the formula or type "
        "the value."
    ) % {"error": error, "meaning": _(meaning)}


def _refuse_error(value: Any) -> None:
    error = excel_error(value)
    if error is not None:
        raise CellError(excel_error_message(error))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_cell(value: Any) -> Any:
    """Return a cell with text in NFC and trimmed; blank text becomes None."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    return value


def cell_text(value: Any) -> str:
    """Return a cell as text: "" when blank, 23500.0 as "23500", a date as ISO."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def cell_code(value: Any) -> str:
    """Return a code cell as text; Excel's leading apostrophe (forcing text) is dropped."""
    _refuse_error(value)
    return cell_text(value).lstrip("'").strip()


def cell_int(value: Any) -> int:
    """Return a cell as an integer ("2016", 2016.0); CellError otherwise."""
    _refuse_error(value)
    if isinstance(value, bool):
        raise CellError(_("Expected a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value).replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(_("Expected a whole number, found “%(value)s”.") % {"value": text})


def cell_decimal(value: Any) -> Decimal:
    """Return a cell as a Decimal, read the Vietnamese way by `core.text.parse_amount`.

    Dots and spaces group thousands ("1.234.567", "700.000" is seven hundred thousand), the
    comma is the decimal mark ("0,5", "1.234,5"); "1,234.5" and "1,234,567" are read as
    English; "1,500" is refused as ambiguous, with a message saying how to write it.
    """
    _refuse_error(value)
    try:
        return parse_amount(value)
    except AmbiguousNumber as error:
        raise CellError(str(error)) from None
    except ValueError:
        raise CellError(
            _("Expected a number, found “%(value)s”.") % {"value": cell_text(value)}
        ) from None


def cell_fraction(value: Any) -> Decimal:
    """Return a share as a Decimal: 0.5, "0,5" and "50%" all give 0.5 (range not checked)."""
    text = cell_text(value)
    if text.endswith("%"):
        return cell_decimal(text[:-1]) / 100
    return cell_decimal(value)


def _plain(number: Decimal) -> str:
    """Return a number as an officer writes it, decimal comma and no grouping (85,5)."""
    return format(number.normalize() + 0, "f").replace(".", ",")


def cell_percent(value: Any) -> Decimal:
    """Return a percentage (0–100 scale) as the officer wrote it; range not checked.

    A cell formatted as a percentage shows 97 % and stores 0.97: it gives 97 (85,5 % gives
    85.5). Text with a percent sign ("97%", "85,5 %") gives the number before the sign. A
    plain number above 0 and below 1 ("0,97" in a General cell or a CSV) is refused as
    ambiguous: 97 % written as a fraction, or less than one percent? Whole numbers and
    numbers from 1 up are the percent itself.
    """
    _refuse_error(value)
    if isinstance(value, PercentNumber):
        return (Decimal(repr(float(value))) * 100).normalize() + 0
    text = cell_text(value)
    if text.endswith("%"):
        return cell_decimal(text[:-1].strip())
    number = cell_decimal(value)
    if 0 < number < 1:
        raise CellError(
            _(
                "“%(value)s” in a column of percentages is ambiguous: write %(percent)s for "
                "%(percent)s %%, or “%(value)s %%” for less than one percent (or format the "
                "cell as a percentage)."
            )
            % {"value": text.replace(".", ","), "percent": _plain(number * 100)}
        )
    return number


_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"), ("d", "m", "y")),
)


# Excel counts days from 30 December 1899; a date typed into a cell formatted as a number
# arrives as that count.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def cell_date(value: Any) -> dt.date:
    """Return a cell as a date: a spreadsheet date, "dd/mm/yyyy" (Vietnamese order) or ISO."""
    _refuse_error(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = cell_text(value)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise CellError(
        _("Expected a date as dd/mm/yyyy or yyyy-mm-dd, found “%(value)s”.") % {"value": text}
    )
