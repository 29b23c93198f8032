"""The census procedure as pure rules: step order, who may take each step, what it needs.

The order follows the procedure of domain.md §5: draft list → data collected and classified →
village meeting (at least half of participants agree; minutes kept) → public posting (every
complaint resolved before approval) → commune approval → district and province acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
        if facts.posting_start is None or facts.posting_end is None:
            problems.append(_("Enter the dates the draft list was posted."))
        elif facts.posting_end < facts.posting_start:
            problems.append(_("The posting cannot end before it starts."))
        elif facts.meeting_date and facts.posting_start < facts.meeting_date:
            problems.append(_("The list is posted after the village meeting, not before."))
    if target == RoundState.COMMUNE_APPROVED and facts.open_complaints:
        problems.append(
            _("%(count)d complaint(s) are not resolved yet.") % {"count": facts.open_complaints}
        )
    return problems
