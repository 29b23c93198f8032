"""Numbers on the census pages: 1.234.567 and 12,5 % in Vietnamese, 1,234,567 and 12.5% in English.

Thin filters over `ketnghia.core.formatting`, the one formatting path that exports and
narrative text use too (same half-up rounding in every language).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ketnghia.census.basis import basis_sentence
from ketnghia.census.importing.preview import preview_for_page
from ketnghia.core import formatting
from ketnghia.core.errors import NotFound
from ketnghia.poverty.selectors import standard_get

register = template.Library()

NO_VALUE = formatting.NO_VALUE


@register.filter
def number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """Format a count or amount with the reader's digit grouping."""
    if value is None or value == "":
        return NO_VALUE
    return formatting.format_decimal(value, int(decimals))


@register.filter
def percent(value: float | Decimal | None, decimals: int = 1) -> str:
    """Format a share given in percent: "12,5 %" (a no-break space keeps the sign on the line)."""
    if value is None or value == "":
        return NO_VALUE
    return formatting.format_percent(value, int(decimals))


@register.filter
def money(value: float | int | Decimal | None) -> str:
    """Format an amount in dong: "1.200.000 đ", "1,200,000 VND"."""
    if value is None or value == "":
        return NO_VALUE
    return formatting.format_money(value)


@register.filter
def basis(entry: Any) -> str:
    """Return why a census entry has its status, in words (the override's reason if set)."""
    return basis_sentence(
        rule=entry.rule,
        income=entry.monthly_income_per_person,
        deprivation_count=entry.deprivation_count,
        override_reason=entry.override_reason if entry.is_overridden else "",
    )


@register.filter
def deprivations(count: int | None, standard_code: str) -> str:
    """Return a household's deprivation count, or "—" under a standard that counted none.

    The income-only standards (2006–2010, 2011–2015) had no deprivation indicators: a 0 there
    would read as "deprived of nothing", which nobody measured.
    """
    if count is None:
        return NO_VALUE
    try:
        counted = standard_get(str(standard_code)).uses_deprivations
    except NotFound:
        counted = True
    return formatting.format_decimal(count, 0) if counted else NO_VALUE


@register.filter
def standard_name(code: str) -> str:
    """Name a poverty standard by its legal name ("Chuẩn nghèo đa chiều giai đoạn 2021–2025").

    Its code (`vn-2022`) is the system's key, never a reader's word; an unknown code (a local
    standard since removed) is shown as it is rather than hidden.
    """
    if not code:
        return NO_VALUE
    try:
        return str(standard_get(str(code)).name)
    except NotFound:
        return str(code)


@register.filter
def import_preview(job: Any) -> dict | None:
    """Return the change preview of an import job's report, labelled for the page."""
    return preview_for_page(job.report.get("report") or {})
