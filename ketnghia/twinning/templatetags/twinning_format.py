"""A coverage figure on a page: "12/20 (60,0 %)", grouped and in the reader's language."""

from __future__ import annotations

from django import template

from ketnghia.census.templatetags.census_format import number, percent
from ketnghia.twinning.rules import Ratio

register = template.Library()


@register.filter
def ratio(value: Ratio | None) -> str:
    if value is None:
        return "—"
    text = f"{number(value.numerator)}/{number(value.denominator)}"
    if value.share is not None and value.denominator > 1:
        text += f" ({percent(value.share * 100)})"
    return text


@register.filter
def measure(measures: dict, name: str) -> Ratio | None:
    return measures.get(name) if measures else None


@register.filter
def get_item(mapping: dict, key: object):
    return mapping.get(key)
