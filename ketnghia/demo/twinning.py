"""The demo's twinning network: reassigned twinning units, district offices, committee and
Party members in charge of villages and households, work teams and their activities 2007–2025.

Invented from a seeded generator on top of the demo's units, twinnings and census rounds: the
people (names in each people's pattern, phone numbers 0000…, which no operator issues), the
district offices' and members' assignments, the reassignments, the teams and every activity
(rate calibrated to the some 4,800 visits of 2018 reported by the provincial station) with the
resources mobilised. Written in bulk (`core.bulk.insert_rows`) with no history rows, like the
census, inside `demo_load`'s transaction; skipped when the demo's work teams already exist.
"""

from __future__ import annotations

import functools
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ketnghia.accounts.models import Actor, Role, User
from ketnghia.census.models import CensusEntry, CensusRound, Status
from ketnghia.census.selectors import APPROVED_STATES
from ketnghia.core.bulk import insert_rows
from ketnghia.demo import people
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program
from ketnghia.twinning import services
from ketnghia.twinning.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Assignment,
    AssignmentKind,
    NetworkRules,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Twinning,
    WorkTeam,
)

CAP = 10
FIRST_YEAR, LAST_YEAR = 2007, 2025
REASSIGNED_TWINNINGS = 7
DECISION = "Quyết định phân công (giả lập, demo)"
OFFICES = (
    "Phòng Nông nghiệp và Phát triển nông thôn",
    "Phòng Lao động – Thương binh và Xã hội",
    "Phòng Tài chính – Kế hoạch",
    "Phòng Dân tộc",
    "Phòng Giáo dục và Đào tạo",
    "Phòng Y tế",
    "Phòng Tài nguyên và Môi trường",
    "Phòng Văn hóa và Thông tin",
)
# Party congress terms: committee members are reassigned to villages at each new term.
TERMS = (
    (date(2007, 6, 1), date(2010, 9, 30)),
    (date(2010, 10, 1), date(2015, 9, 30)),
    (date(2015, 10, 1), date(2020, 9, 30)),
    (date(2020, 10, 1), None),
)
# Visits in a year across the communes: rises to the 2018 report's ~4,800, then eases.
VISITS_2018 = 4_800
KIND_WEIGHTS = {
    ActivityKind.VISIT: 78,
    ActivityKind.MEETING: 6,
    ActivityKind.PROPAGANDA: 5,
    ActivityKind.TRAINING: 5,
    ActivityKind.SUPPORT_HANDOVER: 4,
    ActivityKind.MODEL_SETUP: 2,
}
IN_KIND = (
    "Gạo, mì tôm",
    "Chăn màn, áo ấm",
    "Giống cà phê, phân bón",
    "Bò giống",
    "Xi măng làm nhà vệ sinh",
    "Sách vở, đồ dùng học tập",
    "Tôn lợp nhà văn hóa",
)


@dataclass
class NetworkReport:
    people: int = 0
    assignments: int = 0
    teams: int = 0
    activities: int = 0
    twinnings_reassigned: int = 0


@functools.cache
def _date(value: date | None) -> object:
    """Return a date as the backend stores it (ISO text on SQLite), cheaply: ~300,000 of them."""
    if value is None or connection.vendor == "postgresql":
        return value
    return value.isoformat()


@functools.cache
def _moment(day: date) -> object:
    """Return 9:00 in Vietnam (02:00 UTC) on `day` as the backend stores a datetime."""
    moment = datetime.combine(day, time(2), tzinfo=UTC)
    if connection.vendor == "postgresql":
        return moment
    return moment.replace(tzinfo=None).isoformat(sep=" ")


def _phone(index: int) -> str:
    # "0000…" is no operator's prefix: a demo number reaches nobody.
    return f"0000{index:06d}"


def _reassign_twinnings(rng: random.Random, keep: str, actor: Actor) -> int:
    """Reassign a few twinning units in 2009–2014 (the article's "review and reassign")."""
    current = list(
        Twinning.objects.filter(end_date__isnull=True)
        .exclude(organisation__name=keep)
        .select_related("organisation", "commune")
        .order_by("commune__code")
    )
    chosen = rng.sample(current, min(REASSIGNED_TWINNINGS, len(current)))
    takers = [t.organisation for t in current if t not in chosen]
    for twinning in chosen:
        on = date(rng.randint(2009, 2014), rng.choice((1, 4, 7, 10)), 1)
        services.twinning_reassign(
            twinning=twinning,
            organisation=rng.choice(takers),
            on=on,
            decision=DECISION,
            decision_date=on - timedelta(days=15),
            actor=actor,
        )
    return len(chosen)


def _district_offices(communes: list[Unit], actor: Actor) -> dict[int, list[Organisation]]:
    """Create the district offices of the program communes' districts; return them by district."""
    districts = Unit.objects.in_bulk({c.parent_id for c in communes})
    province = Unit.objects.get(level=UnitLevel.PROVINCE, code=communes[0].path.split("/")[1])
    names = {
        (district.pk, f"{office} {district.name[0].lower()}{district.name[1:]}")
        for district in districts.values()
        for office in OFFICES
    }
    existing = set(Organisation.objects.values_list("name", flat=True))
    new = [
        Organisation(
            name=name,
            kind=OrganisationKind.DISTRICT_OFFICE,
            province=province,
            district=districts[district_id],
        )
        for district_id, name in sorted(names, key=lambda n: n[1])
        if name not in existing
    ]
    if new:
        bulk_create_with_history(new, Organisation, default_user=actor)
    offices: dict[int, list[Organisation]] = defaultdict(list)
    for office in Organisation.objects.filter(kind=OrganisationKind.DISTRICT_OFFICE).order_by(
        "name"
    ):
        offices[office.district_id].append(office)
    return offices


def _person_row(rng, index, role, commune, village, district_code, *, organisation=None):
    ethnicity = people.choose_people(rng, district_code)
    if role == PersonRole.CADRE or rng.random() < 0.15:
        ethnicity = people.KINH
    sex = rng.choice(("male", "female"))
    family = people.new_family(rng, ethnicity, district_code)
    unit = village or commune
    return (
        people.person_name(rng, family, sex),
        sex,
        rng.randint(1960, 1992),
        ethnicity,
        _phone(index),
        role,
        organisation.pk if organisation else None,
        commune.pk if commune else None,
        village.pk if village else None,
        _date(date(FIRST_YEAR, 1, 1)),
        None,
        unit.path if unit else (organisation.district or organisation.province).path,
    )


PERSON_FIELDS = [
    "full_name",
    "sex",
    "birth_year",
    "ethnicity",
    "phone",
    "role",
    "organisation",
    "commune",
    "village",
    "active_from",
    "active_to",
    "unit_path",
]
ASSIGNMENT_FIELDS = [
    "kind",
    "organisation",
    "person",
    "commune",
    "village",
    "household",
    "start_date",
    "end_date",
    "decision_number",
    "decision_date",
    "unit_path",
]


def _assignment(
    kind, *, organisation=None, person=None, commune, village=None, household=None, start, end, path
):
    return (
        kind,
        organisation,
        person,
        commune,
        village,
        household,
        _date(start),
        _date(end),
        DECISION,
        _date(start - timedelta(days=10)),
        path,
    )


def _needy_by_year(communes: list[Unit]) -> dict[tuple[int, int], list[int]]:
    """Return (commune id, year) → ids of the poor and near-poor households of its official round."""
    rounds = dict(
        CensusRound.objects.filter(commune__in=communes, state__in=APPROVED_STATES)
        .order_by("commune_id", "year", "revision")
        .values_list("pk", "commune_id")
    )
    years = dict(CensusRound.objects.filter(pk__in=rounds).values_list("pk", "year"))
    needy: dict[tuple[int, int], list[int]] = defaultdict(list)
    for round_id, household_id in (
        CensusEntry.objects.filter(round_id__in=rounds, status__in=(Status.POOR, Status.NEAR_POOR))
        .order_by("household_id")
        .values_list("round_id", "household_id")
    ):
        needy[(rounds[round_id], years[round_id])].append(household_id)
    return needy


def write_network(
    *, seed: int, twinning_member_organisation: str, actor: Actor = None
) -> NetworkReport:
    """Write the demo's network (see the module docstring); nothing when it is already there."""
    report = NetworkReport()
    program = Program.objects.filter(code="nq04").first()
    if program is None:
        return report
    NetworkRules.objects.get_or_create(
        program=program, defaults={"max_households_per_party_member": CAP}
    )
    if WorkTeam.objects.exists():
        return report
    rng = random.Random(seed * 31 + 4)
    communes = list(
        Unit.objects.filter(
            pk__in=program.memberships.values("commune_id"), level=UnitLevel.COMMUNE
        ).order_by("code")
    )
    report.twinnings_reassigned = _reassign_twinnings(rng, twinning_member_organisation, actor)
    offices = _district_offices(communes, actor)
    villages: dict[int, list[Unit]] = defaultdict(list)
    for village in Unit.objects.filter(level=UnitLevel.VILLAGE, parent__in=communes).order_by(
        "code"
    ):
        villages[village.parent_id].append(village)
    district_code = {c.pk: c.path.split("/")[2] for c in communes}
    households = dict(
        Household.objects.filter(commune__in=communes).values_list("pk", "village_id")
    )
    paths = dict(Household.objects.filter(commune__in=communes).values_list("pk", "unit_path"))
    needy = _needy_by_year(communes)

    # People: committee members (one per village and a secretary) and Party members.
    person_rows = []
    plan_committee: dict[int, list[int]] = {}  # commune → row indices
    plan_members: dict[int, list[tuple[int, int]]] = {}  # commune → (row index, village id)
    for commune in communes:
        own = villages[commune.pk]
        indices = []
        for village in [*own, None]:
            indices.append(len(person_rows))
            person_rows.append(
                _person_row(
                    rng,
                    len(person_rows),
                    PersonRole.COMMITTEE_MEMBER,
                    commune,
                    village,
                    district_code[commune.pk],
                )
            )
        plan_committee[commune.pk] = indices
        peak: dict[int, int] = defaultdict(int)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            count: dict[int, int] = defaultdict(int)
            for household_id in needy.get((commune.pk, year), ()):
                count[households[household_id]] += 1
            for village_id, n in count.items():
                peak[village_id] = max(peak[village_id], n)
        members = []
        by_id = {v.pk: v for v in own}
        for village_id, n in sorted(peak.items(), key=lambda kv: kv[0] or 0):
            for _ in range(math.ceil(n / CAP * 1.05)):
                members.append((len(person_rows), village_id))
                person_rows.append(
                    _person_row(
                        rng,
                        len(person_rows),
                        PersonRole.PARTY_MEMBER,
                        commune,
                        by_id.get(village_id),
                        district_code[commune.pk],
                    )
                )
        plan_members[commune.pk] = members
    # Cadres of the twinning units, three each, who make up the work teams.
    twinnings = list(
        Twinning.objects.select_related("organisation", "commune").order_by(
            "commune__code", "start_date"
        )
    )
    organisations = sorted({t.organisation for t in twinnings}, key=lambda o: o.name)
    plan_cadres: dict[int, list[int]] = {}
    for organisation in organisations:
        plan_cadres[organisation.pk] = []
        for _ in range(3):
            plan_cadres[organisation.pk].append(len(person_rows))
            person_rows.append(
                _person_row(
                    rng,
                    len(person_rows),
                    PersonRole.CADRE,
                    None,
                    None,
                    "615",
                    organisation=organisation,
                )
            )
    first_id = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    report.people = insert_rows(Person, PERSON_FIELDS, person_rows)
    # Ids follow the insertion order on both backends (one table, one transaction).
    ids = list(Person.objects.filter(pk__gte=first_id).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(person_rows)

    rows = []
    for commune in communes:
        own = villages[commune.pk]
        # District offices → villages from 2008; a few villages have none; some change in 2016.
        pool = offices[commune.parent_id]
        for index, village in enumerate(own):
            if rng.random() < 0.05:
                continue
            office = pool[(index + rng.randint(0, 2)) % len(pool)]
            periods: list[tuple[Organisation, date, date | None]] = [
                (office, date(2008, 1, 15), None)
            ]
            if rng.random() < 0.15:
                successor = pool[(pool.index(office) + 1) % len(pool)]
                periods = [
                    (office, date(2008, 1, 15), date(2015, 12, 31)),
                    (successor, date(2016, 1, 1), None),
                ]
            for holder, begins, ends in periods:
                rows.append(
                    _assignment(
                        AssignmentKind.OFFICE_VILLAGE,
                        organisation=holder.pk,
                        commune=commune.pk,
                        village=village.pk,
                        start=begins,
                        end=ends,
                        path=village.path,
                    )
                )
        # Committee members → villages, per term; most keep their village, a few swap.
        committee = [ids[i] for i in plan_committee[commune.pk]]
        for start, end in TERMS:
            order = committee[:]
            if start.year > FIRST_YEAR:
                rng.shuffle(order)
            for village, person in zip(own, order, strict=False):
                if rng.random() < 0.04:
                    continue
                rows.append(
                    _assignment(
                        AssignmentKind.COMMITTEE_VILLAGE,
                        person=person,
                        commune=commune.pk,
                        village=village.pk,
                        start=start,
                        end=end,
                        path=village.path,
                    )
                )
        # Party members → households: each December the round's poor and near-poor households
        # get a member (same village first); those no longer poor are released. Some communes
        # leave a few percent without one.
        members = [(ids[i], village_id) for i, village_id in plan_members[commune.pk]]
        gap = rng.choice((0.0, 0.0, 0.01, 0.03, 0.06))
        current: dict[int, tuple[int, date]] = {}
        skipped: dict[int, bool] = {}
        members_of: dict[int | None, list[int]] = defaultdict(list)
        for member, village_id in members:
            members_of[village_id].append(member)
        load: dict[int, int] = defaultdict(int)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if (commune.pk, year) not in needy:
                continue
            wanted = set(needy[(commune.pk, year)])
            start = date(year, 12, 20)
            for household_id in sorted(set(current) - wanted):
                person, since = current.pop(household_id)
                load[person] -= 1
                rows.append(
                    _assignment(
                        AssignmentKind.MEMBER_HOUSEHOLD,
                        person=person,
                        commune=commune.pk,
                        household=household_id,
                        start=since,
                        end=start - timedelta(days=1),
                        path=paths[household_id],
                    )
                )
            for household_id in sorted(wanted - set(current)):
                # A household left out is left out for good: the gap stays visible.
                if skipped.setdefault(household_id, rng.random() < gap):
                    continue
                village_id = households[household_id]
                free = [m for m in members_of[village_id] if load[m] < CAP] or [
                    m for m, _v in members if load[m] < CAP
                ]
                if not free:
                    continue
                person = min(free, key=lambda m: load[m])
                load[person] += 1
                current[household_id] = (person, start)
        for household_id, (person, since) in sorted(current.items()):
            rows.append(
                _assignment(
                    AssignmentKind.MEMBER_HOUSEHOLD,
                    person=person,
                    commune=commune.pk,
                    household=household_id,
                    start=since,
                    end=None,
                    path=paths[household_id],
                )
            )
    report.assignments = insert_rows(Assignment, ASSIGNMENT_FIELDS, rows)

    report.teams, report.activities = _write_teams_and_activities(
        rng, twinnings, plan_cadres, ids, villages
    )
    return report


def _visits_per_commune(year: int, communes: int) -> float:
    """Visits a twinned commune gets in `year`: rising to the 2018 figure, easing after."""
    peak = VISITS_2018 / communes
    if year <= 2018:
        return peak * (0.45 + 0.55 * (year - FIRST_YEAR) / (2018 - FIRST_YEAR))
    return peak * (1 - 0.03 * (year - 2018))


def _write_teams_and_activities(rng, twinnings, plan_cadres, ids, villages) -> tuple[int, int]:
    team_rows = []
    for twinning in twinnings:
        team_rows.append(
            (
                f"Tổ công tác {twinning.organisation.short_name or twinning.organisation.name} tại {twinning.commune.name}",
                twinning.organisation_id,
                twinning.commune_id,
                _date(twinning.start_date),
                _date(twinning.end_date),
                twinning.commune.path,
            )
        )
    first_team = (WorkTeam.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    insert_rows(
        WorkTeam,
        ["name", "organisation", "commune", "start_date", "end_date", "unit_path"],
        team_rows,
    )
    team_ids = list(
        WorkTeam.objects.filter(pk__gte=first_team).order_by("pk").values_list("pk", flat=True)
    )
    members_table = WorkTeam.members.through
    member_rows = []
    team_members: dict[int, list[int]] = {}
    for team_id, twinning in zip(team_ids, twinnings, strict=True):
        cadres = [ids[i] for i in plan_cadres[twinning.organisation_id]]
        team_members[team_id] = cadres
        member_rows += [(team_id, person) for person in cadres]
    insert_rows(members_table, ["workteam", "person"], member_rows)

    today = timezone.localdate()
    # Confirmed by the commune: its officer where the demo has one, else the province's admin.
    officers = dict(
        User.objects.filter(role=Role.COMMUNE_OFFICER).values_list("jurisdiction_id", "pk")
    )
    admin = User.objects.filter(role=Role.PROVINCE_ADMIN).values_list("pk", flat=True).first()
    twinned_communes = len({t.commune_id for t in twinnings})
    visit_share = KIND_WEIGHTS[ActivityKind.VISIT] / sum(KIND_WEIGHTS.values())
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    activity_rows, participants = [], []
    for team_id, twinning in zip(team_ids, twinnings, strict=True):
        own = villages[twinning.commune_id]
        end = min(twinning.end_date or today - timedelta(days=1), today - timedelta(days=1))
        for year in range(max(FIRST_YEAR, twinning.start_date.year), end.year + 1):
            first = max(date(year, 1, 1), twinning.start_date)
            last = min(date(year, 12, 31), end)
            if last < first:
                continue
            share = ((last - first).days + 1) / 365
            n = round(
                _visits_per_commune(year, twinned_communes)
                / visit_share
                * share
                * rng.uniform(0.8, 1.2)
            )
            for _ in range(n):
                day = first + timedelta(days=int(rng.random() * ((last - first).days + 1)))
                kind = rng.choices(kinds, weights=weights)[0]
                village = rng.choice(own) if own and rng.random() < 0.7 else None
                men, women = 2 + int(rng.random() * 39), 2 + int(rng.random() * 44)
                if kind == ActivityKind.SUPPORT_HANDOVER:
                    vnd = rng.randrange(10, 300) * 1_000_000
                elif kind == ActivityKind.MODEL_SETUP:
                    vnd = rng.randrange(20, 150) * 1_000_000
                elif kind == ActivityKind.VISIT and rng.random() < 0.3:
                    vnd = rng.randrange(1, 20) * 500_000
                else:
                    vnd = 0
                confirmed = day < today - timedelta(days=45)
                activity_rows.append(
                    (
                        team_id,
                        _date(day),
                        twinning.commune_id,
                        village.pk if village else None,
                        kind,
                        men,
                        women,
                        round((men + women) * rng.uniform(0.75, 1.0)),
                        vnd,
                        rng.choice(IN_KIND) if vnd and rng.random() < 0.5 else "",
                        "",
                        ActivityStatus.CONFIRMED if confirmed else ActivityStatus.RECORDED,
                        officers.get(twinning.commune_id, admin) if confirmed else None,
                        _moment(day + timedelta(days=14)) if confirmed else None,
                        (village or twinning.commune).path,
                    )
                )
                participants.append(rng.choice(team_members[team_id]))
    first_activity = (
        Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    count = insert_rows(
        Activity,
        [
            "team",
            "date",
            "commune",
            "village",
            "kind",
            "reached_male",
            "reached_female",
            "reached_minority",
            "resources_vnd",
            "resources_in_kind",
            "notes",
            "status",
            "confirmed_by",
            "confirmed_at",
            "unit_path",
            "source",
        ],
        # Invented activities come from no field submission.
        ((*row, "") for row in activity_rows),
    )
    # Read the new ids before the COPY starts: a query on the connection while PostgreSQL
    # waits for COPY data would never be answered.
    activity_ids = list(
        Activity.objects.filter(pk__gte=first_activity).order_by("pk").values_list("pk", flat=True)
    )
    insert_rows(
        Activity.participants.through,
        ["activity", "person"],
        zip(activity_ids, participants, strict=True),
    )
    return len(team_ids), count
