"""The plan: what the file's rows would change, checked against the program's rules (pure).

Works on plain values only (no ORM): the stored assignments of the units and people the file
names (`Held`) and the file's rows with their references looked up (`AssignmentLine`). Rows
are taken in order of their start date, so a file that lists a household's Party members
over the years reads as the history it is:

- a row that names a stored assignment (same kind, unit, person or organisation and start)
  is unchanged, or sets its end (an *ended* one), or corrects its decision; an empty end
  never erases a stored one;
- a new row where the program allows one at a time (a twinning unit per commune when the
  rule says so, a Party member per household) closes the assignment in force the day
  before it starts (a *reassignment*); one that started on or after it cannot be closed and
  is refused, as is one the file itself gives an end overlapping it;
- the same office or person twice on one unit over overlapping periods is refused;
- Party members' loads are counted in the order the writes will run (every end first, then
  each creation), under each commune's cap, exactly as `services.assignment_problems`
  counts them, so a plan this module accepts the services accept too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ketnghia.core.errors import Problem
from ketnghia.twinning import rules
from ketnghia.twinning.assignment_import.read import TWINNING, AssignmentLine
from ketnghia.twinning.models import AssignmentKind

ONE_DAY = dt.timedelta(days=1)


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass
class Held:
    """A stored assignment (or twinning), or one the plan would create, as plain values."""

    kind: str
    target: int
    responsible: str
    label: str
    start: dt.date
    end: dt.date | None
    commune_id: int
    pk: int | None = None
    decision: str = ""
    decision_date: dt.date | None = None
    # Set when a row of the file states this assignment's end: a later row may not close it.
    end_stated: bool = False

    @property
    def stored(self) -> bool:
        return self.pk is not None


@dataclass
class Creation:
    wanted: AssignmentLine
    held: Held
    closes: list[Held] = field(default_factory=list)


@dataclass
class Plan:
    """What committing the file would do, and every rule it would break."""

    creations: list[Creation] = field(default_factory=list)
    # Stored rows whose end changes: (row, new end, the file row that asks for it).
    ends: list[tuple[Held, dt.date, AssignmentLine]] = field(default_factory=list)
    decisions: list[tuple[Held, AssignmentLine]] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


CREATED = "created"
REASSIGNED = "reassigned"
ENDED = "ended"
CHANGED = "changed"
UNCHANGED = "unchanged"
OUTCOMES = (CREATED, REASSIGNED, ENDED, CHANGED, UNCHANGED)


def _rule_message(row: AssignmentLine, other: Held) -> str:
    if row.kind == TWINNING:
        return _(
            "%(record)s: the program allows one twinning unit per commune at a time, and "
            "%(other)s is twinned with it from %(start)s."
        ) % {"record": row.record, "other": other.label, "start": _day(other.start)}
    rule = _("one Party member is in charge of a household at a time; %(other)s is from %(start)s.")
    return f"{row.record}: {rule % {'other': other.label, 'start': _day(other.start)}}"


def plan_rows(held: list[Held], wanted: list[AssignmentLine]) -> Plan:
    """Return the plan of `wanted` over the stored rows `held` (see the module's docstring)."""
    plan = Plan()
    groups: dict[tuple[str, int], list[Held]] = defaultdict(list)
    for row in held:
        groups[(row.kind, row.target)].append(row)
    seen: dict[tuple[str, int, str, dt.date], AssignmentLine] = {}
    column = {"twinning": "organisation", AssignmentKind.OFFICE_VILLAGE: "organisation"}

    def refuse(row: AssignmentLine, key: str, message: str) -> None:
        plan.problems.append(row.where.problem(key, message))

    for row in sorted(wanted, key=lambda w: (w.start, w.index)):
        identity = (row.kind, row.target, row.responsible, row.start)
        if identity in seen:
            refuse(
                row,
                "start_date",
                _("%(record)s: the same assignment is on row %(row)s too.")
                % {"record": row.record, "row": seen[identity].where.number},
            )
            continue
        seen[identity] = row
        group = groups[(row.kind, row.target)]
        match = next(
            (h for h in group if h.responsible == row.responsible and h.start == row.start), None
        )
        end = row.end if row.end is not None else (match.end if match else None)
        others = [
            h for h in group if h is not match and rules.overlaps(h.start, h.end, row.start, end)
        ]
        same = [h for h in others if h.responsible == row.responsible]
        if same:
            refuse(
                row,
                "start_date",
                f"{row.record}: "
                f"{_('the same assignment already covers part of this period.')} "
                f"({_day(same[0].start)})",
            )
            continue
        closes: list[Held] = []
        if row.exclusive:
            blocking = [h for h in others if h.start >= row.start or h.end_stated]
            if blocking:
                refuse(row, column.get(row.kind, "person"), _rule_message(row, blocking[0]))
                continue
            closes = others
        if match is not None:
            changes_end = row.end is not None and row.end != match.end
            changes_decision = (row.decision and row.decision != match.decision) or (
                row.decision_date is not None and row.decision_date != match.decision_date
            )
            if closes:
                refuse(row, column.get(row.kind, "person"), _rule_message(row, closes[0]))
                continue
            if changes_end:
                match.end = row.end
                if match.stored:
                    plan.ends.append((match, row.end, row))
            if row.end is not None:
                match.end_stated = True
            if changes_decision and match.stored:
                plan.decisions.append((match, row))
            plan.outcomes[row.index] = (
                ENDED if changes_end else CHANGED if changes_decision else UNCHANGED
            )
            continue
        for other in closes:
            other.end = row.start - ONE_DAY
            if other.stored:
                plan.ends.append((other, other.end, row))
        created = Held(
            kind=row.kind,
            target=row.target,
            responsible=row.responsible,
            label=row.label,
            start=row.start,
            end=row.end,
            commune_id=row.commune_id,
            decision=row.decision,
            decision_date=row.decision_date,
            end_stated=row.end is not None,
        )
        group.append(created)
        plan.creations.append(Creation(row, created, closes))
        plan.outcomes[row.index] = REASSIGNED if any(other.stored for other in closes) else CREATED
    if not plan.problems:
        _check_caps(plan, held)
    return plan


def _check_caps(plan: Plan, held: list[Held]) -> None:
    """Refuse a creation that takes a Party member over the cap, counted as the writes run."""
    loads: dict[str, list[Held]] = defaultdict(list)
    for row in held:
        if row.kind == AssignmentKind.MEMBER_HOUSEHOLD:
            loads[row.responsible].append(row)
    for creation in plan.creations:
        row = creation.wanted
        if row.kind != AssignmentKind.MEMBER_HOUSEHOLD or row.cap is None:
            continue
        current = loads[row.responsible]
        load = sum(
            1
            for other in current
            if rules.overlaps(other.start, other.end, creation.held.start, creation.held.end)
        )
        if rules.load_exceeds_cap(load, row.cap):
            plan.problems.append(
                row.where.problem(
                    "person",
                    f"{row.record}: "
                    + _("the program allows at most %(cap)s households per Party member.")
                    % {"cap": row.cap},
                )
            )
        current.append(creation.held)
