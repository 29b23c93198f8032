"""Vietnamese text and number helpers shared by search, imports and reports."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _

from ketnghia.core.formatting import format_decimal

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return `text` lower-cased without diacritics, for diacritic-insensitive matching.

    "Đắk Hà", "Đăk Hà" and "dak  ha" all fold to "dak ha"; NFC and NFD input fold alike.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().casefold()


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with surrounding whitespace removed."""
    return unicodedata.normalize("NFC", text).strip()


def format_number(value: float | int | Decimal, decimals: int = 0) -> str:
    """Format a number the Vietnamese way, whatever the active language: 1.234.567 and 12,5.

    Rounded half up like every figure (`ketnghia.core.formatting`); for text in the reader's
    language use `formatting.format_count`, `format_percent` or `format_money`.
    """
    return format_decimal(value, decimals, language="vi")


# --- Numbers -------------------------------------------------------------------------------

_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"(?:vnđ|vnd|đồng|dong|đ)$", re.IGNORECASE)
_PLAIN = re.compile(r"\d+")
# "1.500.000" and "1.500.000,5": Vietnamese grouping with dots, decimal comma.
_VI_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
# "1,500,000" (two groups at least, so it cannot be a Vietnamese decimal), "1,500,000.5", and
# "1,234.5" (a comma before a decimal dot can only be grouping).
_EN_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+")
_AMBIGUOUS_COMMA = re.compile(r"\d{1,3},\d{3}")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL_DOT = re.compile(r"\d+\.\d+")


class AmbiguousNumber(ValueError):
    """A number that reads differently to a Vietnamese and an English reader ("1,500")."""


def parse_amount(value: str | int | float | Decimal) -> Decimal:
    """Return a number written the Vietnamese way (money above all), or raise ValueError.

    "1.500.000", "1500000", "1 500 000", "1.500.000 đ", "1,500,000" and a spreadsheet's
    1500000.0 all give 1500000: dots and spaces group thousands, so "700.000" is seven
    hundred thousand, and the comma is the decimal mark ("0,5", "1.500.000,5"). "1,500" is
    refused (`AmbiguousNumber`): it is 1.5 to a Vietnamese reader and 1500 to an English one.
    The ValueError's message is for the user, in the active language.
    """
    if isinstance(value, bool):
        raise ValueError(_("Expected a number."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise ValueError(_("Expected a number."))
        return number
    text = str(value)
    cleaned = _CURRENCY.sub("", _NUMBER_SPACES.sub("", unicodedata.normalize("NFC", text)))
    sign = 1
    if cleaned[:1] in {"-", "−"}:
        sign, cleaned = -1, cleaned[1:]
    elif cleaned[:1] == "+":
        cleaned = cleaned[1:]
    if _PLAIN.fullmatch(cleaned):
        number_text = cleaned
    elif _VI_GROUPED.fullmatch(cleaned):
        number_text = cleaned.replace(".", "").replace(",", ".")
    elif _EN_GROUPED.fullmatch(cleaned):
        number_text = cleaned.replace(",", "")
    elif _AMBIGUOUS_COMMA.fullmatch(cleaned):
        raise AmbiguousNumber(
            _("“%(value)s” is ambiguous; write %(plain)s or %(grouped)s.")
            % {
                "value": text.strip(),
                "plain": cleaned.replace(",", ""),
                "grouped": cleaned.replace(",", "."),
            }
        )
    elif _DECIMAL_COMMA.fullmatch(cleaned):
        number_text = cleaned.replace(",", ".")
    elif _DECIMAL_DOT.fullmatch(cleaned):
        number_text = cleaned
    else:
        raise ValueError(
            _("“%(value)s” is not an amount; write it like 1.500.000.") % {"value": text.strip()}
        )
    return sign * Decimal(number_text)
