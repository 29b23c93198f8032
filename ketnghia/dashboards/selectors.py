"""Reads of the dashboards: figures only through the indicators engine's selectors.

Nothing here reads census entries or households: every number comes from
`ketnghia.indicators.selectors` (the maintained aggregates), and the units' names and
places from `geo`. Each function makes a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ketnghia.census.models import CensusRound
from ketnghia.census.selectors import APPROVED_STATES
from ketnghia.core.errors import KetnghiaError, NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.dashboards.models import CommuneMap
from ketnghia.dashboards.rules import (
    CommuneMapData,
    LegendItem,
    draw_map,
    rate_colour,
    rate_legend,
    target_met,
    target_progress,
)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.coverage import FigureCoverage, figure_coverage
from ketnghia.poverty.standards import standard_for_year
from ketnghia.programs.models import Program

# Which programs a user may pick is the programs app's (the network pages pick the same way).
from ketnghia.programs.selectors import program_choices, program_communes_on, program_for  # noqa: F401

# The key figures of a program dashboard, in the order the review reads them:
# (indicator code, disaggregation, the target's code).
KEY_GROUP = "group:key"
PROGRAM_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("poverty_rate", "", "poverty_rate"),
    ("near_poverty_rate", "", "near_poverty_rate"),
    ("communes_below_30", "", "communes_below_30"),
    ("poverty_rate", KEY_GROUP, "key_communes_poverty_rate"),
    ("road_access_share", "", "road_access_share"),
    ("communes_meeting_criteria", "", "communes_meeting_criteria"),
    ("villages_meeting_criteria", "", "villages_meeting_criteria"),
    ("poor_households_with_party_member", "", "poor_households_with_party_member"),
    ("twinning_activities", "", "twinning_activities"),
)
# A commune's own dashboard: figures over its households and villages, not over communes.
COMMUNE_FIGURE_CODES = (
    "poverty_rate",
    "near_poverty_rate",
    "road_access_share",
    "communes_meeting_criteria",
    "villages_meeting_criteria",
    "poor_households_with_party_member",
    "twinning_activities",
)
# Indicators counting units: shown as "18 / 53" beside their percentage.
COUNT_UNITS = {
    "communes_below_30": "communes",
    "road_access_share": "communes",
    "communes_meeting_criteria": "communes",
    "villages_meeting_criteria": "villages",
}
# Behind a count of communes, the figure that decides it (shown beside each commune).
DECIDING_FIGURE = {"communes_below_30": "poverty_rate"}
# The ranking on a dashboard: the communes with the highest poverty rates (all of them on the
# list behind the figure).
RANKING_SHOWN = 25
# Rates a program brings down; every other figure it raises.
LOWER_IS_BETTER = frozenset({"poverty_rate", "near_poverty_rate"})


def unit_for(*, scope: UnitScope, code: str) -> Unit:
    """Return the province, district or commune `code` inside `scope`; NotFound otherwise."""
    unit = (
        scope.filter(Unit.objects.select_related("parent"))
        .filter(code=code, level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE])
        .first()
    )
    if unit is None:
        raise NotFound(_("Unit %(code)s not found.") % {"code": code})
    return unit


def home_unit_for(*, user: Any, scope: UnitScope) -> Unit | None:
    """Return the unit whose dashboard a user lands on: their jurisdiction, or None."""
    jurisdiction = getattr(user, "jurisdiction", None)
    levels = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)
    if (
        jurisdiction is not None
        and jurisdiction.level in levels
        and scope.contains_path(jurisdiction.path)
    ):
        return jurisdiction
    if scope.everything:
        return Unit.objects.filter(level=UnitLevel.PROVINCE).order_by("code").first()
    return None


@dataclass(frozen=True)
class KeyFigure:
    """One figure of a dashboard with what it is measured against."""

    figure: indicators.Figure
    label: str
    disaggregation: str
    target: float | None
    target_year: int | None
    baseline: float | None
    baseline_year: int | None
    progress: float | None  # 0–1 of the way from baseline to target
    met: bool | None
    count_of: str  # "communes" | "villages" | "" (a rate of households, a sum of activities)
    # The base units the figure leaves out (no data for the year), when it leaves any out.
    coverage: FigureCoverage | None = None

    @property
    def code(self) -> str:
        return self.figure.code

    @property
    def is_percent(self) -> bool:
        return self.figure.factor == 100

    @property
    def progress_percent(self) -> float | None:
        return None if self.progress is None else round(self.progress * 100, 1)


# A figure of a category the year's standard did not have (near-poor before 2011) is no
# figure at all: "—" in a card, a gap in a chart, never a 0 that reads as "nobody".
CATEGORY_FIGURES = {"near_poverty_rate": "near_poor"}


def _category_lacking(code: str, year: int) -> bool:
    """Return whether the national standard of `year` had no band for figure `code`'s category."""
    band = CATEGORY_FIGURES.get(code)
    if band is None:
        return False
    try:
        standard = standard_for_year(year)
    except KetnghiaError:  # no national standard, or several, that year: nothing to blank
        return False
    return getattr(standard.rural, band) is None and getattr(standard.urban, band) is None


def _blank_if_lacking(figure: indicators.Figure) -> indicators.Figure:
    if figure.value is not None and _category_lacking(figure.code, figure.year):
        return replace(figure, value=None)
    return figure


@dataclass(frozen=True)
class Coverage:
    """How many of the program's communes under a unit have a result for the year."""

    covered: int
    population: int
    missing: list[Unit]


def coverage_for(
    *, scope: UnitScope, program: Program, unit: Unit, year: int | None, official: bool = True
) -> Coverage | None:
    """Return the communes behind the unit's figures against those the program lists.

    A figure over fewer communes than its population must say so beside it (a key commune
    without an approved round is otherwise silently left out of "53/53").
    """
    if year is None or unit.level == UnitLevel.VILLAGE:
        return None
    communes = list(
        program_communes_on(program=program, on=date(year, 12, 31), scope=scope).filter(
            path__startswith=unit.path
        )
    )
    rounds = CensusRound.objects.filter(commune__in=communes, year=year)
    if official:
        rounds = rounds.filter(state__in=APPROVED_STATES)
    with_result = set(rounds.values_list("commune_id", flat=True))
    missing = [c for c in communes if c.pk not in with_result]
    return Coverage(covered=len(communes) - len(missing), population=len(communes), missing=missing)


def _label(figure: indicators.Figure) -> str:
    return figure.label_vi if (get_language() or "vi").startswith("vi") else figure.label_en


def _key_figure(
    figure: indicators.Figure,
    *,
    disaggregation: str,
    goal: TargetInForce | None = None,
    label: str | None = None,
    coverage: FigureCoverage | None = None,
) -> KeyFigure:
    figure = _blank_if_lacking(figure)
    target = goal.target if goal is not None else None
    baseline = goal.baseline if goal is not None else None
    lower = figure.code in LOWER_IS_BETTER
    return KeyFigure(
        figure=figure,
        label=label or _label(figure),
        disaggregation=disaggregation,
        target=target,
        target_year=goal.year if goal is not None else None,
        baseline=baseline,
        baseline_year=goal.baseline_year if goal is not None else None,
        progress=None
        if target is None
        else target_progress(
            value=figure.value, baseline=baseline, target=target, lower_is_better=lower
        ),
        met=None
        if target is None
        else target_met(value=figure.value, target=target, lower_is_better=lower),
        count_of=COUNT_UNITS.get(figure.code, ""),
        coverage=coverage if coverage is not None and coverage.missing else None,
    )


@dataclass(frozen=True)
class TargetInForce:
    year: int
    target: float
    baseline: float | None
    baseline_year: int | None


def _targets_in_force(
    *, scope: UnitScope, program: Program, unit: Unit, year: int, official: bool
) -> dict[str, TargetInForce]:
    """Return the program's targets for the first target year at or after `year`, by code.

    A target without a stored baseline takes the figure of its baseline year for `unit`
    (one `program_figures` call per baseline year, whatever the data size).
    """
    target_year = indicators.target_year_from(program=program, year=year)
    if target_year is None:
        return {}
    targets = indicators.targets_for(program=program, year=target_year)
    baselines: dict[tuple[str, int], float | None] = {}
    for baseline_year in sorted(
        {t.baseline_year for t in targets.values() if t.baseline is None and t.baseline_year}
    ):
        figures = indicators.program_figures(
            scope=scope, program=program, year=baseline_year, unit=unit, official=official
        )
        for code, figure in figures.items():
            baselines[(code, baseline_year)] = figure.value
    return {
        code: TargetInForce(
            year=target_year,
            target=t.target,
            baseline=t.baseline
            if t.baseline is not None
            else baselines.get((code, t.baseline_year or 0)),
            baseline_year=t.baseline_year,
        )
        for code, t in targets.items()
    }


@dataclass(frozen=True)
class TrendLine:
    name: str
    years: list[int]
    values: list[float | None]


@dataclass(frozen=True)
class BreakMarker:
    year: int
    label: str


@dataclass(frozen=True)
class RankingRow:
    rank: int
    figure: indicators.Figure
    district: str
    is_key: bool


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    path: str
    colour: str | None
    value: float | None
    url: str | None


@dataclass(frozen=True)
class ChoroplethMap:
    width: int
    height: int
    areas: list[MapArea]
    legend: list[LegendItem]
    file_name: str
    uploaded_at: datetime


@dataclass
class Dashboard:
    program: Program
    unit: Unit
    year: int | None
    years: list[int]
    official: bool
    refreshed_at: datetime | None
    figures: list[KeyFigure] = field(default_factory=list)
    trends: list[TrendLine] = field(default_factory=list)
    breaks: list[BreakMarker] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    ranking_total: int = 0  # communes ranked; the page shows the first RANKING_SHOWN
    districts: list[indicators.Figure] = field(default_factory=list)
    villages: list[indicators.Figure] = field(default_factory=list)
    commune_map: ChoroplethMap | None = None

    @property
    def has_data(self) -> bool:
        return self.year is not None


def _years(
    *, scope: UnitScope, program: Program, unit: Unit, official: bool
) -> tuple[list[indicators.Figure], list[int]]:
    trend = indicators.series(
        scope=scope, program=program, code="poverty_rate", unit=unit, official=official
    )
    return trend, sorted({f.year for f in trend})


def dashboard_for(
    *,
    scope: UnitScope,
    program: Program,
    unit: Unit,
    year: int | None,
    official: bool = True,
    map_url: Any = None,
) -> Dashboard:
    """Return everything a unit's dashboard shows for `year` (default: the last with data).

    `map_url(code)` gives the link of a commune on the map (its dashboard).
    """
    trend, years = _years(scope=scope, program=program, unit=unit, official=official)
    if year not in years:
        year = years[-1] if years else None
    dashboard = Dashboard(
        program=program,
        unit=unit,
        year=year,
        years=sorted(years, reverse=True),
        official=official,
        refreshed_at=indicators.refreshed_at(program=program),
    )
    if year is None:
        return dashboard
    is_commune = unit.level == UnitLevel.COMMUNE
    if is_commune:
        figures = indicators.program_figures(
            scope=scope,
            program=program,
            year=year,
            unit=unit,
            codes=COMMUNE_FIGURE_CODES,
            official=official,
        )
        covered = figure_coverage(
            scope=scope, program=program, year=year, within=unit, official=official
        )
        dashboard.figures = [
            _key_figure(figures[code], disaggregation="", coverage=covered.get(code))
            for code in COMMUNE_FIGURE_CODES
            if code in figures
        ]
    else:
        targets = _targets_in_force(
            scope=scope, program=program, unit=unit, year=year, official=official
        )
        totals = indicators.program_figures(
            scope=scope, program=program, year=year, unit=unit, official=official
        )
        keys = indicators.program_figures(
            scope=scope,
            program=program,
            year=year,
            unit=unit,
            codes=["poverty_rate"],
            disaggregation=KEY_GROUP,
            official=official,
        )
        covered_by_group = {
            group: figure_coverage(
                scope=scope,
                program=program,
                year=year,
                within=unit,
                codes=None if not group else ["poverty_rate"],
                disaggregation=group,
                official=official,
            )
            for group in ("", KEY_GROUP)
        }
        for code, disaggregation, target_code in PROGRAM_FIGURES:
            source = keys if disaggregation else totals
            if code not in source:
                continue
            label = _("Poverty rate of the key communes") if disaggregation else None
            if disaggregation and not source[code].denominator:
                continue  # no key commune under this unit
            dashboard.figures.append(
                _key_figure(
                    source[code],
                    disaggregation=disaggregation,
                    goal=targets.get(target_code),
                    label=label,
                    coverage=covered_by_group[disaggregation].get(code),
                )
            )
    dashboard.trends, dashboard.breaks = _trends(
        scope=scope,
        program=program,
        unit=unit,
        official=official,
        poverty=trend,
        years=years,
        with_key=not is_commune,
    )
    if is_commune:
        dashboard.villages = indicators.units_behind(
            scope=scope,
            program=program,
            code="villages_meeting_criteria",
            year=year,
            unit=unit,
            official=official,
        )
        return dashboard
    communes = indicators.unit_figures(
        scope=scope,
        program=program,
        code="poverty_rate",
        year=year,
        level="commune",
        within=unit,
        official=official,
    )
    dashboard.ranking = _ranking(program=program, figures=communes, year=year)
    dashboard.ranking_total = len(communes)
    if unit.level == UnitLevel.PROVINCE:
        dashboard.districts = sorted(
            indicators.unit_figures(
                scope=scope,
                program=program,
                code="poverty_rate",
                year=year,
                level="district",
                within=unit,
                official=official,
            ),
            key=lambda f: (f.value is None, -(f.value or 0)),
        )
    dashboard.commune_map = _choropleth(unit=unit, figures=communes, map_url=map_url)
    return dashboard


def _trends(
    *,
    scope: UnitScope,
    program: Program,
    unit: Unit,
    official: bool,
    poverty: list[indicators.Figure],
    years: list[int],
    with_key: bool,
) -> tuple[list[TrendLine], list[BreakMarker]]:
    lines = [_line(_("Poor households"), poverty)]
    near = indicators.series(
        scope=scope, program=program, code="near_poverty_rate", unit=unit, official=official
    )
    if with_key:
        key = indicators.series(
            scope=scope,
            program=program,
            code="poverty_rate",
            unit=unit,
            disaggregation=KEY_GROUP,
            official=official,
        )
        if any(f.denominator for f in key):
            lines.append(_line(_("Poor households, key communes"), key))
    lines.append(_line(_("Near-poor households"), near))
    vietnamese = (get_language() or "vi").startswith("vi")
    breaks = [
        BreakMarker(year=b.year, label=b.label_vi if vietnamese else b.label_en)
        for b in indicators.breaks_in_series(program=program, years=years)
    ]
    return lines, breaks


def _line(name: str, figures: Sequence[indicators.Figure]) -> TrendLine:
    ordered = sorted((_blank_if_lacking(f) for f in figures), key=lambda f: f.year)
    return TrendLine(
        name=name,
        years=[f.year for f in ordered],
        values=[None if f.value is None else round(f.value, 2) for f in ordered],
    )


def _ranking(*, program: Program, figures: list[indicators.Figure], year: int) -> list[RankingRow]:
    """Return the first RANKING_SHOWN communes by rate (highest first): a province has ~160,
    and every one of them is on the list behind the poverty rate."""
    ordered = sorted(figures, key=lambda f: (f.value is None, -(f.value or 0), f.unit_name))
    shown = ordered[:RANKING_SHOWN]
    codes = [f.unit_code for f in shown]
    districts = dict(Unit.objects.filter(code__in=codes).values_list("code", "parent__name"))
    key_codes = _key_codes(program=program, codes=codes, year=year)
    return [
        RankingRow(
            rank=rank,
            figure=figure,
            district=districts.get(figure.unit_code) or "",
            is_key=figure.unit_code in key_codes,
        )
        for rank, figure in enumerate(shown, start=1)
    ]


def commune_map_for(*, province_code: str) -> CommuneMap | None:
    return CommuneMap.objects.filter(province__code=province_code).first()


def _choropleth(
    *, unit: Unit, figures: list[indicators.Figure], map_url: Any
) -> ChoroplethMap | None:
    province_code = unit.path.strip("/").split("/")[0]
    commune_map = commune_map_for(province_code=province_code)
    if commune_map is None:
        return None
    data = commune_map.shapes()
    if unit.level != UnitLevel.PROVINCE:
        inside = set(
            Unit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE).values_list(
                "code", flat=True
            )
        )
        shapes = {code: shape for code, shape in data.shapes.items() if code in inside}
        if not shapes:
            return None
        data = _refit(shapes)
    by_code = {f.unit_code: f for f in figures}
    missing = [code for code in data.shapes if code not in by_code]
    names = (
        dict(Unit.objects.filter(code__in=missing).values_list("code", "name")) if missing else {}
    )
    drawing = draw_map(data)
    areas = []
    for code, path in sorted(drawing.paths.items()):
        figure = by_code.get(code)
        value = figure.value if figure is not None else None
        areas.append(
            MapArea(
                code=code,
                name=figure.unit_name if figure is not None else names.get(code, code),
                path=path,
                colour=rate_colour(value),
                value=value,
                url=map_url(code) if figure is not None and map_url is not None else None,
            )
        )
    return ChoroplethMap(
        width=drawing.width,
        height=drawing.height,
        areas=areas,
        legend=rate_legend(),
        file_name=commune_map.file_name,
        uploaded_at=commune_map.uploaded_at,
    )


def _refit(shapes: dict[str, Any]) -> CommuneMapData:
    points = [
        point for shape in shapes.values() for polygon in shape.polygons for point in polygon[0]
    ]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return CommuneMapData(
        shapes=shapes, bounds=(min(lons), min(lats), max(lons), max(lats)), point_count=len(points)
    )


@dataclass(frozen=True)
class BehindRow:
    figure: indicators.Figure
    district: str
    commune_code: str  # the commune of a village row; the unit itself for a commune row
    commune_path: str
    # The commune's name: two villages of one name (“Làng Đăk Reo”) in two communes are told
    # apart by it.
    commune_name: str
    deciding: indicators.Figure | None  # e.g. the commune's poverty rate behind "below 30 %"
    meets: bool | None  # for counts: whether the unit is counted


@dataclass
class Behind:
    figure: indicators.Figure
    label: str
    count_of: str
    meeting: list[BehindRow]
    others: list[BehindRow]


def _key_codes(*, program: Program, codes: Sequence[str], year: int) -> set[str]:
    """Return which of `codes` were key communes of `program` during `year`."""
    return set(
        program.memberships.filter(
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=year),
            commune__code__in=codes,
            is_key=True,
            valid_from__year__lte=year,
        ).values_list("commune__code", flat=True)
    )


def units_behind_for(
    *,
    scope: UnitScope,
    program: Program,
    unit: Unit,
    code: str,
    year: int,
    official: bool,
    group: str = "",
) -> Behind:
    """Return the communes (or villages) behind one figure of `unit`, counted ones first.

    `group` "group:key" keeps the key communes only (the key communes' poverty rate).
    """
    known = {d.code for d in indicators.definitions()}
    if code not in known or group not in ("", KEY_GROUP):
        raise NotFound(_("Figure not found."))
    totals = indicators.program_figures(
        scope=scope,
        program=program,
        year=year,
        unit=unit,
        codes=[code],
        disaggregation=group,
        official=official,
    )
    rows = indicators.units_behind(
        scope=scope, program=program, code=code, year=year, unit=unit, official=official
    )
    if group == KEY_GROUP:
        keys = _key_codes(program=program, codes=[r.unit_code for r in rows], year=year)
        rows = [r for r in rows if r.unit_code in keys]
    deciding: dict[str, indicators.Figure] = {}
    if code in DECIDING_FIGURE:
        deciding = {
            f.unit_code: f
            for f in indicators.unit_figures(
                scope=scope,
                program=program,
                code=DECIDING_FIGURE[code],
                year=year,
                level="commune",
                within=unit,
                official=official,
            )
        }
    units = {
        u.code: u
        for u in Unit.objects.filter(code__in=[r.unit_code for r in rows]).select_related(
            "parent", "parent__parent"
        )
    }
    count_of = COUNT_UNITS.get(code, "")
    meeting: list[BehindRow] = []
    others: list[BehindRow] = []
    for row in rows:
        place = units.get(row.unit_code)
        commune = place.parent if place is not None and place.level == UnitLevel.VILLAGE else place
        commune_code = commune.code if commune is not None else row.unit_code
        commune_path = commune.path if commune is not None else ""
        district = commune.parent.name if commune is not None and commune.parent else ""
        meets = bool(row.numerator) if count_of else None
        item = BehindRow(
            figure=row,
            district=district,
            commune_code=commune_code,
            commune_path=commune_path,
            commune_name=commune.name if commune is not None else "",
            deciding=deciding.get(row.unit_code),
            meets=meets,
        )
        (others if meets is False else meeting).append(item)

    def order(item: BehindRow) -> tuple[Any, ...]:
        shown = item.deciding or item.figure
        return (shown.value is None, shown.value or 0, item.figure.unit_name)

    meeting.sort(key=order)
    others.sort(key=order)
    if code not in totals:
        raise NotFound(_("Figure not found."))
    return Behind(
        figure=totals[code],
        label=_("Poverty rate of the key communes") if group else _label(totals[code]),
        count_of=count_of,
        meeting=meeting,
        others=others,
    )


@dataclass(frozen=True)
class TwinnedCommune:
    unit: Unit
    figures: dict[str, indicators.Figure]


def twinning_dashboard_for(
    *, scope: UnitScope, program: Program, year: int | None, official: bool
) -> tuple[int | None, list[int], list[TwinnedCommune]]:
    """Return the year shown, the years with data and the figures of each twinned commune."""
    communes = list(
        scope.filter(Unit.objects.filter(level=UnitLevel.COMMUNE)).select_related("parent")
    )
    if not communes:
        return None, [], []
    trend = indicators.series(
        scope=scope, program=program, code="poverty_rate", unit=communes[0], official=official
    )
    years = sorted({f.year for f in trend}, reverse=True)
    if year not in years:
        year = years[0] if years else None
    if year is None:
        return None, years, [TwinnedCommune(unit=u, figures={}) for u in communes]
    by_commune: dict[str, dict[str, indicators.Figure]] = {u.code: {} for u in communes}
    for code in COMMUNE_FIGURE_CODES:
        for figure in indicators.unit_figures(
            scope=scope, program=program, code=code, year=year, level="commune", official=official
        ):
            if figure.unit_code in by_commune:
                by_commune[figure.unit_code][code] = figure
    return year, years, [TwinnedCommune(unit=u, figures=by_commune[u.code]) for u in communes]


def year_in_progress(*, scope: UnitScope, year: int) -> bool:
    """Return whether a census round of `year` inside `scope` is not yet approved."""
    from ketnghia.census import workflow
    from ketnghia.census.models import CensusRound

    rounds = scope.filter(CensusRound.objects.filter(year=year), "unit_path")
    frozen = [state for state in workflow.ORDER if workflow.is_frozen(state)]
    return rounds.exclude(state__in=frozen).exists()
