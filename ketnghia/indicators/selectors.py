"""Reads of figures: the only way pages, reports and the API get indicator values.

Every function reads `Aggregate` (with its unit's code and name) in a fixed number of queries
whatever the data size, and only inside the caller's `scope`: a unit outside it raises
`Unit.DoesNotExist`, which pages turn into the same 404 as a missing unit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, F, Max, Q, QuerySet, Subquery, Value
from django.db.models.functions import Collate

from ketnghia.census.models import CensusRound
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import domain
from ketnghia.indicators.definitions import builtin_definitions, definition_get
from ketnghia.indicators.domain import BreakInSeries, Figure, IndicatorDefinition, over_period
from ketnghia.indicators.models import Aggregate, Target
from ketnghia.poverty.standards import builtin_standards
from ketnghia.programs.models import Program, ProgramCommune

__all__ = [
    "BreakInSeries",
    "Figure",
    "IndicatorDefinition",
    "UnitCount",
    "breaks_in_series",
    "definitions",
    "lowest_units",
    "over_period",
    "program_figures",
    "refreshed_at",
    "series",
    "targets_for",
    "unit_counts",
    "unit_figures",
    "units_among",
    "units_behind",
    "units_over_period",
]


def definitions() -> list[IndicatorDefinition]:
    """Return every indicator definition, in declaration order."""
    return list(builtin_definitions())


class _Row(NamedTuple):
    """An aggregate row with its unit's code and name, read as plain values (no model)."""

    indicator: str
    numerator: float
    denominator: float
    value: float | None
    unit_code: str
    unit_name: str
    unit_level: str
    unit_path: str
    period: int
    disaggregation: str
    official: bool
    refreshed_at: datetime
    ci_low: float | None
    ci_high: float | None
    note: str


_FIELDS = (
    "indicator",
    "numerator",
    "denominator",
    "value",
    "unit__code",
    "unit__name",
    "unit_level",
    "unit_path",
    "period",
    "disaggregation",
    "official",
    "refreshed_at",
    "ci_low",
    "ci_high",
    "note",
)


def _fetch(rows: QuerySet[Aggregate]) -> list[_Row]:
    """Return the rows as plain tuples: a page reads hundreds, and a model each costs more
    than its query."""
    return [_Row(*values) for values in rows.values_list(*_FIELDS)]


def _figure(row: _Row) -> Figure:
    definition = definition_get(row.indicator)
    return Figure(
        code=row.indicator,
        label_vi=definition.label_vi,
        label_en=definition.label_en,
        factor=definition.factor,
        numerator=row.numerator,
        denominator=row.denominator,
        value=row.value,
        unit_code=row.unit_code,
        unit_name=row.unit_name,
        unit_level=row.unit_level,
        year=row.period,
        disaggregation=row.disaggregation,
        official=row.official,
        refreshed_at=row.refreshed_at,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        note=row.note,
    )


def _rows(
    *, scope: UnitScope, program: Program, official: bool, disaggregation: str
) -> QuerySet[Aggregate]:
    rows = Aggregate.objects.filter(
        program=program, official=official, disaggregation=disaggregation
    )
    return scope.filter(rows, "unit_path")


def _check(scope: UnitScope, unit: Unit) -> None:
    if not scope.contains_path(unit.path):
        raise Unit.DoesNotExist("unit outside the scope")


def _codes(codes: Sequence[str] | None) -> list[str]:
    known = [d.code for d in builtin_definitions()]
    return known if codes is None else [c for c in codes if c in known]


def program_figures(
    *,
    scope: UnitScope,
    program: Program,
    year: int,
    unit: Unit | None = None,
    codes: Sequence[str] | None = None,
    disaggregation: str = "",
    official: bool = True,
) -> dict[str, Figure]:
    """Return the figures over the program's communes under `unit` (default: its province,
    or the sum of its provinces); a unit outside `scope` raises Unit.DoesNotExist."""
    wanted = _codes(codes)
    rows = _rows(scope=scope, program=program, official=official, disaggregation=disaggregation)
    rows = rows.filter(period=year, indicator__in=wanted)
    if unit is not None:
        _check(scope, unit)
        return {row.indicator: _figure(row) for row in _fetch(rows.filter(unit=unit))}
    top = _fetch(
        Aggregate.objects.filter(
            program=program,
            official=official,
            disaggregation=disaggregation,
            period=year,
            indicator__in=wanted,
            unit_level=UnitLevel.PROVINCE,
        )
    )
    if any(not scope.contains_path(row.unit_path) for row in top):
        raise Unit.DoesNotExist("the program's province is outside the scope")
    by_code: dict[str, list[_Row]] = defaultdict(list)
    for row in top:
        by_code[row.indicator].append(row)
    found: dict[str, Figure] = {}
    for code, group in by_code.items():
        if len(group) == 1:
            found[code] = _figure(group[0])
            continue
        definition = definition_get(code)
        if definition.is_estimate:
            # An estimate per province does not add up over provinces: no program figure.
            continue
        total = domain.roll_up(definition, [(r.numerator, r.denominator) for r in group])
        assert total is not None
        first = _figure(group[0])
        found[code] = Figure(
            **{
                **first.__dict__,
                "numerator": total[0],
                "denominator": total[1],
                "value": domain.value_of(definition, *total),
                "unit_code": "",
                "unit_name": program.name,
                "refreshed_at": max(r.refreshed_at for r in group),
            }
        )
    return found


def unit_figures(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int,
    level: str = "commune",
    within: Unit | None = None,
    disaggregation: str = "",
    official: bool = True,
    limit: int | None = None,
    measured_only: bool = False,
) -> list[Figure]:
    """Return one figure per program unit of `level` within `within` and `scope`, by path:
    the first `limit` of them when given (`unit_counts` says how many there are), only those
    with a denominator when `measured_only`."""
    rows = _unit_rows(
        scope=scope,
        program=program,
        code=code,
        year=year,
        level=level,
        within=within,
        disaggregation=disaggregation,
        official=official,
    )
    if measured_only:
        rows = rows.exclude(denominator=0)
    rows = rows.order_by("unit_path")
    if limit is not None:
        rows = rows[:limit]
    return [_figure(row) for row in _fetch(rows)]


def _unit_rows(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int | None,
    level: str,
    within: Unit | None,
    disaggregation: str,
    official: bool,
) -> QuerySet[Aggregate]:
    rows = _rows(scope=scope, program=program, official=official, disaggregation=disaggregation)
    rows = rows.filter(indicator=code, unit_level=level)
    if year is not None:
        rows = rows.filter(period=year)
    if within is not None:
        _check(scope, within)
        rows = rows.filter(unit_path__startswith=within.path)
    return rows


class UnitCount(NamedTuple):
    """How many units are behind a figure: rows, rows with a denominator, and of those the
    rows whose value is below the threshold asked (0 when none was)."""

    units: int
    measured: int
    below: int


def unit_counts(
    *,
    scope: UnitScope,
    program: Program,
    figures: Sequence[tuple[str, int, str]],
    within: Unit | None = None,
    official: bool = True,
    below: float | None = None,
) -> dict[tuple[str, int, str], UnitCount]:
    """Return, per (code, year, disaggregation) of `figures`, how many units `units_behind`
    (its base level) would list, counted in one query: a national review has 10,000
    communes and 100,000 villages, and a page shows the first of them with these counts."""
    known = set(_codes([code for code, _year, _key in figures]))
    groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for code, year, key in figures:
        if code in known:
            groups[(year, key, definition_get(code).base_level)].append(code)
    if not groups:
        return {}
    wanted = Q()
    for (year, key, level), codes in groups.items():
        wanted |= Q(period=year, disaggregation=key, unit_level=level, indicator__in=codes)
    rows = scope.filter(
        Aggregate.objects.filter(wanted, program=program, official=official), "unit_path"
    )
    if within is not None:
        _check(scope, within)
        rows = rows.filter(unit_path__startswith=within.path)
    measured = ~Q(denominator=0)
    tallies = {"units": Count("id"), "measured": Count("id", filter=measured)}
    if below is not None:
        tallies["below"] = Count("id", filter=measured & Q(value__lt=below))
    found = rows.order_by().values("indicator", "period", "disaggregation").annotate(**tallies)
    counts = {
        (row["indicator"], row["period"], row["disaggregation"]): UnitCount(
            row["units"], row["measured"], row.get("below", 0)
        )
        for row in found
    }
    return {
        (code, year, key): counts.get((code, year, key), UnitCount(0, 0, 0))
        for code, year, key in figures
        if code in known
    }


def lowest_units(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int,
    limit: int,
    level: str = "commune",
    within: Unit | None = None,
    disaggregation: str = "",
    official: bool = True,
) -> list[Figure]:
    """Return what a ranking of the `limit` lowest values reads: every unit whose value is at
    most the `limit`-th lowest (ties at the cut included, values compared to 1e-6), or, when
    fewer than `limit` units carry a value, every unit. The caller orders them (by value,
    then name) and keeps the first `limit`; each rank is right, since every unit ahead of
    one of them is here."""
    rows = _unit_rows(
        scope=scope,
        program=program,
        code=code,
        year=year,
        level=level,
        within=within,
        disaggregation=disaggregation,
        official=official,
    )
    if limit < 1:
        return []
    cut = rows.filter(value__isnull=False).order_by("value").values("value")[limit - 1 : limit]
    # In one query: rows equal to the cut once rounded to 6 places (as a ranking compares
    # them) lie within 1e-6 of it; with no cut (fewer values than `limit`), every row.
    rows = rows.filter(Q(value__lte=Subquery(cut) + Value(1e-6)) | ~Exists(cut.values("value")))
    return [_figure(row) for row in _fetch(rows.order_by("unit_path"))]


def units_among(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int,
    unit_codes: Sequence[str],
    level: str = "commune",
    disaggregation: str = "",
    official: bool = True,
) -> set[str]:
    """Return which of `unit_codes` have a row of `code` (e.g. which ranked communes are key
    communes: a row under "group:key")."""
    rows = _rows(scope=scope, program=program, official=official, disaggregation=disaggregation)
    rows = rows.filter(
        indicator=code, period=year, unit_level=level, unit__code__in=list(unit_codes)
    )
    return set(rows.values_list("unit__code", flat=True))


def _binary(field: str) -> Collate:
    """Order `field` as Python orders strings (by code point), whatever the database's
    collation (a locale's puts "23500-01" and "2350001" otherwise)."""
    return Collate(F(field), "C" if connection.vendor == "postgresql" else "BINARY")


def units_over_period(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    years: Sequence[int],
    unit: Unit | None = None,
    official: bool = True,
    limit: int | None = None,
) -> tuple[list[Figure], int]:
    """Return each base unit's figure over `years` (`over_period`: e.g. its activities
    summed), by unit code — the first `limit` when given — and how many units there are."""
    definition = definition_get(code)
    rows = _unit_rows(
        scope=scope,
        program=program,
        code=code,
        year=None,
        level=definition.base_level,
        within=unit,
        disaggregation="",
        official=official,
    ).filter(period__in=list(years))
    total = rows.order_by().values("unit_id").distinct().count()
    if limit is not None and total > limit:
        first = (
            rows.annotate(code_key=_binary("unit__code"))
            .values_list("code_key", flat=True)
            .order_by("code_key")
            .distinct()[:limit]
        )
        rows = rows.filter(unit__code__in=list(first))
    by_unit: dict[str, list[Figure]] = defaultdict(list)
    for row in _fetch(rows.order_by("unit_path", "period")):
        by_unit[row.unit_code].append(_figure(row))
    totals = [over_period(definition, figures) for figures in by_unit.values()]
    found = sorted((f for f in totals if f is not None), key=lambda f: f.unit_code)
    return found, total


def series(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    years: Sequence[int] | None = None,
    unit: Unit | None = None,
    disaggregation: str = "",
    official: bool = True,
) -> list[Figure]:
    """Return the trend of `code` under `unit` (default: the province), one figure a year."""
    rows = _rows(scope=scope, program=program, official=official, disaggregation=disaggregation)
    rows = rows.filter(indicator=code)
    if years is not None:
        rows = rows.filter(period__in=list(years))
    if unit is not None:
        _check(scope, unit)
        rows = rows.filter(unit=unit)
    else:
        rows = rows.filter(unit_level=UnitLevel.PROVINCE)
    by_year: dict[int, list[_Row]] = defaultdict(list)
    for row in _fetch(rows.order_by("period", "unit_path")):
        by_year[row.period].append(row)
    definition = definition_get(code)
    found = []
    for _year, group in sorted(by_year.items()):
        figure = _figure(group[0])
        if len(group) > 1 and definition.is_estimate:
            continue  # an estimate per province does not add up over provinces
        if len(group) > 1:
            total = domain.roll_up(definition, [(r.numerator, r.denominator) for r in group])
            assert total is not None
            figure = Figure(
                **{
                    **figure.__dict__,
                    "numerator": total[0],
                    "denominator": total[1],
                    "value": domain.value_of(definition, *total),
                    "unit_code": "",
                    "unit_name": program.name,
                }
            )
        found.append(figure)
    return found


def figures_by_key(
    *,
    scope: UnitScope,
    program: Program,
    codes: Sequence[str],
    years: Sequence[int],
    unit: Unit | None = None,
    keys: Sequence[str] = ("",),
    prefixes: Sequence[str] = (),
    official: bool = True,
) -> dict[tuple[str, str, int], Figure]:
    """Return (code, disaggregation key, year) → the figure under `unit` (default: the
    province, or the sum of its provinces) for the `keys` and every key starting with one of
    `prefixes` ("source:" gives one figure per fund source), in one query."""
    wanted = Q(disaggregation__in=list(keys))
    for prefix in prefixes:
        wanted |= Q(disaggregation__startswith=prefix)
    rows = scope.filter(
        Aggregate.objects.filter(
            wanted,
            program=program,
            official=official,
            indicator__in=_codes(codes),
            period__in=list(years),
        ),
        "unit_path",
    )
    if unit is not None:
        _check(scope, unit)
        rows = rows.filter(unit=unit)
    else:
        rows = rows.filter(unit_level=UnitLevel.PROVINCE)
    groups: dict[tuple[str, str, int], list[_Row]] = defaultdict(list)
    for row in _fetch(rows.order_by("period", "indicator", "disaggregation", "unit_path")):
        groups[(row.indicator, row.disaggregation, row.period)].append(row)
    found: dict[tuple[str, str, int], Figure] = {}
    for key, group in groups.items():
        figure = _figure(group[0])
        if len(group) > 1:  # several provinces: added up
            definition = definition_get(key[0])
            total = domain.roll_up(definition, [(r.numerator, r.denominator) for r in group])
            assert total is not None
            figure = replace(
                figure,
                numerator=total[0],
                denominator=total[1],
                value=domain.value_of(definition, *total),
                unit_code="",
                unit_name=program.name,
            )
        found[key] = figure
    return found


def units_behind(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int,
    unit: Unit | None = None,
    official: bool = True,
    limit: int | None = None,
) -> list[Figure]:
    """Return the base rows (communes, or villages for a village-level indicator) behind a
    figure, by path (the first `limit` when given: `unit_counts` says how many there are);
    for a `count` indicator each row's numerator is 1 when the unit meets it."""
    level = definition_get(code).base_level
    return unit_figures(
        scope=scope,
        program=program,
        code=code,
        year=year,
        level=level,
        within=unit,
        official=official,
        limit=limit,
    )


def breaks_in_series(*, program: Program, years: Sequence[int]) -> list[BreakInSeries]:
    """Return where the poverty standard of the program's census rounds changes."""
    communes = ProgramCommune.objects.filter(program=program).values("commune_id")
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    # Counted in SQL: one row per (year, standard), not one per round of every commune.
    for year, standard, rounds in (
        CensusRound.objects.filter(commune_id__in=communes)
        .values("year", "standard_code")
        .annotate(rounds=Count("id"))
        .order_by("year", "standard_code")
        .values_list("year", "standard_code", "rounds")
    ):
        counts[year][standard] += rounds
    by_year = {year: counter.most_common(1)[0][0] for year, counter in counts.items()}
    standards = builtin_standards()
    found = []
    for year, code, previous in domain.breaks(by_year, list(years)):
        known = standards.get(code)
        found.append(
            BreakInSeries(
                year=year,
                standard_code=code,
                label_vi=known.name.vi if known else code,
                label_en=(known.name.en or known.name.vi) if known else code,
                previous_standard_code=previous,
            )
        )
    return found


def refreshed_at(*, program: Program) -> datetime | None:
    """Return when the program's aggregates were last refreshed ("as of" on pages)."""
    return Aggregate.objects.filter(program=program).aggregate(last=Max("refreshed_at"))["last"]


def targets_for(*, program: Program, year: int) -> dict[str, Target]:
    """Return the program's targets for `year` by indicator code."""
    return {t.indicator: t for t in Target.objects.filter(program=program, year=year)}


def target_year_from(*, program: Program, year: int) -> int | None:
    """Return the program's first target year at or after `year` (None: no target left)."""
    return (
        Target.objects.filter(program=program, year__gte=year)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
