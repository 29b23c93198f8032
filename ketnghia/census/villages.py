"""Reads for the village page: a village's households and their census status by year.

Always through the gate's scope. Each year's column is the year's figure round of the
commune (latest approved revision, else latest revision), as on the commune page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from ketnghia.census.models import CensusEntry, CensusRound, Status
from ketnghia.census.summaries import year_figures
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household


@dataclass(frozen=True)
class VillageRow:
    household: Household
    statuses: list[tuple[str, str] | None]  # (status, label) per year, None where absent


@dataclass(frozen=True)
class VillageCensus:
    years: list[CensusRound]  # the figure round of each year, oldest first
    rows: list[VillageRow]
    # Per year: households of the village in the round by status, and their total.
    counts: list[tuple[dict[str, int], int]]

    @property
    def year_rows(self) -> list[YearCounts]:
        """Return each year's round with its households by status (every status, in order)."""
        return [
            YearCounts(census_round, total, [(s, by_status[s]) for s in Status.values])
            for census_round, (by_status, total) in zip(self.years, self.counts, strict=True)
        ]


@dataclass(frozen=True)
class YearCounts:
    round: CensusRound
    total: int
    by_status: list[tuple[str, int]]


def village_household_list_for(*, scope: UnitScope, village: Unit) -> QuerySet[Household]:
    """Return the households registered in `village` inside `scope`, by code."""
    households = Household.objects.filter(village=village).select_related("commune")
    return scope.filter(households, "unit_path").order_by("code")


def village_census_by_year(
    *, scope: UnitScope, village: Unit, households: list[Household]
) -> VillageCensus:
    """Return the census of `village` by year, and the statuses of `households` (one page)."""
    rounds = list(
        scope.filter(
            CensusRound.objects.filter(commune_id=village.parent_id), "unit_path"
        ).order_by("year", "revision")
    )
    figures = year_figures((r.pk, r.commune_id, r.year, r.revision, r.state) for r in rounds)
    by_id = {r.pk: r for r in rounds}
    years = [by_id[pk] for _key, pk in sorted(figures.items())]
    column = {r.pk: index for index, r in enumerate(years)}
    labels = dict(Status.choices)
    statuses: dict[int, list[tuple[str, str] | None]] = {
        h.pk: [None] * len(years) for h in households
    }
    if households and years:
        for household_id, round_id, status in CensusEntry.objects.filter(
            round_id__in=list(column), household__in=households
        ).values_list("household_id", "round_id", "status"):
            statuses[household_id][column[round_id]] = (status, str(labels[status]))
    counts: list[tuple[dict[str, int], int]] = [
        (dict.fromkeys(Status.values, 0), 0) for _round in years
    ]
    if years:
        tallies = (
            CensusEntry.objects.filter(round_id__in=list(column), household__village=village)
            .order_by()
            .values_list("round_id", "status")
            .annotate(n=Count("id"))
        )
        for round_id, status, n in tallies:
            by_status, total = counts[column[round_id]]
            by_status[status] = n
            counts[column[round_id]] = (by_status, total + n)
    return VillageCensus(
        years=years,
        rows=[VillageRow(h, statuses[h.pk]) for h in households],
        counts=counts,
    )
