"""Write the demo's households, members, census rounds and entries: set-based, in bulk.

Some 44,000 households, 200,000 members and 670,000 census entries go in through
`core.bulk.insert_rows` (COPY on PostgreSQL), not model by model: the derived columns that
`save()` would fill (`unit_path`, the entries' snapshot of the household) are computed here, and
no history rows are written for generated data. Runs inside `demo_load`'s transaction.

Idempotent: what exists is left alone. Households are matched on (commune, code), rounds on
(commune, year); entries are written only into rounds this run created. When every program
commune already has households and every round, nothing is generated at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from django.db import connection

from ketnghia.accounts.models import User
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.core.bulk import insert_rows
from ketnghia.demo import people
from ketnghia.demo.census import AREA, YEARS, YearPlan
from ketnghia.demo.households import LAST_YEAR, HouseholdPlan
from ketnghia.demo.registry import CensusInput, plan_registry
from ketnghia.demo.rounds import RoundPlan
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household, Member

HOUSEHOLD_FIELDS = (
    "commune",
    "village",
    "code",
    "head_name",
    "address",
    "area",
    "area_overridden",
    "unit_path",
    "registered_year",
    "left_year",
)
MEMBER_FIELDS = ("household", "full_name", "sex", "birth_year", "ethnicity", "relation")
MEMBER_FIELDS_WITH_ID = (*MEMBER_FIELDS, "personal_id")
ROUND_FIELDS = (
    "commune",
    "year",
    "revision",
    "standard_code",
    "state",
    "unit_path",
    "meeting_date",
    "meeting_participants",
    "meeting_agreeing",
    "meeting_minutes",
    "posting_start",
    "posting_end",
    "commune_approved_at",
    "district_accepted_at",
    "province_accepted_at",
    "commune_approved_by",
    "district_accepted_by",
    "province_accepted_by",
)
ENTRY_FIELDS = (
    "round",
    "household",
    "household_code",
    "head_name",
    "village_code",
    "area",
    "member_count",
    "monthly_income_per_person",
    "deprivations",
    "deprivation_count",
    "computed_status",
    "rule",
    "status",
    "override_reason",
)


@dataclass
class CensusReport:
    households_created: int = 0
    members_created: int = 0
    rounds_created: int = 0
    entries_created: int = 0


def _missing(commune_units: dict[str, Unit]) -> tuple[set[str], set[tuple[str, int]]]:
    """Return the program communes without households, and the (commune, year) without round."""
    ids = [unit.pk for unit in commune_units.values()]
    with_households = set(
        Household.objects.filter(commune_id__in=ids)
        .values_list("commune__code", flat=True)
        .distinct()
    )
    rounds = set(
        CensusRound.objects.filter(commune_id__in=ids).values_list("commune__code", "year")
    )
    bare = set(commune_units) - with_households
    wanted = {(code, year) for code in commune_units for year in YEARS}
    return bare, wanted - rounds


def _db_value(model: type[Any], name: str, value: object) -> object:
    """Return a date or datetime as the database backend stores it (UTC text on SQLite)."""
    if value is None:
        return None
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def _write_households(
    plans: Sequence[HouseholdPlan], communes: dict[str, Unit], villages: dict[str, Unit]
) -> tuple[dict[tuple[str, str], int], list[int]]:
    """Insert the planned households that are missing; return every id and what was created.

    The ids are by (commune, code); what was created, as indices into `plans`.
    """
    ids = [unit.pk for unit in communes.values()]
    existing = set(
        Household.objects.filter(commune_id__in=ids).values_list("commune__code", "code")
    )
    created = [
        index for index, plan in enumerate(plans) if (plan.commune_code, plan.code) not in existing
    ]
    insert_rows(
        Household,
        HOUSEHOLD_FIELDS,
        (
            (
                communes[plan.commune_code].pk,
                villages[plan.village_code].pk,
                plan.code,
                plan.head_name,
                plan.address,
                AREA,
                False,
                # What Household.set_derived_fields would store: the village's path.
                villages[plan.village_code].path,
                plan.registered_year,
                plan.left_year,
            )
            for plan in (plans[index] for index in created)
        ),
    )
    found = {
        (commune, code): pk
        for commune, code, pk in Household.objects.filter(commune_id__in=ids).values_list(
            "commune__code", "code", "pk"
        )
    }
    return found, created


def _member_rows(
    plans: Sequence[HouseholdPlan], created: Sequence[int], ids: dict[tuple[str, str], int]
) -> Iterator[tuple[object, ...]]:
    """Yield the present members of the created households; ID numbers for those old enough.

    Every adult of the whole plan gets a running number in plan order, so a household gets the
    same ID numbers whether it is written on the first run or filled in later.
    """
    wanted = set(created)
    serial = 0
    for index, plan in enumerate(plans):
        last_year = plan.left_year - 1 if plan.left_year else LAST_YEAR
        household_id = ids[(plan.commune_code, plan.code)]
        for member in plan.members:
            if member.moved_out is not None:
                # Listed again, as the head of the household they founded.
                continue
            personal_id = ""
            if people.has_id_card(member.birth_year, last_year):
                personal_id = people.personal_id(serial, member.sex, member.birth_year)
                serial += 1
            if index in wanted:
                yield (
                    household_id,
                    member.full_name,
                    member.sex,
                    member.birth_year,
                    member.ethnicity,
                    member.relation,
                    personal_id,
                )


def _write_rounds(
    rounds: Sequence[RoundPlan], missing: set[tuple[str, int]], communes: dict[str, Unit]
) -> dict[tuple[str, int], int]:
    """Insert the missing rounds; return the ids of the rounds this run created."""
    new = [r for r in rounds if (r.commune_code, r.year) in missing]
    usernames = {
        name
        for r in new
        for name in (r.commune_approved_by, r.district_accepted_by, r.province_accepted_by)
        if name
    }
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))

    def row(plan: RoundPlan) -> tuple[object, ...]:
        commune = communes[plan.commune_code]
        return (
            commune.pk,
            plan.year,
            1,
            plan.standard_code,
            plan.state,
            commune.path,  # what CensusRound.save would store
            _db_value(CensusRound, "meeting_date", plan.meeting_date),
            plan.meeting_participants,
            plan.meeting_agreeing,
            None,  # no minutes: the demo attaches no files
            _db_value(CensusRound, "posting_start", plan.posting_start),
            _db_value(CensusRound, "posting_end", plan.posting_end),
            _db_value(CensusRound, "commune_approved_at", plan.commune_approved_at),
            _db_value(CensusRound, "district_accepted_at", plan.district_accepted_at),
            _db_value(CensusRound, "province_accepted_at", plan.province_accepted_at),
            user_ids.get(plan.commune_approved_by or ""),
            user_ids.get(plan.district_accepted_by or ""),
            user_ids.get(plan.province_accepted_by or ""),
        )

    insert_rows(CensusRound, ROUND_FIELDS, (row(plan) for plan in new))
    wanted = {(r.commune_code, r.year) for r in new}
    found = CensusRound.objects.filter(
        commune_id__in=[unit.pk for unit in communes.values()], revision=1
    ).values_list("commune__code", "year", "pk")
    return {(code, year): pk for code, year, pk in found if (code, year) in wanted}


def _entry_rows(
    year_plan: YearPlan,
    households: _HouseholdColumns,
    round_ids: dict[tuple[str, int], int],
) -> Iterable[tuple[object, ...]]:
    """Return the entry rows of one year for the rounds this run created, round by round.

    Built column by column and zipped: at some 35,000 rows a year, a Python loop per row
    costs more than the database's own work on SQLite.
    """
    year = year_plan.year
    rounds = np.array(
        [round_ids.get((code, year), -1) for code in households.commune_codes], dtype=np.int64
    )
    round_of = rounds[households.commune[year_plan.household]]
    keep = round_of >= 0
    order = np.argsort(households.order_key[year_plan.household[keep]], kind="stable")
    rows = year_plan.household[keep][order].tolist()
    statuses = year_plan.status[keep][order].tolist()
    return zip(
        round_of[keep][order].tolist(),
        [households.ids[i] for i in rows],
        [households.codes[i] for i in rows],
        [households.heads[i] for i in rows],
        [households.villages[i] for i in rows],
        repeat(AREA),
        year_plan.member_count[keep][order].tolist(),
        year_plan.income[keep][order].tolist(),
        year_plan.deprivations[keep][order].tolist(),
        year_plan.deprivation_count[keep][order].tolist(),
        statuses,
        year_plan.rule[keep][order].tolist(),
        statuses,  # never overridden: the demo's statuses are the rules' own
        repeat(""),
    )


@dataclass(frozen=True)
class _HouseholdColumns:
    """The households' snapshot columns, by plan index, for the entry rows."""

    ids: list[int]
    codes: list[str]
    heads: list[str]
    villages: list[str]
    commune: np.ndarray  # index into commune_codes
    commune_codes: list[str]
    # Rank in (commune, code) order: entries go in round by round, households in code order.
    order_key: np.ndarray

    @classmethod
    def of(
        cls, plans: Sequence[HouseholdPlan], ids: dict[tuple[str, str], int]
    ) -> _HouseholdColumns:
        commune_codes = sorted({plan.commune_code for plan in plans})
        position = {code: index for index, code in enumerate(commune_codes)}
        ranked = sorted(range(len(plans)), key=lambda i: (plans[i].commune_code, plans[i].code))
        order_key = np.empty(len(plans), dtype=np.int64)
        order_key[ranked] = np.arange(len(plans))
        return cls(
            ids=[ids[(plan.commune_code, plan.code)] for plan in plans],
            codes=[plan.code for plan in plans],
            heads=[plan.head_name for plan in plans],
            villages=[plan.village_code for plan in plans],
            commune=np.array([position[plan.commune_code] for plan in plans]),
            commune_codes=commune_codes,
            order_key=order_key,
        )


def write_census(
    data: CensusInput, *, seed: int, commune_units: dict[str, Unit], village_units: dict[str, Unit]
) -> CensusReport:
    """Write the households, members, rounds and entries the demo lacks; return what it wrote."""
    report = CensusReport()
    bare, missing_rounds = _missing(commune_units)
    if not bare and not missing_rounds:
        return report
    plan = plan_registry(data, seed)
    plans = plan.households
    ids, created = _write_households(plans, commune_units, village_units)
    report.households_created = len(created)
    report.members_created = insert_rows(
        Member, MEMBER_FIELDS_WITH_ID, _member_rows(plans, created, ids)
    )
    round_ids = _write_rounds(plan.rounds, missing_rounds, commune_units)
    report.rounds_created = len(round_ids)
    columns = _HouseholdColumns.of(plans, ids)
    for year_plan in plan.years.values():
        report.entries_created += insert_rows(
            CensusEntry, ENTRY_FIELDS, _entry_rows(year_plan, columns, round_ids)
        )
    return report
