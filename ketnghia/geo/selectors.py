"""Reads of administrative units, always through a scope handed out by the gate."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.core.text import fold
from ketnghia.geo.models import Succession, Unit, UnitClassification, UnitLevel
from ketnghia.geo.rules import Carried, SuccessionEdge, carry_ratio, reaggregate


def unit_list_for(
    *, scope: UnitScope, level: str | None = None, parent: Unit | None = None
) -> QuerySet[Unit]:
    """Return the units inside `scope`, optionally of one level or under one parent."""
    units = scope.filter(Unit.objects.all())
    if level is not None:
        units = units.filter(level=level)
    if parent is not None:
        units = units.filter(parent=parent)
    return units.select_related("parent")


def unit_get_for(*, scope: UnitScope, code: str) -> Unit:
    """Return the unit with `code` if it is inside `scope`; NotFound for missing and forbidden alike."""
    unit = scope.filter(Unit.objects.select_related("parent")).filter(code=code).first()
    if unit is None:
        raise NotFound(_("Unit %(code)s not found.") % {"code": code})
    return unit


def unit_roots_for(*, scope: UnitScope) -> QuerySet[Unit]:
    """Return the top units of the scope: provinces for everything, else the scope's roots."""
    if scope.everything:
        units = Unit.objects.filter(level=UnitLevel.PROVINCE)
    else:
        units = Unit.objects.filter(path__in=scope.paths)
    return units.annotate(child_count=Count("children")).order_by("path")


def unit_children_for(*, scope: UnitScope, unit: Unit) -> QuerySet[Unit]:
    """Return the children of `unit` inside `scope`, with their own child counts."""
    return (
        scope.filter(Unit.objects.filter(parent=unit))
        .annotate(child_count=Count("children"))
        .order_by("code")
    )


def unit_search_for(*, scope: UnitScope, query: str, limit: int = 50) -> QuerySet[Unit]:
    """Return units inside `scope` whose name contains every word of `query`, ignoring diacritics."""
    words = fold(query).split()
    units = scope.filter(Unit.objects.select_related("parent"))
    if not words:
        return units.none()
    for word in words:
        units = units.filter(search_name__contains=word)
    return units.order_by("path")[:limit]


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """Return the units above `unit`, province first."""
    by_code = Unit.objects.in_bulk(unit.ancestor_codes, field_name="code")
    return [by_code[code] for code in unit.ancestor_codes if code in by_code]


def unit_classification_history(*, unit: Unit) -> QuerySet[UnitClassification]:
    """Return the classifications of `unit`, newest period first."""
    return unit.classifications.order_by("scheme", "-start_year")


def succession_edges() -> list[SuccessionEdge]:
    """Return every stored succession as an edge between unit codes.

    Unit structure is public information, so this read needs no scope; the figures it is
    used to carry are scoped by whoever reads them.
    """
    rows = Succession.objects.values_list("old_unit__code", "new_unit__code", "date", "share")
    return [SuccessionEdge(old, new, day, share) for old, new, day, share in rows]


def values_reaggregated(
    values: Mapping[str, float], *, as_of: date, data_date: date
) -> dict[str, float]:
    """Return per-unit counts of `data_date` carried to the units in force on `as_of`."""
    return reaggregate(values, succession_edges(), as_of=as_of, data_date=data_date)


def ratio_reaggregated(
    figures: Mapping[str, tuple[float, float]], *, as_of: date, data_date: date
) -> dict[str, Carried]:
    """Return per-unit (numerator, denominator) pairs of `data_date` carried to the units in
    force on `as_of`, each with the old units it came from (for a drill-down)."""
    return carry_ratio(figures, succession_edges(), as_of=as_of, data_date=data_date)
