"""Vietnamese text and number helpers shared by search, imports and reports."""

from __future__ import annotations

import re
import unicodedata

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


def format_number(value: float | int, decimals: int = 0) -> str:
    """Format a number the Vietnamese way: 1.234.567 and 12,5."""
    formatted = f"{value:,.{decimals}f}"
    return formatted.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
