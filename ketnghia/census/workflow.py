"""The census procedure as pure rules: step order, who may take each step, what it needs.

The order follows the procedure of domain.md §5: draft list → data collected and classified →
village meeting (at least half of participants agree; minutes kept) → public posting (every
complaint resolved before approval) → commune approval → district and province acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from ketnghia.accounts.rules import Role
from ketnghia.census.models import RoundState

ORDER: tuple[str, ...] = tuple(RoundState.values)

# Who takes each step (province administrators may take any).
STEP_ROLES: dict[str, frozenset[str]] = {
    RoundState.COLLECTED: frozenset({Role.COMMUNE_OFFICER}),
    RoundState.VILLAGE_MEETING: frozenset({Role.COMMUNE_OFFICER}),
    RoundState.POSTED: frozenset({Role.COMMUNE_OFFICER}),
    RoundState.COMMUNE_APPROVED: frozenset({Role.COMMUNE_OFFICER}),
    RoundState.DISTRICT_ACCEPTED: frozenset({Role.DISTRICT_OFFICER}),
    RoundState.PROVINCE_ACCEPTED: frozenset({Role.PROVINCE_ADMIN}),
}
FROZEN_FROM = ORDER.index(RoundState.COMMUNE_APPROVED)
# The approved states (the commune's approval and the acceptances after it): a round in one
# of them is a frozen snapshot and may be its year's official round (`rules.official_rounds`).
# Defined here only; every app imports it from here.
APPROVED_STATES: frozenset[str] = frozenset(ORDER[FROZEN_FROM:])

# Decision 24/2021/QĐ-TTg: the draft list stays posted at least 3 working days (the setting
# KETNGHIA_POSTING_MIN_WORKING_DAYS changes it; this is its default).
DEFAULT_POSTING_MIN_WORKING_DAYS = 3

# The district may return a round the commune approved (and it has not accepted yet) to the
# commune, as DHIS2's un-approve: the commune's approval is withdrawn and the round goes back
# to the step before it, so the commune can correct it and approve again.
RETURNABLE_STATE = RoundState.COMMUNE_APPROVED
RETURNED_TO_STATE = RoundState.POSTED


def is_frozen(state: str) -> bool:
    """Return whether a round in `state` is an approved snapshot that no edit may change."""
    return ORDER.index(state) >= FROZEN_FROM


def next_state(state: str) -> str | None:
    """Return the step after `state`, None at the end of the procedure."""
    position = ORDER.index(state)
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


def step_roles(target: str) -> list[str]:
    """Return the roles that may take the step into `target` (province administrators always)."""
    return sorted({Role.PROVINCE_ADMIN, *STEP_ROLES.get(target, ())})


def role_may_take(role: str, target: str, *, is_superuser: bool = False) -> bool:
    """Return whether a user of `role` may move a round into `target`."""
    if is_superuser or role == Role.PROVINCE_ADMIN:
        return target in STEP_ROLES
    return role in STEP_ROLES.get(target, frozenset())


def may_return(role: str, state: str, *, is_superuser: bool = False) -> bool:
    """Return whether a user of `role` may return a round in `state` to the commune.

    Whoever takes the district's acceptance may return instead (district officers, province
    administrators), and only while that acceptance is the next step.
    """
    return state == RETURNABLE_STATE and role_may_take(
        role, RoundState.DISTRICT_ACCEPTED, is_superuser=is_superuser
    )


def holder_roles(state: str) -> list[str]:
    """Return the roles that take a round's next step from `state` (empty once it is over)."""
    target = next_state(state)
    if target is None:
        return []
    return [role for role in step_roles(target) if role != Role.PROVINCE_ADMIN] or [
        Role.PROVINCE_ADMIN
    ]


def working_days(start: date, end: date) -> int:
    """Return the working days (Monday to Friday) from `start` to `end`, both included."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def posting_checks(
    start: date | None,
    end: date | None,
    *,
    minimum_working_days: int = DEFAULT_POSTING_MIN_WORKING_DAYS,
    meeting_date: date | None = None,
) -> list[tuple[str, str]]:
    """Return (field, message) for what is wrong with a posting's dates (empty when nothing)."""
    if start is None or end is None:
        return [("start", _("Enter the dates the draft list was posted."))]
    if end < start:
        return [("end", _("The posting cannot end before it starts."))]
    problems: list[tuple[str, str]] = []
    if meeting_date and start < meeting_date:
        problems.append(("start", _("The list is posted after the village meeting, not before.")))
    days = working_days(start, end)
    if days < minimum_working_days:
        problems.append(
            (
                "end",
                _(
                    "The draft list must stay posted at least %(minimum)s working days "
                    "(Decision 24/2021/QĐ-TTg); %(start)s–%(end)s has %(days)s."
                )
                % {
                    "minimum": minimum_working_days,
                    "start": start.strftime("%d/%m/%Y"),
                    "end": end.strftime("%d/%m/%Y"),
                    "days": days,
                },
            )
        )
    return problems


def posting_problems(
    start: date | None,
    end: date | None,
    *,
    minimum_working_days: int = DEFAULT_POSTING_MIN_WORKING_DAYS,
    meeting_date: date | None = None,
) -> list[str]:
    """Return what is wrong with the dates a draft list was posted (empty when nothing)."""
    checks = posting_checks(
        start, end, minimum_working_days=minimum_working_days, meeting_date=meeting_date
    )
    return [message for _field, message in checks]


def complaint_problems(received_on: date, resolved_on: date | None) -> list[str]:
    """Return what is wrong with a complaint's dates: it is resolved after it was received."""
    if resolved_on is not None and resolved_on < received_on:
        return [
            _(
                "A complaint cannot be resolved (%(resolved)s) before it was received (%(received)s)."
            )
            % {
                "resolved": resolved_on.strftime("%d/%m/%Y"),
                "received": received_on.strftime("%d/%m/%Y"),
            }
        ]
    return []


@dataclass(frozen=True)
class RoundFacts:
    """What the step checks look at, read from a round (no ORM here)."""

    state: str
    entry_count: int
    meeting_date: date | None = None
    meeting_participants: int | None = None
    meeting_agreeing: int | None = None
    has_minutes: bool = False
    posting_start: date | None = None
    posting_end: date | None = None
    open_complaints: int = 0
    posting_min_working_days: int = DEFAULT_POSTING_MIN_WORKING_DAYS


def step_problems(facts: RoundFacts, target: str) -> list[str]:
    """Return why a round cannot move into `target` now (empty when it can)."""
    if next_state(facts.state) != target:
        return [
            _("A round in state “%(state)s” cannot move to “%(target)s”; steps go in order.")
            % {"state": RoundState(facts.state).label, "target": RoundState(target).label}
        ]
    problems: list[str] = []
    if target == RoundState.COLLECTED and facts.entry_count == 0:
        problems.append(_("The round has no household yet: import or enter the census data first."))
    if target == RoundState.VILLAGE_MEETING:
        if facts.meeting_date is None:
            problems.append(_("Enter the date of the village meeting."))
        if not facts.meeting_participants:
            problems.append(_("Enter the number of meeting participants."))
        elif facts.meeting_agreeing is None or facts.meeting_agreeing > facts.meeting_participants:
            problems.append(_("Enter how many participants agreed (at most the participants)."))
        elif 2 * facts.meeting_agreeing < facts.meeting_participants:
            problems.append(
                _("Fewer than half of the participants agreed: hold the meeting again.")
            )
        if not facts.has_minutes:
            problems.append(_("Attach the minutes of the village meeting."))
    if target == RoundState.POSTED:
        problems += posting_problems(
            facts.posting_start,
            facts.posting_end,
            minimum_working_days=facts.posting_min_working_days,
            meeting_date=facts.meeting_date,
        )
    if target == RoundState.COMMUNE_APPROVED and facts.open_complaints:
        problems.append(
            _("%(count)d complaint(s) are not resolved yet.") % {"count": facts.open_complaints}
        )
    return problems
