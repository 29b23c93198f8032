"""The write step: the plan written through the twinning services, in one transaction.

Order: people created or updated; then every stored assignment whose end changes (the ends
the file states and the ones a reassignment closes, shortened before lengthened); then each
new assignment, in order of its start; then corrected decisions. Each write goes through
`twinning.services` (or, where the services have no such write, `core.history.save_by`),
so every row written has its history row naming the actor. A refusal by a service (which
the plan should have foreseen) is located at the file's row and refuses the whole file.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import history_insert_select, save_by
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.twinning import rules, services
from ketnghia.twinning.assignment_import.columns import TWINNING
from ketnghia.twinning.assignment_import.plan import Plan, Wanted
from ketnghia.twinning.assignment_import.resolve import PersonChange, Resolved
from ketnghia.twinning.models import Assignment, AssignmentKind, Organisation, Person, Twinning

# From this many new assignments on, they are written in bulk (history rows in bulk too).
BULK_FROM = 50


def _located(row: Wanted, error: InvalidInput) -> list[Problem]:
    where = row.where
    return [
        Problem(
            problem.message,
            Location(
                file=where.file,
                sheet=where.sheet,
                row=where.row,
                column=dict(where.headers).get(problem.location.field, ""),
                field=problem.location.field,
            ),
        )
        for problem in error.problems
    ]


def _person_update(change: PersonChange, actor: Actor) -> None:
    person = change.person
    assert person is not None
    for name, value in change.changes.items():
        setattr(person, name, value)
    save_by(person, actor)


def _twinning_end(twinning: Twinning, end: Any, actor: Actor) -> None:
    """End a twinning on `end` (its last day); history kept."""
    if rules.period_problem(twinning.start_date, end):
        raise InvalidInput(
            Problem(
                _("%(record)s: the end (%(end)s) lies before the start (%(start)s).")
                % {"record": twinning, "start": twinning.start_date, "end": end},
                Location(field="end_date"),
            )
        )
    twinning.end_date = end
    save_by(twinning, actor, update_fields=["end_date"])


def _bulk_create(
    creations: list[Any],
    people: dict[str, Person],
    organisations: dict[int, Organisation],
    units: dict[int, Unit],
    households: dict[int, Household],
    actor: Actor,
    reason: str,
) -> None:
    """Insert many planned assignments at once, with their history rows in the same step."""
    rows = []
    for creation in creations:
        row = creation.wanted
        household = (
            households.get(row.target) if row.kind == AssignmentKind.MEMBER_HOUSEHOLD else None
        )
        village = None if household is not None else units[row.target]
        organisation = (
            organisations[int(row.responsible[2:])] if row.responsible.startswith("o:") else None
        )
        assignment = Assignment(
            kind=row.kind,
            organisation=organisation,
            person=None if organisation is not None else people[row.responsible],
            village=village,
            household=household,
            commune_id=household.commune_id if household is not None else village.parent_id,
            start_date=row.start,
            end_date=creation.held.end,
            decision_number=row.decision.strip(),
            decision_date=row.decision_date,
        )
        assignment.set_derived_fields()
        rows.append(assignment)
    created = Assignment.objects.bulk_create(rows, batch_size=1000)
    # What `assignment_create` reports row by row: the coverage of these communes moved.
    services.coverage_changed(
        commune_ids={a.commune_id for a in rows if a.kind == AssignmentKind.MEMBER_HOUSEHOLD}
    )
    ids = [assignment.pk for assignment in created]
    if None in ids:  # a backend that does not return the new keys
        raise RuntimeError("bulk_create returned no primary keys")
    table = connection.ops.quote_name(Assignment._meta.db_table)
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        history_insert_select(
            Assignment,
            source=f"{table} t",
            where=f"t.id IN ({', '.join(['%s'] * len(batch))})",
            params=batch,
            history_type="+",
            actor=actor if getattr(actor, "pk", None) else None,
            reason=reason,
            when=timezone.now(),
        )


def write_plan(
    *, resolved: Resolved, plan: Plan, actor: Actor, reason: str = "import"
) -> dict[str, int]:
    """Write `plan`; return the people created and updated. Run inside a transaction."""
    problems: list[Problem] = []
    people: dict[str, Person] = {}
    counts = {"people_created": 0, "people_updated": 0}
    for change in resolved.people:
        if change.person is None:
            line = change.line
            try:
                person = services.person_create(
                    full_name=line.full_name,
                    sex=line.sex,
                    ethnicity=line.ethnicity,
                    role=line.role,
                    active_from=line.active_from,
                    active_to=line.active_to,
                    birth_year=line.birth_year,
                    phone=line.phone,
                    commune=change.commune,
                    village=change.village,
                    file_code=line.key,
                    actor=actor,
                )
            except InvalidInput as error:
                problems.extend(
                    Problem(p.message, change.line.where.problem("person", "").location)
                    for p in error.problems
                )
                continue
            people[f"n:{line.key}"] = person
            counts["people_created"] += 1
        elif change.changes:
            _person_update(change, actor)
            counts["people_updated"] += 1
        if change.person is not None:
            people[f"p:{change.person.pk}"] = change.person
    if problems:
        raise InvalidInput(problems)

    ends = sorted(
        plan.ends,
        key=lambda item: item[0].stored_end is not None and item[1] > item[0].stored_end,
    )
    for held, end, row in ends:
        try:
            if held.kind == TWINNING:
                _twinning_end(Twinning.objects.select_for_update().get(pk=held.pk), end, actor)
            else:
                services.assignment_end(
                    assignment=Assignment(pk=held.pk), end_date=end, actor=actor
                )
        except InvalidInput as error:
            problems.extend(_located(row, error))

    stored_people = {
        int(key[2:])
        for c in plan.creations
        for key in [c.wanted.responsible]
        if key.startswith("p:")
    } - {p.pk for p in people.values()}
    people.update(
        {
            f"p:{p.pk}": p
            for p in Person.objects.filter(pk__in=stored_people).select_related("commune")
        }
    )
    organisations = Organisation.objects.in_bulk(
        [
            int(c.wanted.responsible[2:])
            for c in plan.creations
            if c.wanted.responsible.startswith("o:")
        ]
    )
    member = AssignmentKind.MEMBER_HOUSEHOLD
    units = Unit.objects.in_bulk(
        [c.wanted.target for c in plan.creations if c.wanted.kind != member]
    )
    households = Household.objects.select_related("commune", "village").in_bulk(
        [c.wanted.target for c in plan.creations if c.wanted.kind == member]
    )
    creations = plan.creations
    below = [c for c in creations if c.wanted.kind != TWINNING]
    if len(below) >= BULK_FROM:
        # Many rows: one INSERT and one INSERT … SELECT of their history rows (design rule 9).
        # The plan has checked them under the very rules `assignment_problems` applies.
        _bulk_create(below, people, organisations, units, households, actor, reason)
        creations = [c for c in creations if c.wanted.kind == TWINNING]
    for creation in creations:
        row = creation.wanted
        responsible = row.responsible
        try:
            if row.kind == TWINNING:
                services.twinning_create(
                    organisation=organisations[int(responsible[2:])],
                    commune=units[row.target],
                    start_date=row.start,
                    end_date=creation.held.end,
                    decision=row.decision,
                    decision_date=row.decision_date,
                    actor=actor,
                )
            else:
                services.assignment_create(
                    kind=row.kind,
                    organisation=organisations.get(int(responsible[2:]))
                    if responsible.startswith("o:")
                    else None,
                    person=people.get(responsible) if not responsible.startswith("o:") else None,
                    village=units.get(row.target)
                    if row.kind != AssignmentKind.MEMBER_HOUSEHOLD
                    else None,
                    household=households.get(row.target)
                    if row.kind == AssignmentKind.MEMBER_HOUSEHOLD
                    else None,
                    start_date=row.start,
                    end_date=creation.held.end,
                    decision_number=row.decision,
                    decision_date=row.decision_date,
                    actor=actor,
                )
        except InvalidInput as error:
            problems.extend(_located(row, error))

    for held, row in plan.decisions:
        record: Twinning | Assignment
        if held.kind == TWINNING:
            record = Twinning.objects.get(pk=held.pk)
            record.decision = row.decision or record.decision
            fields = ["decision", "decision_date"]
        else:
            record = Assignment.objects.get(pk=held.pk)
            record.decision_number = row.decision or record.decision_number
            fields = ["decision_number", "decision_date"]
        record.decision_date = row.decision_date or record.decision_date
        save_by(record, actor, update_fields=fields)
    if problems:
        raise InvalidInput(problems)
    return counts
