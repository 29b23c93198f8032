"""What each figure leaves out: its base units without data against its population.

A figure of a unit (a province, a district) is computed over the base rows that carry data:
the communes with a result for the year (an approved census round, an assessment, a road
record…), or the villages assessed for a village-level figure. Its population is every base
unit the program lists under that unit for the year (the key communes for the key communes'
figure). A figure computed over fewer units than its population must say which are missing
(design rule 14), so pages, reports and exports read them here, per figure.

Two queries whatever the number of figures (the program's units, then the base rows with
data), only inside the caller's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators.definitions import builtin_definitions
from ketnghia.indicators.domain import KEY_GROUP
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
) -> dict[str, FigureCoverage]:
    """Return, per figure code, the base units under `within` with and without data in `year`.

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
    communes = list(population)
    on = date(year, 12, 31)
    villages: list[Unit] = []
    levels = {d.base_level for d in definitions.values()}
    if UnitLevel.VILLAGE in levels:
        # The communes as a subquery, not a list of ids: a national program has thousands.
        villages = list(
            Unit.objects.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=on),
                Q(valid_to__isnull=True) | Q(valid_to__gte=on),
                parent__in=population.values("pk"),
                level=UnitLevel.VILLAGE,
            )
            .order_by("path")
            .only("code", "name", "path", "level", "parent_id")
        )
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
