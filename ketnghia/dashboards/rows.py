"""A dashboard shaped for storage: `Dashboard` and `Coverage` to JSON and back.

The stored form is language-neutral, so one row serves every language: the dashboard is
computed with translation deactivated (its translated strings are then their msgids) and
what depends on the language is put back when the row is read — the figures' labels (each
`Figure` carries both), the trend lines' names (translated from their msgids), the breaks'
labels (both kept) and the map's legend. The links of the map's communes carry the request's
query, so they are made when read too. Program and unit are the page's own (not stored).

Only the classes named in `_CLASSES` are decoded: a row never names code to run.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.dashboards.models import DashboardRow
from ketnghia.dashboards.rules import LegendItem, rate_legend
from ketnghia.dashboards.selectors import (
    BreakMarker,
    ChoroplethMap,
    Coverage,
    Dashboard,
    KeyFigure,
    MapArea,
    RankingRow,
    TrendLine,
    coverage_for,
    dashboard_for,
)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.coverage import FigureCoverage, MissingUnit
from ketnghia.indicators.domain import Figure
from ketnghia.programs.models import Program

# Bumped when the stored form changes: rows of another format are computed afresh.
FORMAT = 1

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        BreakMarker,
        ChoroplethMap,
        Coverage,
        Figure,
        FigureCoverage,
        KeyFigure,
        LegendItem,
        MapArea,
        MissingUnit,
        RankingRow,
        TrendLine,
    )
}
# What a stored unit keeps (the page shows its code and name, links by its code).
_UNIT_FIELDS = ("id", "code", "name", "path", "level")
# `Dashboard` fields that are the page's own, not stored.
_PAGE_OWN = ("program", "unit")


def _encode(value: Any) -> Any:
    if isinstance(value, Unit):
        return {"__unit": {name: getattr(value, name) for name in _UNIT_FIELDS}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise TypeError(f"{name} is not stored in a dashboard row")
        return {
            "__t": name,
            **{f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, datetime):
        return {"__dt": value.isoformat()}
    if isinstance(value, tuple):
        return {"__tuple": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {"__dict": [[key, _encode(item)] for key, item in value.items()]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} is not stored in a dashboard row")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__t" in value:
        cls = _CLASSES[value["__t"]]
        return cls(**{k: _decode(v) for k, v in value.items() if k != "__t"})
    if "__unit" in value:
        return Unit(**value["__unit"])
    if "__dt" in value:
        return datetime.fromisoformat(value["__dt"])
    if "__tuple" in value:
        return tuple(_decode(item) for item in value["__tuple"])
    if "__dict" in value:
        return {key: _decode(item) for key, item in value["__dict"]}
    raise ValueError("not a stored dashboard value")


def encode(
    dashboard: Dashboard, coverage: Coverage | None, *, breaks_en: list[str]
) -> dict[str, Any]:
    """Return the stored form of a dashboard computed with translation deactivated.

    `breaks_en` are the English labels of `dashboard.breaks` (computed in Vietnamese).
    """
    fields = {
        f.name: _encode(getattr(dashboard, f.name))
        for f in dataclasses.fields(dashboard)
        if f.name not in _PAGE_OWN
    }
    return {
        "format": FORMAT,
        "dashboard": fields,
        "coverage": _encode(coverage),
        "breaks_en": breaks_en,
    }


def decode(
    data: dict[str, Any], *, program: Program, unit: Unit, map_url: Any = None
) -> tuple[Dashboard, Coverage | None] | None:
    """Return the dashboard and coverage of a stored row in the active language (None when
    the row is of another format)."""
    if data.get("format") != FORMAT:
        return None
    fields = {name: _decode(value) for name, value in data["dashboard"].items()}
    dashboard = Dashboard(program=program, unit=unit, **fields)
    vietnamese = (get_language() or "vi").startswith("vi")
    key_label = _("Poverty rate of the key communes")
    dashboard.figures = [
        dataclasses.replace(
            item,
            label=key_label
            if item.disaggregation
            else (item.figure.label_vi if vietnamese else item.figure.label_en),
        )
        for item in dashboard.figures
    ]
    dashboard.trends = [dataclasses.replace(line, name=_(line.name)) for line in dashboard.trends]
    if not vietnamese:
        dashboard.breaks = [
            dataclasses.replace(marker, label=label)
            for marker, label in zip(dashboard.breaks, data["breaks_en"], strict=True)
        ]
    if dashboard.commune_map is not None:
        dashboard.commune_map = dataclasses.replace(
            dashboard.commune_map,
            legend=rate_legend(),
            areas=[
                dataclasses.replace(
                    area,
                    url=map_url(area.code)
                    if area.url is not None and map_url is not None
                    else None,
                )
                for area in dashboard.commune_map.areas
            ],
        )
    return dashboard, _decode(data["coverage"])


def stored_dashboard_for(
    *,
    scope: UnitScope,
    program: Program,
    unit: Unit,
    year: int | None,
    official: bool,
    version: str,
    map_url: Any = None,
) -> tuple[Dashboard, Coverage | None] | None:
    """Return a province's dashboard and coverage from its stored row (one or two indexed
    reads), or None when the page must compute them: not a province, a scope that does not
    hold the whole province (the row is shaped for all of it), no row of data version
    `version` for the year asked (or, without a year, the last), another format.
    """
    if unit.level != UnitLevel.PROVINCE or not scope.contains_path(unit.path):
        return None
    rows = DashboardRow.objects.filter(program=program, unit=unit, official=official)
    found = None
    if year is not None:
        found = next(iter(rows.filter(year=year).values_list("version", "data")), None)
    if found is None:
        # No row for the year asked: the page shows the last year with data instead, unless
        # the year has data and only its row is missing.
        found = next(iter(rows.order_by("-year").values_list("version", "data")[:1]), None)
        if found is None or year in found[1].get("dashboard", {}).get("years", []):
            return None
    stored_version, data = found
    if stored_version != version:
        return None
    return decode(data, program=program, unit=unit, map_url=map_url)


def shape(*, program: Program, province: Unit, year: int | None, official: bool) -> dict[str, Any]:
    """Return the stored form of `province`'s dashboard (computed over the whole province)."""
    with translation.override(None):
        dashboard = dashboard_for(
            scope=EVERYTHING,
            program=program,
            unit=province,
            year=year,
            official=official,
            map_url=lambda code: code,  # a link is made when read (it carries the query)
        )
        coverage = coverage_for(
            scope=EVERYTHING,
            program=program,
            unit=province,
            year=dashboard.year,
            official=bool(dashboard.official),
        )
    breaks_en = (
        [
            b.label_en
            for b in indicators.breaks_in_series(program=program, years=sorted(dashboard.years))
        ]
        if dashboard.breaks
        else []
    )
    return encode(dashboard, coverage, breaks_en=breaks_en)
