"""Reads for the review report: a `ReviewReport` built from the indicator selectors only.

Every figure comes from `ketnghia.indicators.selectors` (the maintained aggregates); this
module only picks the figures of the review, names them and adds unit names (the district
of each commune) for the tables. Nothing here scans households or census rows, and the number
of queries does not grow with the data (it grows with the years of the period).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import F, Q, Subquery
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, NotFound, Problem
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.coverage import FigureCoverage, figure_coverage
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.selectors import program_for
from ketnghia.reports.domain import (
    DEFAULT_THRESHOLD,
    PERCENT,
    BreakMarker,
    Coverage,
    Entry,
    Label,
    ReviewReport,
    Series,
    SeriesPoint,
    UnitFigure,
    coverage_of,
    rank_units,
    value_of,
)
from ketnghia.reports.models import SavedReport
from ketnghia.reports.support_section import support_section

FIRST_YEAR = 1990
LAST_YEAR = 2100

# The figures of the review, in the report's order: (report code, engine code, which year).
REVIEW_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("poverty_rate_baseline", "poverty_rate", "baseline"),
    ("poverty_rate", "poverty_rate", "review"),
    ("communes_below_30", "communes_below_30", "review"),
    ("key_communes_poverty_rate", "poverty_rate", "review"),
    ("road_access_share", "road_access_share", "review"),
    ("communes_meeting_criteria", "communes_meeting_criteria", "review"),
    ("villages_meeting_criteria", "villages_meeting_criteria", "review"),
    ("poor_households_with_party_member", "poor_households_with_party_member", "review"),
    ("twinning_activities", "twinning_activities", "period"),
)
KEY_GROUP = "group:key"
# The estimate the figure list ends with (issue 19): the exit-rate difference of supported
# poor households, stored for districts and provinces under the panel's last census year.
EXIT_DIFFERENCE = "support_exit_rate_difference"
ENGINE_THRESHOLD = 30.0  # the condition of the engine's communes_below_30 definition
_LISTED_CODES = 500  # above this many units, `_parents` reads the program's units instead


@dataclass(frozen=True)
class ReviewRequest:
    """What a review asks for: checked values, ready for `review_report`."""

    program: Program
    baseline_year: int
    review_year: int
    area: Unit | None  # None: the program's province
    threshold: float = DEFAULT_THRESHOLD
    official: bool = True


def review_request(
    *,
    scope: UnitScope,
    user: Any,
    program_code: str,
    baseline: Any,
    year: Any,
    unit_code: str = "",
    threshold: Any = None,
    official: bool = True,
) -> ReviewRequest:
    """Return a checked review request; NotFound for a program or unit out of reach.

    The area is the unit asked for, else the user's own jurisdiction when it is below the
    province (a district officer sees their district), else the program's province.
    """
    # Only a program with a commune in the user's units: another province's program is
    # "not found", as on the dashboards and the network pages.
    try:
        program = program_for(scope=scope, code=program_code or "")
    except NotFound:
        raise NotFound(_("Program %(code)s not found.") % {"code": program_code}) from None
    problems = []
    try:
        baseline_year = int(baseline)
        review_year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("The baseline and review years must be whole numbers.")) from None
    if not FIRST_YEAR <= baseline_year <= review_year <= LAST_YEAR:
        problems.append(
            Problem(
                _("The baseline year must come before the review year (%(first)s–%(last)s).")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        )
    value = DEFAULT_THRESHOLD
    if threshold not in (None, ""):
        try:
            value = float(str(threshold).replace(",", "."))
        except ValueError:
            value = -1.0
        if not 0 < value <= 100:
            problems.append(
                Problem(_("The threshold must be a percentage above 0 and at most 100."))
            )
    if problems:
        raise InvalidInput(problems)
    area = _area(scope=scope, user=user, program=program, unit_code=unit_code)
    # A program none of whose communes the user reaches (under the area) is not theirs.
    communes = scope.filter(ProgramCommune.objects.filter(program=program), "commune__path")
    if area is not None:
        communes = communes.filter(commune__path__startswith=area.path)
    if not communes.exists():
        raise NotFound(_("Program %(code)s not found.") % {"code": program.code})
    return ReviewRequest(
        program=program,
        baseline_year=baseline_year,
        review_year=review_year,
        area=area,
        threshold=value,
        official=official,
    )


def program_province(program: Program) -> Unit | None:
    """Return the province of the program's communes (the first one's), in one query."""
    first = (
        ProgramCommune.objects.filter(program=program)
        .order_by("commune__path")
        .values("commune__path")[:1]
    )
    return (
        Unit.objects.filter(level=UnitLevel.PROVINCE)
        .alias(first=Subquery(first))
        .filter(first__startswith=F("path"))
        .order_by("path")
        .first()
    )


def _area(*, scope: UnitScope, user: Any, program: Program, unit_code: str) -> Unit | None:
    if unit_code:
        unit = scope.filter(Unit.objects.filter(code=unit_code)).first()
        if unit is None or unit.level == UnitLevel.VILLAGE:
            raise NotFound(_("Unit %(code)s not found.") % {"code": unit_code})
        return None if unit.level == UnitLevel.PROVINCE else unit
    if scope.everything:
        return None
    jurisdiction = getattr(user, "jurisdiction", None)
    if jurisdiction is not None and scope.contains_path(jurisdiction.path):
        return None if jurisdiction.level == UnitLevel.PROVINCE else jurisdiction
    # A twinning unit's member: the first program commune they reach.
    communes = ProgramCommune.objects.filter(program=program).values("commune_id")
    first = scope.filter(Unit.objects.filter(pk__in=communes)).order_by("path").first()
    if first is None:
        raise NotFound(_("Program %(code)s not found.") % {"code": program.code})
    return first


def area_unit(request: ReviewRequest) -> Unit:
    """Return the unit the review is for (the province when none was asked)."""
    if request.area is not None:
        return request.area
    province = program_province(request.program)
    if province is None:
        raise NotFound(_("Program %(code)s not found.") % {"code": request.program.code})
    return province


def _unit_figures(
    figures: Sequence[Any], parents: dict[str, tuple[str, str]]
) -> tuple[UnitFigure, ...]:
    return tuple(
        UnitFigure(
            code=f.unit_code,
            name=f.unit_name,
            level=f.unit_level,
            numerator=float(f.numerator),
            denominator=float(f.denominator),
            value=f.value,
            parent_name=parents.get(f.unit_code, ("", ""))[0],
            path=parents.get(f.unit_code, ("", ""))[1],
        )
        for f in figures
    )


def _parents(codes: set[str], program: Program | None = None) -> dict[str, tuple[str, str]]:
    """Return each unit's parent name (a commune's district) and path, by unit code.

    With `program`, the units are read as the program's communes and their villages (one
    query with a subquery) rather than by a list of every code: a national review names
    thousands of communes and tens of thousands of villages."""
    if program is None or len(codes) <= _LISTED_CODES:
        rows = Unit.objects.filter(code__in=codes)
    else:
        communes = ProgramCommune.objects.filter(program=program).values("commune_id")
        rows = Unit.objects.filter(Q(pk__in=communes) | Q(parent_id__in=communes))
    found = rows.values_list("code", "parent__name", "path")
    return {code: (parent or "", path) for code, parent, path in found if code in codes}


def _below(units: Sequence[UnitFigure], threshold: float) -> tuple[UnitFigure, ...]:
    """Return the communes with a rate as count rows: numerator 1 when below `threshold`."""
    return tuple(
        UnitFigure(
            code=u.code,
            name=u.name,
            level=u.level,
            numerator=1.0 if u.value is not None and u.value < threshold else 0.0,
            denominator=1.0,
            value=PERCENT if u.value is not None and u.value < threshold else 0.0,
            parent_name=u.parent_name,
            path=u.path,
        )
        for u in units
        if u.denominator
    )


def _threshold_label(threshold: float) -> Label:
    from ketnghia.reports.narrative import threshold_text

    return Label(
        vi=f"Tỷ lệ xã có tỷ lệ hộ nghèo dưới {threshold_text(threshold, language='vi')}",
        en=f"Share of communes with a poverty rate below {threshold_text(threshold, language='en')}",
    )


def _estimate_entry(*, scope: UnitScope, request: ReviewRequest, definition: Any) -> Entry | None:
    """Return the exit-rate difference of the area (a district or the province) as of the
    review year — its latest estimate up to then, with its interval or the reason it has
    none — or None when there is no such row (a commune, a program without support)."""
    if definition is None:
        return None
    found = indicators.series(
        scope=scope,
        program=request.program,
        code=definition.code,
        years=list(range(FIRST_YEAR, request.review_year + 1)),
        unit=request.area,
        official=request.official,
    )
    if not found:
        return None
    figure = found[-1]
    return Entry(
        code=definition.code,
        label=Label(vi=definition.label_vi, en=definition.label_en),
        factor=definition.factor,
        year=figure.year,
        numerator=float(figure.numerator),
        denominator=float(figure.denominator),
        value=figure.value,
        indicator=definition.code,
        official=figure.official,
        unit=Label(vi=definition.unit_vi, en=definition.unit_en),
        ci_low=figure.ci_low,
        ci_high=figure.ci_high,
        note=figure.note,
    )


def review_report(
    *, scope: UnitScope, request: ReviewRequest, limit: int | None = None
) -> ReviewReport:
    """Return the review of `request` from the indicator aggregates, inside `scope`.

    With `limit` (the page and the JSON), only the first `limit` units behind each figure
    (by path), of the ranking (by rate) and of each figure's missing units are read, and the
    rest counted in SQL: the report equals `domain.capped(review_report(...), limit)`, and
    what it reads does not grow with the program's communes (a national program has 10,000
    and 100,000 villages). Without it, every unit (the .xlsx, the .docx, the saved snapshot).
    """
    program, area = request.program, request.area
    base_year, year, official = request.baseline_year, request.review_year, request.official
    try:
        now = indicators.program_figures(
            scope=scope, program=program, year=year, unit=area, official=official
        )
        then = indicators.program_figures(
            scope=scope, program=program, year=base_year, unit=area, official=official
        )
        key = indicators.program_figures(
            scope=scope,
            program=program,
            year=year,
            unit=area,
            codes=["poverty_rate"],
            disaggregation=KEY_GROUP,
            official=official,
        )
    except Unit.DoesNotExist:
        raise NotFound(_("Program %(code)s not found.") % {"code": program.code}) from None
    behind: dict[tuple[str, int], list[Any]] = {}
    wanted = {(engine, year) for _code, engine, when in REVIEW_FIGURES if when == "review"}
    wanted.add(("poverty_rate", base_year))
    for engine, at in sorted(wanted):
        behind[(engine, at)] = indicators.units_behind(
            scope=scope,
            program=program,
            code=engine,
            year=at,
            unit=area,
            official=official,
            limit=limit,
        )
    key_units = indicators.unit_figures(
        scope=scope,
        program=program,
        code="poverty_rate",
        year=year,
        level=UnitLevel.COMMUNE,
        within=area,
        disaggregation=KEY_GROUP,
        official=official,
        limit=limit,
    )
    # How many units each figure has behind it, when only the first are read.
    totals: dict[tuple[str, int], indicators.UnitCount] = {}
    below_shown: list[Any] = []
    custom = request.threshold != ENGINE_THRESHOLD
    if limit is not None:
        counted = indicators.unit_counts(
            scope=scope,
            program=program,
            figures=[(engine, at, "") for engine, at in sorted(wanted)]
            + [("poverty_rate", year, KEY_GROUP)],
            within=area,
            official=official,
            below=request.threshold if custom else None,
        )
        totals = {
            (engine if key == "" else key, at): count
            for (engine, at, key), count in counted.items()
        }
        if custom:
            # The communes measured (a rate with a denominator), recounted at the threshold.
            below_shown = indicators.unit_figures(
                scope=scope,
                program=program,
                code="poverty_rate",
                year=year,
                level=UnitLevel.COMMUNE,
                within=area,
                official=official,
                limit=limit,
                measured_only=True,
            )
    ranked = _ranking(
        scope=scope, request=request, rates=behind[("poverty_rate", year)], limit=limit
    )

    def units_total(key: tuple[str, int], shown: Sequence[Any]) -> int | None:
        """The number of units behind a figure when fewer are shown (None: all are)."""
        count = totals.get(key)
        return count.units if count is not None and count.units > len(shown) else None

    years = list(range(base_year, year + 1))
    activities = indicators.series(
        scope=scope,
        program=program,
        code="twinning_activities",
        years=years,
        unit=area,
        official=official,
    )
    trend = indicators.series(
        scope=scope,
        program=program,
        code="poverty_rate",
        years=years,
        unit=area,
        official=official,
    )
    breaks = indicators.breaks_in_series(program=program, years=[f.year for f in trend] or years)
    targets = indicators.targets_for(program=program, year=year)
    baselines = _target_baselines(scope=scope, request=request, targets=targets, then=then)
    definitions = {d.code: d for d in indicators.definitions()}
    codes = (
        {f.unit_code for rows in behind.values() for f in rows}
        | {f.unit_code for f in key_units}
        | {f.unit_code for f in below_shown}
        | {f.unit_code for f in ranked}
    )
    # A capped report names a few hundred units: listed, not the program's every unit.
    parents = _parents(codes, program if limit is None else None)
    coverage = {
        ("", year): figure_coverage(
            scope=scope, program=program, year=year, within=area, official=official, limit=limit
        ),
        ("", base_year): figure_coverage(
            scope=scope,
            program=program,
            year=base_year,
            within=area,
            codes=["poverty_rate"],
            official=official,
            limit=limit,
        ),
        (KEY_GROUP, year): figure_coverage(
            scope=scope,
            program=program,
            year=year,
            within=area,
            codes=["poverty_rate"],
            disaggregation=KEY_GROUP,
            official=official,
            limit=limit,
        ),
    }

    def left_out(engine: str, at: int, group: str = "") -> Coverage | None:
        return _coverage(coverage[(group, at)].get(engine))

    entries: list[Entry] = []
    for code, engine, when in REVIEW_FIGURES:
        definition = definitions.get(engine)
        if definition is None:
            continue
        label = Label(vi=definition.label_vi, en=definition.label_en)
        target = targets.get(engine) if when == "review" and code == engine else None
        extra: dict[str, Any] = {
            "baseline": baselines.get(engine) if target is not None else None,
            "target": target.target if target is not None else None,
        }
        if code == "poverty_rate_baseline":
            figure = then.get("poverty_rate")
            units = _unit_figures(behind[("poverty_rate", base_year)], parents)
            extra = {"units_total": units_total(("poverty_rate", base_year), units)}
            label = Label(vi=f"{label.vi} năm gốc", en=f"{label.en}, baseline year")
        elif code == "poverty_rate":
            figure = now.get("poverty_rate")
            units = _unit_figures(behind[("poverty_rate", year)], parents)
            extra["units_total"] = units_total(("poverty_rate", year), units)
            label = Label(vi=f"{label.vi} năm đánh giá", en=f"{label.en}, review year")
        elif code == "key_communes_poverty_rate":
            figure = key.get("poverty_rate")
            units = _unit_figures(key_units, parents)
            extra = {"units_total": units_total((KEY_GROUP, year), units)}
            label = Label(vi=f"{label.vi} các xã trọng điểm", en=f"{label.en}, key communes")
        elif code == "communes_below_30" and custom:
            if limit is None:
                units = _below(
                    _unit_figures(behind[("poverty_rate", year)], parents), request.threshold
                )
                meeting, measured, total = sum(u.numerator for u in units), len(units), None
            else:
                units = _below(_unit_figures(below_shown, parents), request.threshold)
                count = totals[("poverty_rate", year)]
                meeting, measured = float(count.below), count.measured
                total = measured if measured > len(units) else None
            entries.append(
                Entry(
                    code=code,
                    label=_threshold_label(request.threshold),
                    factor=PERCENT,
                    year=year,
                    numerator=meeting,
                    denominator=float(measured),
                    value=value_of(meeting, measured, PERCENT),
                    units=units,
                    indicator=engine,
                    official=official,
                    coverage=left_out("poverty_rate", year),
                    units_total=total,
                )
            )
            continue
        elif code == "twinning_activities":
            figure = indicators.over_period(definition, activities) if activities else None
            if figure is not None:
                summed, total = _summed_units(
                    scope=scope, request=request, code=engine, years=years, limit=limit
                )
                entries.append(
                    Entry(
                        code=code,
                        label=label,
                        factor=definition.factor,
                        year=year,
                        numerator=float(figure.numerator),
                        denominator=float(figure.denominator),
                        value=figure.value,
                        indicator=engine,
                        official=official,
                        period=(base_year, year),
                        units=summed,
                        units_total=total if total > len(summed) else None,
                    )
                )
            continue
        else:
            figure = now.get(engine)
            units = _unit_figures(behind[(engine, year)], parents)
            extra["units_total"] = units_total((engine, year), units)
        if figure is None:
            continue
        if code == "poverty_rate_baseline":
            extra["coverage"] = left_out("poverty_rate", base_year)
        elif code == "key_communes_poverty_rate":
            extra["coverage"] = left_out("poverty_rate", year, KEY_GROUP)
        else:
            extra["coverage"] = left_out(engine, year)
        entries.append(
            Entry(
                code=code,
                label=label,
                factor=definition.factor,
                year=figure.year,
                numerator=float(figure.numerator),
                denominator=float(figure.denominator),
                value=figure.value,
                units=units,
                indicator=engine,
                disaggregation=figure.disaggregation,
                official=figure.official,
                **extra,
            )
        )
    estimate = _estimate_entry(
        scope=scope, request=request, definition=definitions.get(EXIT_DIFFERENCE)
    )
    if estimate is not None:
        entries.append(estimate)

    rate_definition = definitions.get("poverty_rate")
    series: tuple[Series, ...] = ()
    if rate_definition is not None and trend:
        series = (
            Series(
                code="poverty_rate",
                label=Label(vi=rate_definition.label_vi, en=rate_definition.label_en),
                factor=rate_definition.factor,
                points=tuple(
                    SeriesPoint(
                        year=f.year,
                        value=f.value,
                        numerator=float(f.numerator),
                        denominator=float(f.denominator),
                        official=f.official,
                    )
                    for f in trend
                ),
                breaks=tuple(
                    BreakMarker(
                        year=b.year,
                        standard_code=b.standard_code,
                        label=Label(vi=b.label_vi, en=b.label_en),
                    )
                    for b in breaks
                ),
            ),
        )
    if limit is None:
        ranking = rank_units(
            _unit_figures(ranked, parents),
            threshold=request.threshold,
            key_codes={f.unit_code for f in key_units},
        )
        ranking_total = None
    else:
        ranking = rank_units(_unit_figures(ranked, parents), threshold=request.threshold)[:limit]
        # Which of the ranked communes are key communes: asked for those shown only.
        keys = indicators.units_among(
            scope=scope,
            program=program,
            code="poverty_rate",
            year=year,
            unit_codes=[row.code for row in ranking],
            disaggregation=KEY_GROUP,
            official=official,
        )
        ranking = tuple(replace(row, is_key=row.code in keys) for row in ranking)
        ranked_total = totals[("poverty_rate", year)].units
        ranking_total = ranked_total if ranked_total > len(ranking) else None
    stamp = max((f.refreshed_at for f in now.values() if f.refreshed_at), default=None)
    return ReviewReport(
        program_code=program.code,
        program_name=program.name,
        area_name=area.name if area is not None else _province_name(program),
        baseline_year=base_year,
        review_year=year,
        threshold=request.threshold,
        entries=tuple(entries),
        series=series,
        ranking=ranking,
        official=official,
        refreshed_at=stamp,
        extra=_criteria_names(definitions),
        support=support_section(scope=scope, request=request),
        ranking_total=ranking_total,
    )


def _ranking(
    *, scope: UnitScope, request: ReviewRequest, rates: list[Any], limit: int | None
) -> list[Any]:
    """Return the communes' rates the ranking is made from: all of them (`rates`), or with a
    `limit` the lowest `limit` and their ties (`indicators.lowest_units`)."""
    if limit is None:
        return rates
    return indicators.lowest_units(
        scope=scope,
        program=request.program,
        code="poverty_rate",
        year=request.review_year,
        limit=limit,
        level=UnitLevel.COMMUNE,
        within=request.area,
        official=request.official,
    )


def _coverage(found: FigureCoverage | None) -> Coverage | None:
    """Return what a figure leaves out as report data; None when it leaves nothing out."""
    return coverage_of(found)


def _target_baselines(
    *, scope: UnitScope, request: ReviewRequest, targets: dict[str, Any], then: dict[str, Any]
) -> dict[str, float | None]:
    """Return each target's baseline: stored, else the figure of its baseline year."""
    found: dict[str, float | None] = {}
    by_year: dict[int, dict[str, Any]] = {request.baseline_year: then}
    for code, target in targets.items():
        if target.baseline is not None:
            found[code] = target.baseline
            continue
        year = target.baseline_year or request.baseline_year
        if year not in by_year:
            by_year[year] = indicators.program_figures(
                scope=scope,
                program=request.program,
                year=year,
                unit=request.area,
                official=request.official,
            )
        figure = by_year[year].get(code)
        found[code] = figure.value if figure is not None else None
    return found


def _summed_units(
    *,
    scope: UnitScope,
    request: ReviewRequest,
    code: str,
    years: Sequence[int],
    limit: int | None,
) -> tuple[tuple[UnitFigure, ...], int]:
    """Return each commune's figure over the period (e.g. its activities summed), by code —
    the first `limit` when given — and how many communes there are."""
    found, total = indicators.units_over_period(
        scope=scope,
        program=request.program,
        code=code,
        years=years,
        unit=request.area,
        official=request.official,
        limit=limit,
    )
    parents = _parents(
        {figure.unit_code for figure in found}, request.program if limit is None else None
    )
    return _unit_figures(found, parents), total


def _province_name(program: Program) -> str:
    province = program_province(program)
    return province.name if province is not None else ""


_QUOTED = re.compile(r"“[^”]+”")


def _criteria_names(definitions: dict[str, Any]) -> dict[str, str]:
    """Return the criteria's name as the definitions quote it (“no đủ – vững mạnh – an toàn”)."""
    definition = definitions.get("communes_meeting_criteria") or definitions.get(
        "villages_meeting_criteria"
    )
    if definition is None:
        return {}
    names = {}
    for language, label, word in (
        ("vi", definition.label_vi, "tiêu chí"),
        ("en", definition.label_en, "the"),
    ):
        match = _QUOTED.search(label)
        if match:
            names[f"criteria_{language}"] = (
                f"{word} {match.group(0)}" if language == "vi" else f"the {match.group(0)} criteria"
            )
    return names


def saved_report_for(*, scope: UnitScope, request: ReviewRequest, area: Unit) -> SavedReport | None:
    """Return the saved version of this review inside `scope`, if any."""
    rows = SavedReport.objects.filter(
        program=request.program,
        area=area,
        baseline_year=request.baseline_year,
        review_year=request.review_year,
        threshold=request.threshold,
        official=request.official,
    )
    return scope.filter(rows, "unit_path").select_related("program", "area").first()


def saved_report_get(*, scope: UnitScope, pk: int) -> SavedReport:
    """Return the saved report `pk` inside `scope`; NotFound for missing and forbidden alike."""
    found = (
        scope.filter(SavedReport.objects.filter(Q(pk=pk)), "unit_path")
        .select_related("program", "area", "created_by")
        .first()
    )
    if found is None:
        raise NotFound(_("Report not found."))
    return found
