"""Numbers on the census pages: 1.234.567 and 12,5 % in Vietnamese, 1,234,567 and 12.5% in English.

Django's Vietnamese locale sets no digit grouping, so Vietnamese goes through
`ketnghia.core.text.format_number`; other languages through Django's own localisation.
"""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.translation import get_language

from ketnghia.core.text import format_number

register = template.Library()

NO_VALUE = "—"


def _vietnamese() -> bool:
    return (get_language() or "vi").startswith("vi")


@register.filter
def number(value: float | int | None, decimals: int = 0) -> str:
    """Format a count or amount with the reader's digit grouping."""
    if value is None or value == "":
        return NO_VALUE
    if _vietnamese():
        return format_number(value, decimals)
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: float | None, decimals: int = 1) -> str:
    """Format a share given in percent: "12,5 %" (a no-break space keeps the sign on the line)."""
    if value is None:
        return NO_VALUE
    if _vietnamese():
        return f"{format_number(value, decimals)}\u00a0%"
    return f"{number(value, decimals)}%"
