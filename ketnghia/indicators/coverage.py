"""What each figure leaves out: its base units without data against its population.

A figure of a unit (a province, a district) is computed over the base rows that carry data:
the communes with a result for the year (an approved census round, an assessment, a road
record…), or the villages assessed for a village-level figure. Its population is every base
unit the program lists under that unit for the year (the key communes for the key communes'
figure). A figure computed over fewer units than its population must say which are missing
(design rule 14), so pages, reports and exports read them here, per figure.

Two queries whatever the number of figures (the program's units, then the base rows with
data), only inside the caller's scope. With a `limit` (a national review: 10,000 communes,
100,000 villages) the units are counted in SQL and only the first `limit` missing units of
each figure are read: a few queries more, none returning more than `limit` rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators.definitions import builtin_definitions
from ketnghia.indicators.domain import KEY_GROUP, IndicatorDefinition
from ketnghia.indicators.models import Aggregate
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_memberships_on

# Where a missing unit gets its data: the page a reader follows to fill the gap.
SOURCES = {
    "poverty_rate": "census",
    "near_poverty_rate": "census",
    "communes_below_30": "census",
    "poor_households_with_party_member": "census",
    "road_access_share": "criteria",
    "communes_meeting_criteria": "criteria",
    "villages_meeting_criteria": "village_criteria",
    "poor_households_supported": "census",
}


@dataclass(frozen=True)
class MissingUnit:
    code: str
    name: str
    level: str
    commune_code: str  # the unit itself for a commune; a village's commune
    commune_name: str


@dataclass(frozen=True)
class FigureCoverage:
    """How many of a figure's base units carry data, and which do not."""

    code: str
    disaggregation: str
    base_level: str  # "commune" | "village"
    covered: int
    population: int
    missing: tuple[MissingUnit, ...] = field(default_factory=tuple)
    source: str = "census"  # census | criteria | village_criteria

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def left_out(self) -> int:
        """How many base units are missing (`missing` may list only the first of them)."""
        return self.population - self.covered


def _population(
    *, scope: UnitScope, program: Program, year: int, within: Unit | None, key_only: bool
) -> QuerySet[Unit]:
    rows = program_memberships_on(program=program, on=date(year, 12, 31))
    if key_only:
        rows = rows.filter(is_key=True)
    communes = scope.filter(Unit.objects.filter(pk__in=rows.values("commune_id")))
    if within is not None:
        communes = communes.filter(path__startswith=within.path)
    return communes.order_by("path").only("code", "name", "path", "level")


def program_communes(
    *, scope: UnitScope, program: Program, year: int, within: Unit | None = None
) -> list[Unit]:
    """Return the program's communes on 31 December of `year` under `within`, in `scope`."""
    return _population(scope=scope, program=program, year=year, within=within, key_only=False)


def figure_coverage(
    *,
    scope: UnitScope,
    program: Program,
    year: int,
    within: Unit | None = None,
    codes: Sequence[str] | None = None,
    disaggregation: str = "",
    official: bool = True,
    limit: int | None = None,
) -> dict[str, FigureCoverage]:
    """Return, per figure code, the base units under `within` with and without data in `year`
    (only the first `limit` missing units, by path, when given; `covered` and `population`
    count them all).

    A `sum` figure (twinning activities) counts events: a commune without any has 0, not a
    gap, so it is not listed. `disaggregation` "group:key" takes the key communes only.
    """
    definitions = {
        d.code: d
        for d in builtin_definitions()
        if d.unit_aggregation not in ("sum", "estimate") and (codes is None or d.code in codes)
    }
    if not definitions:
        return {}
    population = _population(
        scope=scope,
        program=program,
        year=year,
        within=within,
        key_only=disaggregation == KEY_GROUP,
    )
    levels = {d.base_level for d in definitions.values()}
    village_rows = _villages(population, year) if UnitLevel.VILLAGE in levels else None
    # A base row with data: a weighted figure's row is there only when its denominator fact
    # is (a round with no poor household has a 0 over 0 rate, yet it was counted); a count's
    # row is 0 over 0 when its unit was never measured (not assessed, no road record).
    # Read by level (and area), not by a list of every unit's id: rows of units outside the
    # population are never looked up below.
    weighted = [c for c, d in definitions.items() if d.unit_aggregation == "weighted"]
    rows = Aggregate.objects.filter(
        Q(denominator__gt=0) | Q(indicator__in=weighted),
        program=program,
        official=official,
        disaggregation="",
        period=year,
        indicator__in=list(definitions),
        unit_level__in=sorted(levels),
    )
    if within is not None:
        rows = rows.filter(unit_path__startswith=within.path)
    if limit is not None:
        return _counted(
            definitions=definitions,
            disaggregation=disaggregation,
            population=population,
            villages=village_rows,
            rows=rows,
            limit=limit,
        )
    communes = list(population)
    villages: list[Unit] = list(village_rows) if village_rows is not None else []
    with_data: set[tuple[str, int]] = set(rows.values_list("indicator", "unit_id"))
    by_pk = {c.pk: c for c in communes}
    found: dict[str, FigureCoverage] = {}
    for code, definition in definitions.items():
        base = villages if definition.base_level == UnitLevel.VILLAGE else communes
        missing = []
        for unit in base:
            if (code, unit.pk) in with_data:
                continue
            commune = by_pk.get(unit.parent_id) if unit.level == UnitLevel.VILLAGE else unit
            missing.append(
                MissingUnit(
                    code=unit.code,
                    name=unit.name,
                    level=unit.level,
                    commune_code=commune.code if commune is not None else unit.code,
                    commune_name=commune.name if commune is not None else unit.name,
                )
            )
        found[code] = FigureCoverage(
            code=code,
            disaggregation=disaggregation,
            base_level=definition.base_level,
            covered=len(base) - len(missing),
            population=len(base),
            missing=tuple(missing),
            source=SOURCES.get(code, "census"),
        )
    return found


def _villages(population: QuerySet[Unit], year: int) -> QuerySet[Unit]:
    """Return the villages of the `population` communes in force on 31 December of `year`."""
    on = date(year, 12, 31)
    # The communes as a subquery, not a list of ids: a national program has thousands.
    return (
        Unit.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            parent__in=population.values("pk"),
            level=UnitLevel.VILLAGE,
        )
        .order_by("path")
        .only("code", "name", "path", "level", "parent_id")
    )


def _counted(
    *,
    definitions: dict[str, IndicatorDefinition],
    disaggregation: str,
    population: QuerySet[Unit],
    villages: QuerySet[Unit] | None,
    rows: QuerySet[Aggregate],
    limit: int,
) -> dict[str, FigureCoverage]:
    """`figure_coverage` counted in SQL: the base units and those with data counted, the first
    `limit` missing units of each figure read (one query per figure with a gap)."""
    bases = {UnitLevel.COMMUNE: population.order_by()}
    if villages is not None:
        bases[UnitLevel.VILLAGE] = villages.order_by()
    # Per level, one query: its base units counted, and those with a row of each figure
    # (`pk IN (…)` is hashed once per figure, not looked up per unit).
    sizes: dict[str, int] = {}
    covered: dict[str, int] = {}
    for level, base in bases.items():
        codes = [c for c, d in definitions.items() if d.base_level == level]
        if not codes:
            continue
        counted = base.aggregate(
            units=Count("pk"),
            **{
                f"with_{number}": Count(
                    "pk", filter=Q(pk__in=rows.filter(indicator=code).values("unit_id"))
                )
                for number, code in enumerate(codes)
            },
        )
        sizes[level] = counted["units"]
        covered.update({code: counted[f"with_{n}"] for n, code in enumerate(codes)})
    found: dict[str, FigureCoverage] = {}
    for code, definition in definitions.items():
        population_size = sizes.get(definition.base_level, 0)
        count = covered.get(code, 0)
        missing: tuple[MissingUnit, ...] = ()
        if count < population_size and limit > 0:
            first = (
                bases[definition.base_level]
                .exclude(pk__in=rows.filter(indicator=code).values("unit_id"))
                .order_by("path")
                .values_list("code", "name", "level", "parent__code", "parent__name")[:limit]
            )
            missing = tuple(
                MissingUnit(
                    code=unit_code,
                    name=name,
                    level=unit_level,
                    commune_code=parent_code if unit_level == UnitLevel.VILLAGE else unit_code,
                    commune_name=parent_name if unit_level == UnitLevel.VILLAGE else name,
                )
                for unit_code, name, unit_level, parent_code, parent_name in first
            )
        found[code] = FigureCoverage(
            code=code,
            disaggregation=disaggregation,
            base_level=definition.base_level,
            covered=count,
            population=population_size,
            missing=missing,
            source=SOURCES.get(code, "census"),
        )
    return found
