"""Shared pieces of the twinning writes: refusals, periods, closing a record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.twinning import rules
from ketnghia.twinning.models import (
    Assignment,
    Twinning,
)

ONE_DAY = timedelta(days=1)
# What the twinning writes report to `core.derived`: assignments below the commune (the
# indicators' coverage; the criteria's twinning facts), activities (recorded, changed,
# confirmed), and the twinnings themselves (a commune's twinning unit).
ASSIGNMENTS = "twinning.assignments"
ACTIVITIES = "twinning.activities"
NETWORK = "twinning.network"


def network_changed(*, commune_ids: Iterable[int | None]) -> None:
    """Report that the twinnings of `commune_ids` changed (every year): what is derived from
    them (the criteria's twinning facts) is refreshed at commit."""
    derived.inputs_changed(commune_ids=[c for c in commune_ids if c], source=NETWORK)


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)


def _period_problems(record: str, start: date | None, end: date | None) -> list[Problem]:
    if not rules.period_problem(start, end):
        return []
    return [
        Problem(
            _("%(record)s: the end (%(end)s) lies before the start (%(start)s).")
            % {"record": record, "start": start, "end": end},
            Location(field="end_date"),
        )
    ]


def _current(queryset, start: date, end: date | None):
    """Rows of `queryset` whose period overlaps [start, end]."""
    condition = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        condition &= Q(start_date__lte=end)
    return queryset.filter(condition)


def _close_before(
    record: Twinning | Assignment, on: date, actor: Actor, outside: str
) -> date | None:
    """End `record` the day before `on` (a reassignment); return the end it had.

    `outside` is the refusal when `on` does not fall inside the record's period after its
    first day, with `%(record)s` and `%(on)s` placeholders.
    """
    if on <= record.start_date or (record.end_date is not None and on > record.end_date):
        raise InvalidInput(Problem(outside % {"record": record, "on": on}, Location(field="on")))
    end_date = record.end_date
    record.end_date = on - ONE_DAY
    save_by(record, actor, update_fields=["end_date"])
    return end_date
