"""The demo's census rounds: one per program commune and year, with its workflow facts. Pure.

Every round is accepted by the province, with the facts each step of the procedure records
(village meeting, public posting, approvals), except that the last year's round stops at an
earlier step in a few communes, so the workflow pages have something to show.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from ketnghia.census.models import RoundState
from ketnghia.demo.census import LAST_YEAR, YEARS, standard_code_for
from ketnghia.demo.households import CommuneFrame


@dataclass(frozen=True)
class RoundPlan:
    """One commune's round of one year: its workflow state and the facts each step recorded."""

    commune_code: str
    year: int
    standard_code: str
    state: str
    meeting_date: date | None = None
    meeting_participants: int | None = None
    meeting_agreeing: int | None = None
    posting_start: date | None = None
    posting_end: date | None = None
    commune_approved_at: datetime | None = None
    district_accepted_at: datetime | None = None
    province_accepted_at: datetime | None = None
    # Usernames of who took the approval steps.
    commune_approved_by: str | None = None
    district_accepted_by: str | None = None
    province_accepted_by: str | None = None


@dataclass(frozen=True)
class Approvers:
    """Who takes the approval steps in the demo, by username.

    The demo commune and district officers approve for their own commune and district; the
    province administrator, whom the rules let take any step, for every other one.
    """

    province_admin: str
    commune_officer: str | None = None
    officer_commune: str | None = None
    district_officer: str | None = None
    officer_district: str | None = None

    def for_round(self, commune: str, district: str) -> tuple[str, str, str]:
        """Return who approves for the commune, the district and the province."""
        by_commune = (
            self.commune_officer
            if self.commune_officer and commune == self.officer_commune
            else self.province_admin
        )
        by_district = (
            self.district_officer
            if self.district_officer and district == self.officer_district
            else self.province_admin
        )
        return by_commune, by_district, self.province_admin


TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _office_hours(rng: np.random.Generator, day: date) -> datetime:
    hour, minute = int(rng.integers(8, 17)), int(rng.integers(0, 60))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TIME_ZONE)


def plan_rounds(
    seed: int,
    commune_codes: Sequence[str],
    households: Mapping[tuple[str, int], int],
    villages: Mapping[str, int],
    pending: Mapping[str, str],
    approvers: Approvers,
    district_of: Mapping[str, str],
) -> list[RoundPlan]:
    """Return one round per commune and year, accepted by the province unless `pending` says.

    `pending` maps a commune to the state its last-year round stops at. The census runs in
    the fourth quarter: village meetings in October or November, the list posted a few days
    later for a week, then commune approval, district and province acceptance within weeks.
    """
    rng = np.random.default_rng(seed + 135)
    order = list(RoundState.values)
    plans: list[RoundPlan] = []
    for code in commune_codes:
        by_commune, by_district, by_province = approvers.for_round(code, district_of[code])
        for year in YEARS:
            state = pending.get(code, order[-1]) if year == LAST_YEAR else order[-1]
            reached = order.index(state)
            meeting = date(year, 10, 1) + timedelta(days=int(rng.integers(0, 61)))
            participants = int(villages[code] * rng.integers(14, 32))
            participants = max(10, min(participants, households[(code, year)]))
            agreeing = participants - int(participants * rng.uniform(0, 0.12))
            posting_start = meeting + timedelta(days=int(rng.integers(1, 5)))
            posting_end = posting_start + timedelta(days=int(rng.integers(6, 9)))
            approved = posting_end + timedelta(days=int(rng.integers(2, 9)))
            district = approved + timedelta(days=int(rng.integers(3, 13)))
            province = district + timedelta(days=int(rng.integers(4, 16)))
            plans.append(
                RoundPlan(
                    commune_code=code,
                    year=year,
                    standard_code=standard_code_for(year),
                    state=state,
                    **_facts_up_to(
                        reached,
                        order,
                        meeting=meeting,
                        participants=participants,
                        agreeing=agreeing,
                        posting=(posting_start, posting_end),
                        approved=_office_hours(rng, approved),
                        district=_office_hours(rng, district),
                        province=_office_hours(rng, province),
                        approvers=(by_commune, by_district, by_province),
                    ),
                )
            )
    return plans


def _facts_up_to(
    reached: int,
    order: list[str],
    *,
    meeting: date,
    participants: int,
    agreeing: int,
    posting: tuple[date, date],
    approved: datetime,
    district: datetime,
    province: datetime,
    approvers: tuple[str, str, str],
) -> dict[str, object]:
    """Return the facts a round holds once it has reached the step at position `reached`."""

    def done(state: str) -> bool:
        return reached >= order.index(state)

    facts: dict[str, object] = {}
    if done(RoundState.VILLAGE_MEETING):
        facts |= {
            "meeting_date": meeting,
            "meeting_participants": participants,
            "meeting_agreeing": agreeing,
        }
    if done(RoundState.POSTED):
        facts |= {"posting_start": posting[0], "posting_end": posting[1]}
    if done(RoundState.COMMUNE_APPROVED):
        facts |= {"commune_approved_at": approved, "commune_approved_by": approvers[0]}
    if done(RoundState.DISTRICT_ACCEPTED):
        facts |= {"district_accepted_at": district, "district_accepted_by": approvers[1]}
    if done(RoundState.PROVINCE_ACCEPTED):
        facts |= {"province_accepted_at": province, "province_accepted_by": approvers[2]}
    return facts


def pending_rounds(
    rng: random.Random,
    communes: Sequence[CommuneFrame],
    officer_commune: str,
) -> dict[str, str]:
    """Choose the communes whose 2025 round stops before province acceptance, and where.

    The demo commune officer's commune waits for its village meeting (the officer takes the
    next steps); a commune of the same district waits for the district officer; a few others
    stand at the steps in between and one waits for the province.
    """
    district_of = {c.code: c.district_code for c in communes}
    same_district = sorted(
        c.code
        for c in communes
        if c.district_code == district_of[officer_commune] and c.code != officer_commune
    )
    others = sorted(c.code for c in communes if c.district_code != district_of[officer_commune])
    pending = {officer_commune: RoundState.COLLECTED.value}
    if same_district:
        pending[rng.choice(same_district)] = RoundState.COMMUNE_APPROVED.value
    steps = (
        RoundState.VILLAGE_MEETING,
        RoundState.POSTED,
        RoundState.COMMUNE_APPROVED,
        RoundState.DISTRICT_ACCEPTED,
    )
    for code, state in zip(rng.sample(others, len(steps)), steps, strict=True):
        pending[code] = state.value
    return pending
