"""The one way a count, a rate or an amount of money becomes text, per language.

Pages (the `census_format` template filters), exports and narrative text all call these, so
482 of 1,129 households reads "42,7 %" in Vietnamese and "42.7%" in English, never 42.6 in one
and 42.7 in the other. Rounding is half up (away from zero) on the decimal value, one decimal
for rates by default: Python's `format()` and Django's `number_format` round half to even or
truncate, which is how the two languages used to disagree.

Vietnamese: dots group thousands, the comma is the decimal mark, a no-break space before
"%" and "đ" (1.148 hộ; 12,5 %; 1.200.000 đ). English: 1,148; 12.5%; 1,200,000 VND.
Nothing here reads settings or the database; the language is the active one unless given.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

NO_VALUE = "—"
NBSP = "\u00a0"

Number = int | float | Decimal

# (thousands separator, decimal mark) per language; Vietnamese is the default.
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def _language(language: str | None) -> str:
    code = (language or get_language() or "vi").lower()
    return "en" if code.startswith("en") else "vi"


def round_half_up(value: Number, decimals: int = 0) -> Decimal:
    """Return `value` rounded to `decimals` places, halves away from zero (2,45 → 2,5)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_decimal(value: Number, decimals: int = 0, *, language: str | None = None) -> str:
    """Return `value` rounded half up to `decimals` places with the language's separators."""
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # "-0,0" reads as a negative nothing
    thousands, mark = _SEPARATORS[_language(language)]
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    text = thousands.join([whole, *groups])
    return f"{sign}{text}{mark}{fraction}" if decimals > 0 else f"{sign}{text}"


def format_count(value: Number | None, *, language: str | None = None) -> str:
    """Return a count of households, people or rows: "1.148" (vi), "1,148" (en); None → "—"."""
    if value is None:
        return NO_VALUE
    return format_decimal(value, 0, language=language)


def format_percent(value: Number | None, decimals: int = 1, *, language: str | None = None) -> str:
    """Return a share already in percent: "42,7 %" (vi), "42.7%" (en); None → "—"."""
    if value is None:
        return NO_VALUE
    text = format_decimal(value, decimals, language=language)
    return f"{text}%" if _language(language) == "en" else f"{text}{NBSP}%"


def rate(numerator: int, denominator: int) -> Decimal | None:
    """Return `numerator` of `denominator` in percent, exactly; None when there is nothing."""
    if not denominator:
        return None
    return Decimal(100) * Decimal(numerator) / Decimal(denominator)


def format_rate(
    numerator: int, denominator: int, decimals: int = 1, *, language: str | None = None
) -> str:
    """Return `numerator` of `denominator` as a percentage: 482 of 1,129 → "42,7 %" / "42.7%"."""
    return format_percent(rate(numerator, denominator), decimals, language=language)


def format_money(value: Number | None, *, language: str | None = None) -> str:
    """Return an amount in dong, whole: "1.200.000 đ" (vi), "1,200,000 VND" (en); None → "—"."""
    if value is None:
        return NO_VALUE
    text = format_decimal(value, 0, language=language)
    return f"{text}{NBSP}VND" if _language(language) == "en" else f"{text}{NBSP}đ"
