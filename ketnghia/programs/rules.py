"""How a program's commune list is revised: pure rules over plain values, no database.

A revision says "from `valid_from` the list is these communes, of which these are key". The
plan closes the memberships that no longer hold (on the day before), opens the new ones and
leaves unchanged ones alone, so each commune keeps at most one open membership. A revision on
the same day as the last one corrects it in place instead of leaving one-day-long rows behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

COMMUNE_LEVEL = "commune"


@dataclass(frozen=True)
class Membership:
    """One existing row of a program's list, as the rules see it."""

    id: int
    commune_id: int
    is_key: bool
    valid_from: date
    valid_to: date | None = None

    @property
    def is_open(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True)
class CommuneFacts:
    """What the rules need to know about a unit offered as a commune."""

    id: int
    label: str
    level: str
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class RevisionPlan:
    """What a revision changes: ids of rows to close, delete, re-key, reopen; communes to open."""

    close: list[int] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    set_key: list[tuple[int, bool]] = field(default_factory=list)
    reopen: list[int] = field(default_factory=list)
    open: list[tuple[int, bool]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.close or self.delete or self.set_key or self.reopen or self.open)


def last_revision_date(memberships: Iterable[Membership]) -> date | None:
    """Return the date of the latest revision the rows show (an opening or a closing)."""
    dates = []
    for membership in memberships:
        dates.append(membership.valid_from)
        if membership.valid_to is not None:
            dates.append(membership.valid_to + timedelta(days=1))
    return max(dates, default=None)


def revision_problems(
    *,
    communes: list[CommuneFacts],
    key_communes: list[CommuneFacts],
    valid_from: date,
    program_start: date,
    program_end: date | None,
    last_revision: date | None,
) -> list[str]:
    """Return everything wrong with a revision (empty when it can be applied)."""
    problems: list[str] = []
    if valid_from < program_start:
        problems.append(
            _("The list cannot take effect on %(date)s, before the program starts (%(start)s).")
            % {"date": valid_from.isoformat(), "start": program_start.isoformat()}
        )
    if program_end is not None and valid_from > program_end:
        problems.append(
            _("The list cannot take effect on %(date)s, after the program ends (%(end)s).")
            % {"date": valid_from.isoformat(), "end": program_end.isoformat()}
        )
    if last_revision is not None and valid_from < last_revision:
        problems.append(
            _(
                "Revisions must be entered in date order: the last one took effect on "
                "%(last)s, this one on %(date)s."
            )
            % {"last": last_revision.isoformat(), "date": valid_from.isoformat()}
        )
    seen: set[int] = set()
    for commune in communes:
        if commune.id in seen:
            problems.append(_("%(unit)s is listed twice.") % {"unit": commune.label})
        seen.add(commune.id)
        if commune.level != COMMUNE_LEVEL:
            problems.append(
                _("%(unit)s is not a commune (its level is %(level)s).")
                % {"unit": commune.label, "level": commune.level}
            )
        elif (commune.valid_to is not None and commune.valid_to < valid_from) or (
            commune.valid_from is not None and commune.valid_from > valid_from
        ):
            problems.append(
                _("%(unit)s does not exist on %(date)s.")
                % {"unit": commune.label, "date": valid_from.isoformat()}
            )
    for commune in key_communes:
        if commune.id not in seen:
            problems.append(
                _("%(unit)s is given as a key commune but is not among the target communes.")
                % {"unit": commune.label}
            )
    return problems


def plan_revision(
    *,
    memberships: Iterable[Membership],
    communes: Iterable[int],
    key_communes: Iterable[int],
    valid_from: date,
) -> RevisionPlan:
    """Return the changes that make the list from `valid_from` equal `communes` / `key_communes`.

    Assumes `revision_problems` found nothing (in particular, `valid_from` is not before
    the last revision).
    """
    wanted: dict[int, bool] = {commune_id: False for commune_id in communes}
    for commune_id in key_communes:
        wanted[commune_id] = True
    day_before = valid_from - timedelta(days=1)
    plan = RevisionPlan()
    open_by_commune: dict[int, Membership] = {}
    closed_today: dict[int, Membership] = {}
    for membership in memberships:
        if membership.is_open:
            open_by_commune[membership.commune_id] = membership
        elif membership.valid_to == day_before:
            # Closed by an earlier revision of the same day: a correction may reopen it.
            closed_today[membership.commune_id] = membership

    for commune_id, membership in open_by_commune.items():
        if commune_id not in wanted:
            if membership.valid_from == valid_from:
                plan.delete.append(membership.id)
            else:
                plan.close.append(membership.id)
        elif wanted[commune_id] != membership.is_key:
            earlier = closed_today.get(commune_id)
            if membership.valid_from != valid_from:
                plan.close.append(membership.id)
                plan.open.append((commune_id, wanted[commune_id]))
            elif earlier is not None and earlier.is_key == wanted[commune_id]:
                # Undo today's change of key status: the earlier row simply goes on.
                plan.delete.append(membership.id)
                plan.reopen.append(earlier.id)
            else:
                plan.set_key.append((membership.id, wanted[commune_id]))

    for commune_id, is_key in wanted.items():
        if commune_id in open_by_commune:
            continue
        earlier = closed_today.get(commune_id)
        if earlier is not None and earlier.is_key == is_key:
            plan.reopen.append(earlier.id)
        else:
            plan.open.append((commune_id, is_key))
    plan.open.sort()
    return plan
