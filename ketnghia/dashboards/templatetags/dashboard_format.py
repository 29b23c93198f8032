"""Figures on the dashboards, through the one formatting path (`ketnghia.core.formatting`)."""

from __future__ import annotations

from typing import Any

from django import template

from ketnghia.core import formatting

register = template.Library()


@register.filter
def figure_value(figure: Any, decimals: int = 1) -> str:
    """Format a figure's value: "34,0 %" for a percentage, "4.812" for a count or a sum."""
    if figure is None or figure.value is None:
        return formatting.NO_VALUE
    if figure.factor == 100:
        return formatting.format_percent(figure.value, int(decimals))
    return formatting.format_count(figure.value)


@register.filter
def target_value(value: float | None, figure: Any) -> str:
    """Format a target in the unit of its figure."""
    if value is None:
        return formatting.NO_VALUE
    if figure.factor == 100:
        return formatting.format_percent(value, 0 if float(value).is_integer() else 1)
    return formatting.format_count(value)


@register.filter
def count(value: float | int | None) -> str:
    """Format a count ("1.148"); None gives "—"."""
    return formatting.format_count(value)


@register.filter
def percent(value: float | None, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))
