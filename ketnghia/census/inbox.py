"""The district inbox (a read): its communes' rounds of one year, who holds each, since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Max
from django.utils import timezone

from ketnghia.accounts.rules import Role
from ketnghia.census import workflow
from ketnghia.census.models import CensusRound, RoundState
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel


@dataclass(frozen=True)
class InboxRow:
    """One commune of the district in the year: its latest round (or none yet)."""

    commune: Unit
    round: CensusRound | None
    holders: tuple[str, ...]
    since: datetime | None

    @property
    def holder_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.holders]

    @property
    def waits_for_district(self) -> bool:
        return Role.DISTRICT_OFFICER in self.holders

    @property
    def days_waiting(self) -> int | None:
        if self.since is None:
            return None
        return max(0, (timezone.now() - self.since).days)


def _at_midnight(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def _since(census_round: CensusRound) -> datetime | None:
    """Return when the round entered its state.

    Stored since this field exists; for older rounds (and the bulk-written demo), the fact
    its step recorded: the approval or acceptance time, the posting or meeting day.
    """
    if census_round.state_changed_at is not None:
        return census_round.state_changed_at
    return {
        RoundState.VILLAGE_MEETING: _at_midnight(census_round.meeting_date),
        RoundState.POSTED: _at_midnight(census_round.posting_start),
        RoundState.COMMUNE_APPROVED: census_round.commune_approved_at,
        RoundState.DISTRICT_ACCEPTED: census_round.district_accepted_at,
        RoundState.PROVINCE_ACCEPTED: census_round.province_accepted_at,
    }.get(census_round.state)


def district_round_years(*, scope: UnitScope, district: Unit) -> list[int]:
    """Return the census years any commune of `district` has a round for, newest first."""
    rounds = scope.filter(CensusRound.objects.filter(commune__parent=district), "unit_path")
    return sorted(set(rounds.values_list("year", flat=True)), reverse=True)


def district_inbox(*, scope: UnitScope, district: Unit, year: int) -> list[InboxRow]:
    """Return each commune of `district` inside `scope` with its latest round of `year`.

    A commune without a round that year is listed too (the commune opens it). Communes are
    in name order; two queries whatever the number of communes.
    """
    communes = list(
        scope.filter(
            Unit.objects.filter(parent=district, level=UnitLevel.COMMUNE), "path"
        ).order_by("name", "code")
    )
    latest: dict[int, CensusRound] = {}
    rounds = scope.filter(
        CensusRound.objects.filter(commune__parent=district, year=year), "unit_path"
    ).order_by("commune_id", "revision")
    for census_round in rounds:
        latest[census_round.commune_id] = census_round
    rows = []
    for commune in communes:
        found = latest.get(commune.pk)
        if found is None:
            rows.append(InboxRow(commune, None, (Role.COMMUNE_OFFICER,), None))
            continue
        found.commune = commune  # spares a query per row when the page names the commune
        rows.append(
            InboxRow(commune, found, tuple(workflow.holder_roles(found.state)), _since(found))
        )
    return rows


# --- where the census of a scope stands (the census area's entry, the homes' to-dos) ----------

# A round that has stood at one step longer than this is late: Decision 24/2021/QĐ-TTg gives
# each step days to weeks, so a month at one step is past any step's time.
LATE_AFTER_DAYS = 30


def is_late(days_waiting: int | None) -> bool:
    """Return whether a round that has waited `days_waiting` days at one step is late."""
    return days_waiting is not None and days_waiting > LATE_AFTER_DAYS


def census_year_for(*, scope: UnitScope) -> int | None:
    """Return the newest census year any round inside `scope` has."""
    rounds = scope.filter(CensusRound.objects.all(), "unit_path")
    return rounds.aggregate(year=Max("year"))["year"]


def latest_rounds(scope: UnitScope, year: int) -> dict[int, CensusRound]:
    latest: dict[int, CensusRound] = {}
    rounds = scope.filter(CensusRound.objects.filter(year=year), "unit_path")
    for census_round in rounds.select_related("commune").order_by("commune_id", "revision"):
        latest[census_round.commune_id] = census_round
    return latest


def days_waiting(census_round: CensusRound) -> int | None:
    since = _since(census_round)
    return None if since is None else max(0, (timezone.now() - since).days)
