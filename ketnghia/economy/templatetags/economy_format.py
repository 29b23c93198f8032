"""Figures of the economy pages in the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ketnghia.core import formatting
from ketnghia.economy.outcomes import TRAIT_LABELS, BalanceRow
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES

register = template.Library()


@register.filter
def points(value: float | None) -> str:
    """Format a difference in shares as signed percentage points: "+8,1"."""
    if value is None:
        return formatting.NO_VALUE
    text = formatting.format_decimal(100 * value, 1)
    return text if text.startswith("-") or text.strip("0,.") == "" else f"+{text}"


@register.filter
def smd(value: float | None) -> str:
    """Format a standardised mean difference: "0,12"."""
    if value is None:
        return formatting.NO_VALUE
    return formatting.format_decimal(value, 2)


@register.filter
def money(value: int | None) -> str:
    return formatting.format_money(value)


@register.filter
def amount(value: float | None) -> str:
    if value is None:
        return formatting.NO_VALUE
    return formatting.format_decimal(value, 1)


@register.filter
def trait_label(row: BalanceRow) -> str:
    """Name a balance row: "Ethnicity of the head: Ba Na", "Commune group: key communes"."""
    label = str(TRAIT_LABELS.get(row.trait, row.trait))
    if not row.level:
        return label
    level = row.level
    if row.trait == "ethnicity":
        level = ETHNIC_GROUP_NAMES.get(level, level) or _("not recorded")
    elif row.trait == "commune_group":
        level = _("key communes") if level == "key" else _("other communes")
    elif row.trait == "region":
        level = _("region %(region)s") % {"region": level} if level else _("not recorded")
    return f"{label}: {level}"
