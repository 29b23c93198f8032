"""Coverage and workload of the network: reads over a program's communes, through the gate.

Each figure is a `rules.Ratio` computed from plain facts gathered in a fixed number of
queries (whatever the number of communes); the drill-down functions return the rows behind a
figure. The reference day of a year is 31 December (today for the current year); the
households are the poor and near-poor ones of each commune's latest approved census round of
that year or before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from ketnghia.census.models import CensusEntry, Status
from ketnghia.census.selectors import latest_official_round_ids
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_communes_on
from ketnghia.twinning import proposals, rules
from ketnghia.twinning.models import (
    Activity,
    ActivityKind,
    Assignment,
    AssignmentKind,
    Person,
    PersonRole,
    Twinning,
)
from ketnghia.twinning.selectors import network_rules_for, on_date

POOR_STATUSES = (Status.POOR, Status.NEAR_POOR)


def reference_day(year: int, today: date | None = None) -> date:
    """Return the day a year's coverage is read on: 31 December, or today in the current year."""
    today = today or timezone.localdate()
    end = date(year, 12, 31)
    return min(end, today) if year == today.year else end


def villages_on(communes: list[Unit] | list[int] | QuerySet[Unit], on: date) -> QuerySet[Unit]:
    """Return the villages of `communes` valid on `on`."""
    return Unit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        level=UnitLevel.VILLAGE,
        parent__in=communes,
    )


def latest_approved_rounds(communes: Sequence[Unit | int], year: int) -> dict[int, int]:
    """Return commune id → id of its official round of the latest year ≤ `year`
    (`census.selectors.latest_official_round_ids`: the one rule of the official round)."""
    ids = [c.pk if isinstance(c, Unit) else c for c in communes]
    return latest_official_round_ids(commune_ids=ids, year=year)


def poor_entries(round_ids: list[int]) -> QuerySet[CensusEntry]:
    """Return the poor and near-poor entries of the given rounds."""
    return CensusEntry.objects.filter(round_id__in=round_ids, status__in=POOR_STATUSES)


@dataclass
class CommuneCoverage:
    commune: Unit
    measures: dict[str, rules.Ratio]
    twinning_units: list[str]


@dataclass
class CoverageReport:
    program: Program
    year: int
    on: date
    communes: list[CommuneCoverage]
    totals: dict[str, rules.Ratio]

    def as_dict(self) -> dict[str, object]:
        return {
            "program": self.program.code,
            "year": self.year,
            "on": self.on.isoformat(),
            "communes": [
                {
                    "code": row.commune.code,
                    "name": row.commune.name,
                    "twinning_units": row.twinning_units,
                    "measures": {k: v.as_dict() for k, v in row.measures.items()},
                }
                for row in self.communes
            ],
            "totals": {k: v.as_dict() for k, v in self.totals.items()},
        }


@dataclass
class NetworkRows:
    """The plain facts of a set of communes on a reference day, gathered in a fixed number of
    queries: what `coverage_report` and the criteria facts (`twinning/facts.py`) read."""

    twinned: dict[int, list[str]]
    villages: dict[int, set[int]]
    office: dict[int, set[int]]
    committee: dict[int, set[int]]
    poor: dict[int, set[int]]
    poor_village_codes: dict[int, str]
    covered: dict[int, set[int]]
    loads: dict[int, Counter[int]]
    activity_counts: dict[int, Counter[str]]
    village_activity_counts: dict[int, Counter[str]]


def network_rows(ids: list[int], year: int, on: date) -> NetworkRows:
    """Gather the twinning units, villages, assignments, poor households and activities of the
    communes `ids` (the households: of each commune's latest approved round of `year` or before;
    `poor_village_codes` gives each one's village code in that round)."""
    twinned: dict[int, list[str]] = defaultdict(list)
    for commune_id, name in Twinning.objects.filter(on_date(on), commune_id__in=ids).values_list(
        "commune_id", "organisation__name"
    ):
        twinned[commune_id].append(name)

    villages: dict[int, set[int]] = defaultdict(set)
    for village_id, commune_id in villages_on(ids, on).values_list("pk", "parent_id"):
        villages[commune_id].add(village_id)

    office: dict[int, set[int]] = defaultdict(set)
    committee: dict[int, set[int]] = defaultdict(set)
    for kind, commune_id, village_id in Assignment.objects.filter(
        on_date(on),
        commune_id__in=ids,
        kind__in=[AssignmentKind.OFFICE_VILLAGE, AssignmentKind.COMMITTEE_VILLAGE],
    ).values_list("kind", "commune_id", "village_id"):
        (office if kind == AssignmentKind.OFFICE_VILLAGE else committee)[commune_id].add(village_id)

    rounds = latest_approved_rounds(ids, year)
    poor: dict[int, set[int]] = defaultdict(set)
    poor_village_codes: dict[int, str] = {}
    for commune_id, household_id, village_code in poor_entries(list(rounds.values())).values_list(
        "round__commune_id", "household_id", "village_code"
    ):
        poor[commune_id].add(household_id)
        poor_village_codes[household_id] = village_code

    covered: dict[int, set[int]] = defaultdict(set)
    loads: dict[int, Counter[int]] = defaultdict(Counter)
    for commune_id, household_id, person_id in Assignment.objects.filter(
        on_date(on), commune_id__in=ids, kind=AssignmentKind.MEMBER_HOUSEHOLD
    ).values_list("commune_id", "household_id", "person_id"):
        covered[commune_id].add(household_id)
        loads[commune_id][person_id] += 1

    activity_counts: dict[int, Counter[str]] = defaultdict(Counter)
    village_activity_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for commune_id, village_id, status, n in (
        Activity.objects.filter(commune_id__in=ids, date__year=year)
        .values_list("commune_id", "village_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        activity_counts[commune_id][status] += n
        if village_id is not None:
            village_activity_counts[village_id][status] += n

    return NetworkRows(
        twinned=twinned,
        villages=villages,
        office=office,
        committee=committee,
        poor=poor,
        poor_village_codes=poor_village_codes,
        covered=covered,
        loads=loads,
        activity_counts=activity_counts,
        village_activity_counts=village_activity_counts,
    )


def coverage_report(
    *,
    scope: UnitScope,
    program: Program,
    year: int,
    communes: list[Unit] | None = None,
    today: date | None = None,
) -> CoverageReport:
    """Return the coverage of each program commune inside `scope` in `year`, and the totals."""
    on = reference_day(year, today)
    if communes is None:
        communes = list(program_communes_on(program=program, on=on, scope=scope))
    else:
        communes = [c for c in communes if scope.contains_path(c.path)]
    ids = [c.pk for c in communes]

    gathered = network_rows(ids, year, on)
    twinned, villages = gathered.twinned, gathered.villages
    office, committee = gathered.office, gathered.committee
    poor, covered, loads = gathered.poor, gathered.covered, gathered.loads
    activity_counts = gathered.activity_counts

    rows = []
    for commune in communes:
        counts = activity_counts[commune.pk]
        facts = rules.CommuneFacts(
            twinned=bool(twinned[commune.pk]),
            village_ids=frozenset(villages[commune.pk]),
            office_village_ids=frozenset(office[commune.pk]),
            committee_village_ids=frozenset(committee[commune.pk]),
            poor_household_ids=frozenset(poor[commune.pk]),
            covered_household_ids=frozenset(covered[commune.pk]),
            activities=sum(counts.values()),
            confirmed_activities=counts.get("confirmed", 0),
            member_loads=tuple(loads[commune.pk].values()),
            cap=network_rules_for(commune).max_households_per_party_member,
        )
        rows.append(
            CommuneCoverage(
                commune=commune,
                measures=rules.commune_measures(facts),
                twinning_units=sorted(twinned[commune.pk]),
            )
        )
    totals = rules.total_measures([row.measures for row in rows])
    return CoverageReport(program=program, year=year, on=on, communes=rows, totals=totals)


# --- drill-down: the rows behind a figure -----------------------------------------------


@dataclass
class CommuneGaps:
    """The rows behind a commune's figures on one day."""

    on: date
    villages: list[Unit]
    office_by_village: dict[int | None, list[Assignment]]
    committee_by_village: dict[int | None, list[Assignment]]
    poor_entries: list[CensusEntry]
    member_by_household: dict[int | None, Assignment]

    @property
    def villages_without_office(self) -> list[Unit]:
        return [v for v in self.villages if not self.office_by_village.get(v.pk)]

    @property
    def villages_without_committee_member(self) -> list[Unit]:
        return [v for v in self.villages if not self.committee_by_village.get(v.pk)]

    @property
    def uncovered_entries(self) -> list[CensusEntry]:
        return [e for e in self.poor_entries if e.household_id not in self.member_by_household]


def commune_gaps(
    *, scope: UnitScope, commune: Unit, year: int, today: date | None = None
) -> CommuneGaps:
    """Return a commune's villages, poor households and who covers them, for the drill-down."""
    on = reference_day(year, today)
    if not scope.contains_path(commune.path):
        return CommuneGaps(on, [], {}, {}, [], {})
    villages = list(villages_on([commune], on).order_by("code"))
    office: dict[int | None, list[Assignment]] = defaultdict(list)
    committee: dict[int | None, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(
        on_date(on),
        commune=commune,
        kind__in=[AssignmentKind.OFFICE_VILLAGE, AssignmentKind.COMMITTEE_VILLAGE],
    ).select_related("organisation", "person"):
        target = office if assignment.kind == AssignmentKind.OFFICE_VILLAGE else committee
        target[assignment.village_id].append(assignment)
    rounds = latest_approved_rounds([commune], year)
    entries = list(
        poor_entries(list(rounds.values())).select_related("household").order_by("household_code")
    )
    members = {
        a.household_id: a
        for a in Assignment.objects.filter(
            on_date(on), commune=commune, kind=AssignmentKind.MEMBER_HOUSEHOLD
        ).select_related("person")
    }
    return CommuneGaps(on, villages, office, committee, entries, members)


@dataclass(frozen=True)
class MemberLoad:
    person: Person
    households: int
    over_cap: bool


def party_member_loads(*, scope: UnitScope, commune: Unit, on: date) -> list[MemberLoad]:
    """Return each active Party member of `commune` with how many households they answer for."""
    cap = network_rules_for(commune).max_households_per_party_member
    people = scope.filter(
        Person.objects.filter(commune=commune, role=PersonRole.PARTY_MEMBER).filter(
            Q(active_to__isnull=True) | Q(active_to__gte=on), active_from__lte=on
        ),
        "unit_path",
    ).annotate(
        load=Count(
            "assignments",
            filter=Q(assignments__start_date__lte=on)
            & (Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=on)),
        )
    )
    return [
        MemberLoad(person=p, households=p.load, over_cap=p.load > cap)
        for p in people.order_by("-load", "full_name")
    ]


def activities_by_quarter(
    *, scope: UnitScope, communes: list[Unit], year: int
) -> dict[int, list[int]]:
    """Return commune id → activity counts per quarter of `year`."""
    result = {c.pk: [0, 0, 0, 0] for c in communes}
    rows = scope.filter(
        Activity.objects.filter(commune__in=communes, date__year=year), "unit_path"
    ).values_list("commune_id", "date")
    for commune_id, day in rows:
        result[commune_id][rules.quarter_of(day) - 1] += 1
    return result


def communes_not_visited(
    *, scope: UnitScope, communes: list[Unit], on: date, months: int
) -> list[tuple[Unit, date | None]]:
    """Return the communes with no visit in the `months` before `on`, with their last visit."""
    since = on - timedelta(days=round(months * 30.44))
    last = dict(
        scope.filter(
            Activity.objects.filter(commune__in=communes, kind=ActivityKind.VISIT, date__lte=on),
            "unit_path",
        )
        .values("commune_id")
        .annotate(last=Max("date"))
        .values_list("commune_id", "last")
    )
    return [(c, last.get(c.pk)) for c in communes if last.get(c.pk) is None or last[c.pk] < since]


def resources_by_organisation(
    *, scope: UnitScope, communes: list[Unit], year: int | None = None
) -> list[tuple[str, int, int, int]]:
    """Return (organisation, year, VND mobilised, activities) over the communes' activities."""
    activities = Activity.objects.filter(commune__in=communes)
    if year is not None:
        activities = activities.filter(date__year=year)
    rows = (
        scope.filter(activities, "unit_path")
        .values_list("team__organisation__name", "date__year")
        .annotate(vnd=Sum("resources_vnd"), n=Count("pk"))
        .order_by("team__organisation__name", "date__year")
    )
    return [(name, year, vnd or 0, n) for name, year, vnd, n in rows]


# --- reassignment proposals --------------------------------------------------------------


def proposal_for(
    *, scope: UnitScope, commune: Unit, year: int, today: date | None = None
) -> proposals.Proposal:
    """Propose Party members for the commune's poor and near-poor households that have none.

    Reads the latest approved round of `year` or before and the assignments in force on the
    year's reference day; writes nothing (an officer accepts rows through
    `services.proposal_accept`).
    """
    if not scope.contains_path(commune.path):
        return proposals.Proposal(rows=[], uncovered=[], loads_after={})
    gaps = commune_gaps(scope=scope, commune=commune, year=year, today=today)
    village_numbers: dict[int | None, int] = {
        v.pk: rules.village_number(v.code) for v in gaps.villages
    }
    needy = [
        proposals.NeedyHousehold(
            id=entry.household_id,
            code=entry.household_code,
            village_number=village_numbers.get(entry.household.village_id),
        )
        for entry in gaps.uncovered_entries
    ]
    cap = network_rules_for(commune).max_households_per_party_member
    members = [
        proposals.Member(
            id=load.person.pk,
            name=load.person.full_name,
            village_number=(
                rules.village_number(load.person.village.code) if load.person.village else None
            ),
            load=load.households,
            cap=cap,
        )
        for load in party_member_loads(scope=scope, commune=commune, on=gaps.on)
    ]
    return proposals.propose(needy, members)
