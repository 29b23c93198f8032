"""A small hand-made program, built through the real services, and direct counts over its rows.

The counts here read the source rows with plain ORM queries (entries, assessments,
infrastructure, activities) or the twinning app's own coverage report, never the engine, so
a test comparing the two can fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.summaries import APPROVED_STATES, year_figures
from ketnghia.census.tests.factories import approve, make_round, take_to_posted

__all__ = ["approve", "make_round"]
from ketnghia.core.gate import EVERYTHING
from ketnghia.criteria import selectors as criteria_selectors
from ketnghia.criteria import services as criteria_services
from ketnghia.criteria.models import Assessment, CommuneInfrastructure, Road
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning.coverage import coverage_report
from ketnghia.twinning.models import Activity, ActivityStatus
from ketnghia.twinning.tests.network import covered_network


@dataclass
class Small:
    program: Program
    communes: list[Unit]
    pending: CensusRound  # Đắk Choong 2015, posted, not approved


def small_program(tree, users) -> Small:
    """Ngọk Wang (2014–2016 approved, twinned, one Party member), Đăk Mar (2015 approved),
    Đắk Choong (a key commune; 2015 posted, not approved) on one program; roads in 2015."""
    program, _net = covered_network(tree, users)
    ProgramCommune.objects.create(
        program=program, commune=tree.dak_choong, is_key=True, valid_from=date(2007, 1, 1)
    )
    approve(
        make_round(
            tree.dak_mar,
            2015,
            "vn-2011",
            {"M1": 300_000, "M2": 900_000, "M3": 950_000, "M4": 1_000_000},
            village=tree.village_b,
        ),
        users.commune_officer,
    )
    pending = take_to_posted(
        make_round(
            tree.dak_choong,
            2015,
            "vn-2011",
            {"K1": 200_000, "K2": 250_000, "K3": 700_000},
            village=tree.village_c,
        ),
        users.commune_officer,
    )
    criteria_services.criteria_sets_sync()
    for commune, road in (
        (tree.ngok_wang, Road.ALL_SEASON),
        (tree.dak_mar, Road.DRY_SEASON),
        (tree.dak_choong, Road.NONE),
    ):
        criteria_services.infrastructure_set(
            commune=commune, year=2015, values={"road_to_centre": road}, actor=None
        )
    return Small(program, [tree.ngok_wang, tree.dak_mar, tree.dak_choong], pending)


def members(program: Program, year: int, *, key_only: bool = False) -> list[int]:
    on = date(year, 12, 31)
    rows = ProgramCommune.objects.filter(program=program, valid_from__lte=on).exclude(
        valid_to__lt=on
    )
    if key_only:
        rows = rows.filter(is_key=True)
    return sorted(set(rows.values_list("commune_id", flat=True)))


def figure_round(commune_id: int, year: int, *, official: bool) -> int | None:
    rounds = CensusRound.objects.filter(commune_id=commune_id, year=year)
    if official:
        found = rounds.filter(state__in=APPROVED_STATES).order_by("-revision").first()
        return found.pk if found else None
    figures = year_figures(rounds.values_list("id", "commune_id", "year", "revision", "state"))
    return figures.get((commune_id, year))


def poverty(commune_ids: list[int], year: int, *, official: bool = True) -> tuple[int, int]:
    """Return (poor entries, entries) over the communes' figure rounds."""
    poor = total = 0
    for commune_id in commune_ids:
        pk = figure_round(commune_id, year, official=official)
        if pk is None:
            continue
        entries = CensusEntry.objects.filter(round_id=pk)
        total += entries.count()
        poor += entries.filter(status="poor").count()
    return poor, total


def below(commune_ids: list[int], year: int, threshold: float = 30) -> tuple[int, int]:
    meeting = counted = 0
    for commune_id in commune_ids:
        poor, total = poverty([commune_id], year)
        if total:
            counted += 1
            meeting += poor / total * 100 < threshold
    return meeting, counted


def roads(commune_ids: list[int], year: int) -> tuple[int, int]:
    rows = CommuneInfrastructure.objects.filter(commune_id__in=commune_ids, year=year).exclude(
        road_to_centre=""
    )
    passable = rows.filter(road_to_centre__in=[Road.ALL_SEASON, Road.DRY_SEASON]).count()
    return passable, rows.count()


def criteria(commune_ids: list[int], year: int, level: str) -> tuple[int, int]:
    version = criteria_selectors.set_version_get(code="nvv-example", level=level, year=year)
    rows = Assessment.objects.filter(set_version=version, year=year)
    if level == UnitLevel.VILLAGE:
        rows = rows.filter(unit__parent_id__in=commune_ids)
    else:
        rows = rows.filter(unit_id__in=commune_ids)
    return rows.exclude(outcome="not_met").count(), rows.count()


def coverage(program: Program, year: int) -> tuple[int, int]:
    ratio = coverage_report(scope=EVERYTHING, program=program, year=year).totals[
        "poor_households_with_party_member"
    ]
    return ratio.numerator, ratio.denominator


def activities(commune_ids: list[int], year: int) -> int:
    return Activity.objects.filter(
        commune_id__in=commune_ids, date__year=year, status=ActivityStatus.CONFIRMED
    ).count()
