"""The write step: the plan written set-based, with its history rows in bulk (design rule 9).

In the import's transaction: new people in one INSERT (checked by `services.person_problems`,
the rules `person_create` applies) and the people the file changes in one UPDATE; then every
stored assignment or twinning whose end changes (the ends the file states and the ones a
reassignment closes, the day before the new one starts) in one UPDATE per table, the rows
locked first; then the new assignments in one INSERT; then the corrected decisions. Each
written row gets its history row by INSERT … SELECT (`core.history.history_insert_select`),
naming the actor and the file. The plan has checked every row under the rules the services
apply (`assignment_problems`: one Party member per household at a time, the cap, overlaps);
a refusal here (which the plan should have foreseen) is located at the file's row and
refuses the whole file. The few new twinnings go through `services.twinning_create`. What
the indicators and criteria derive from the assignments is reported once, for every commune
touched (`services.coverage_changed`: refreshed at commit by `core.derived`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Problem
from ketnghia.core.history import history_insert_select
from ketnghia.twinning import rules, services
from ketnghia.twinning.assignment_import.plan import Creation, Plan
from ketnghia.twinning.assignment_import.read import TWINNING, AssignmentLine
from ketnghia.twinning.assignment_import.resolve import Resolved
from ketnghia.twinning.models import Assignment, AssignmentKind, Organisation, Person, Twinning

BATCH = 1000


def _located(row: AssignmentLine, error: InvalidInput) -> list[Problem]:
    return [
        Problem(p.message, replace(row.where.location(p.location.field), field=p.location.field))
        for p in error.problems
    ]


class _Writes:
    """Bulk writes, each with its history rows by INSERT … SELECT naming the actor and file."""

    def __init__(self, actor: Actor, reason: str) -> None:
        self.actor = actor if getattr(actor, "pk", None) else None
        self.reason = reason
        self.when = timezone.now()

    def history(self, model: type[Model], ids: list[int], kind: str) -> None:
        """Write the history rows ("+" new, "~" changed) of `model`'s rows `ids`."""
        table = connection.ops.quote_name(model._meta.db_table)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            history_insert_select(
                model,
                source=f"{table} t",
                where=f"t.id IN ({', '.join(['%s'] * len(batch))})",
                params=batch,
                history_type=kind,
                actor=self.actor,
                reason=self.reason,
                when=self.when,
            )

    def create(self, model: type[Model], records: list[Any]) -> None:
        created = model._default_manager.bulk_create(records, batch_size=BATCH)
        ids = [record.pk for record in created]
        if None in ids:  # a backend that does not return the new keys
            raise RuntimeError("bulk_create returned no primary keys")
        self.history(model, ids, "+")

    def update(self, model: type[Model], records: list[Any], fields: list[str]) -> None:
        model._default_manager.bulk_update(records, fields, batch_size=BATCH)
        self.history(model, [record.pk for record in records], "~")


def _people(resolved: Resolved, writes: _Writes) -> dict[str, Person]:
    """Create and update the people sheet's people in bulk; return the new ones by their
    rows' keys ("n:<file code>")."""
    problems: list[Problem] = []
    people: dict[str, Person] = {}
    changed: list[Person] = []
    fields: set[str] = set()
    for change in resolved.people:
        line = change.line
        if change.person is None:
            found = services.person_problems(
                full_name=line.full_name,
                role=line.role,
                active_from=line.active_from,
                active_to=line.active_to,
                organisation=None,
                commune=change.commune,
                village=change.village,
            )
            problems.extend(
                Problem(p.message, line.where.problem("person", "").location) for p in found
            )
            person = Person(**change.changes, file_code=line.key)
            person.commune, person.village = change.commune, change.village
            person.set_derived_fields()
            people[f"n:{line.key}"] = person
            continue
        if change.changes:
            for name, value in change.changes.items():
                setattr(change.person, name, value)
            change.person.set_derived_fields()
            fields.update(change.changes)
            changed.append(change.person)
    if problems:
        raise InvalidInput(problems)
    if people:
        writes.create(Person, list(people.values()))
    if changed:
        names = sorted({Person._meta.get_field(name).name for name in fields} | {"unit_path"})
        writes.update(Person, changed, names)
    return people


def _ends(plan: Plan, writes: _Writes) -> tuple[list[Problem], set[int]]:
    """Set the stored ends the plan changes, in one UPDATE per table (rows locked first);
    return the problems and the communes of the assignments ended."""
    problems: list[Problem] = []
    by_model: dict[type[Model], dict[int, date]] = {Twinning: {}, Assignment: {}}
    communes: set[int] = set()
    for held, end, row in plan.ends:
        if rules.period_problem(held.start, end):
            problems.append(
                row.where.problem(
                    "end_date",
                    _("%(record)s: the end (%(end)s) lies before the start (%(start)s).")
                    % {"record": held.label, "start": held.start, "end": end},
                )
            )
            continue
        by_model[Twinning if held.kind == TWINNING else Assignment][held.pk] = end
        if held.kind != TWINNING:
            communes.add(held.commune_id)
    for model, ends in by_model.items():
        if not ends:
            continue
        ids = sorted(ends)
        list(model._default_manager.select_for_update().filter(pk__in=ids).values_list("pk"))
        writes.update(model, [model(pk=pk, end_date=ends[pk]) for pk in ids], ["end_date"])
    return problems, communes


def _assignment(creation: Creation, people: dict[str, Person]) -> Assignment:
    row = creation.wanted
    kind, key = row.responsible.split(":", 1)
    household = row.unit if row.kind == AssignmentKind.MEMBER_HOUSEHOLD else None
    assignment = Assignment(
        kind=row.kind,
        organisation_id=int(key) if kind == "o" else None,
        # A stored person by number, a new one (just created) by the row's code.
        person_id=int(key) if kind == "p" else people[row.responsible].pk if kind == "n" else None,
        village=None if household is not None else row.unit,
        household=household,
        commune_id=row.commune_id,
        start_date=row.start,
        end_date=creation.held.end,
        decision_number=row.decision.strip(),
        decision_date=row.decision_date,
    )
    assignment.set_derived_fields()
    return assignment


def _decisions(plan: Plan, writes: _Writes) -> None:
    """Correct the decisions the file restates, one UPDATE per table."""
    for model, number in ((Twinning, "decision"), (Assignment, "decision_number")):
        rows = {
            held.pk: row
            for held, row in plan.decisions
            if (held.kind == TWINNING) == (model is Twinning)
        }
        if not rows:
            continue
        records = list(model._default_manager.filter(pk__in=list(rows)))
        for record in records:
            row = rows[record.pk]
            setattr(record, number, row.decision or getattr(record, number))
            record.decision_date = row.decision_date or record.decision_date
        writes.update(model, records, [number, "decision_date"])


def write_plan(*, resolved: Resolved, plan: Plan, actor: Actor, reason: str) -> None:
    """Write `plan` (the people sheet's people first). Run inside a transaction."""
    writes = _Writes(actor, reason)
    people = _people(resolved, writes)
    problems, communes = _ends(plan, writes)

    twinnings = [c for c in plan.creations if c.wanted.kind == TWINNING]
    organisations = Organisation.objects.in_bulk([int(c.wanted.responsible[2:]) for c in twinnings])
    new = [_assignment(c, people) for c in plan.creations if c.wanted.kind != TWINNING]
    if new:
        writes.create(Assignment, new)
        communes.update(a.commune_id for a in new)
    for creation in twinnings:
        row = creation.wanted
        try:
            services.twinning_create(
                organisation=organisations[int(row.responsible[2:])],
                commune=row.unit,
                start_date=row.start,
                end_date=creation.held.end,
                decision=row.decision,
                decision_date=row.decision_date,
                actor=actor,
            )
        except InvalidInput as error:
            problems.extend(_located(row, error))
    _decisions(plan, writes)
    if problems:
        raise InvalidInput(problems)
    # What `assignment_create` and `assignment_end` report row by row, once for the file.
    if communes:
        services.coverage_changed(commune_ids=sorted(communes))
