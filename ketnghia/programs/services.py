"""Writes of programs and their commune lists, each in one transaction with history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems, stored_version
from ketnghia.geo.models import Unit
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.rules import (
    CommuneFacts,
    Membership,
    RevisionPlan,
    last_revision_date,
    plan_revision,
    revision_problems,
)

# What a change of a program's list is reported as to `core.derived`.
COMMUNES = "programs.communes"


def _validation_problems(error: ValidationError, record: str) -> list[Problem]:
    return [
        Problem(message, Location(file=record, field="" if name == "__all__" else name))
        for name, messages in error.message_dict.items()
        for message in messages
    ]


@transaction.atomic
def program_create(
    *,
    code: str,
    name: str,
    legal_document: str,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
    actor: Actor,
) -> Program:
    """Create a program with no communes yet; nothing is written if a field is wrong."""
    program = Program(
        code=code.strip(),
        name=name.strip(),
        legal_document=legal_document.strip(),
        start_date=start_date,
        end_date=end_date,
        description=description.strip(),
    )
    problems: list[Problem] = []
    if end_date is not None and end_date < start_date:
        problems.append(
            Problem(
                _("The program cannot end (%(end)s) before it starts (%(start)s).")
                % {"end": end_date.isoformat(), "start": start_date.isoformat()},
                Location(file=program.code, field="end_date"),
            )
        )
    try:
        program.full_clean()
    except ValidationError as error:
        problems.extend(_validation_problems(error, program.code))
    if problems:
        raise InvalidInput(problems)
    save_by(program, actor)
    return program


def _facts(unit: Unit) -> CommuneFacts:
    return CommuneFacts(
        id=unit.pk,
        label=f"{unit.name} ({unit.code})",
        level=unit.level,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


def _apply(
    *,
    program: Program,
    plan: RevisionPlan,
    valid_from: date,
    decision: str,
    actor: Actor,
) -> None:
    rows = {row.pk: row for row in program.memberships.select_for_update()}
    touched = [rows[pk].commune_id for pk in (*plan.delete, *plan.close, *plan.reopen)]
    touched += [rows[pk].commune_id for pk, _is_key in plan.set_key]
    touched += [commune_id for commune_id, _is_key in plan.open]
    # Deletions first: a same-day correction may re-insert the same (commune, date).
    for row_id in plan.delete:
        row = rows[row_id]
        row._history_user = actor  # type: ignore[attr-defined]
        row.delete()
    for row_id in plan.close:
        row = rows[row_id]
        row.valid_to = valid_from - timedelta(days=1)
        save_by(row, actor, update_fields=["valid_to"])
    for row_id in plan.reopen:
        row = rows[row_id]
        row.valid_to = None
        save_by(row, actor, update_fields=["valid_to"])
    for row_id, is_key in plan.set_key:
        row = rows[row_id]
        row.is_key, row.decision = is_key, decision
        save_by(row, actor, update_fields=["is_key", "decision"])
    if plan.open:
        bulk_create_with_history(
            [
                ProgramCommune(
                    program=program,
                    commune_id=commune_id,
                    is_key=is_key,
                    valid_from=valid_from,
                    decision=decision,
                )
                for commune_id, is_key in plan.open
            ],
            ProgramCommune,
            default_user=actor,
        )
    derived.inputs_changed(commune_ids=touched, source=COMMUNES, actor=actor)


@transaction.atomic
def program_communes_set(
    *,
    program: Program,
    communes: Iterable[Unit],
    key_communes: Iterable[Unit],
    valid_from: date,
    decision: str,
    actor: Actor,
) -> RevisionPlan:
    """Make the program's list from `valid_from` equal `communes`, of which `key_communes` key.

    Memberships no longer wanted close on the day before `valid_from`; new ones open on it;
    a commune whose key status changes gets a new row. A second identical call changes
    nothing. Return the plan that was applied (empty when nothing changed).
    """
    communes = list(communes)
    key_communes = list(key_communes)
    # Lock the program so two revisions of one list cannot interleave.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    memberships = [
        Membership(
            id=row.pk,
            commune_id=row.commune_id,
            is_key=row.is_key,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        for row in program.memberships.all()
    ]
    problems = revision_problems(
        communes=[_facts(unit) for unit in communes],
        key_communes=[_facts(unit) for unit in key_communes],
        valid_from=valid_from,
        program_start=program.start_date,
        program_end=program.end_date,
        last_revision=last_revision_date(memberships),
    )
    if problems:
        raise InvalidInput(
            [
                Problem(message, Location(file=program.code, field="communes"))
                for message in problems
            ]
        )
    plan = plan_revision(
        memberships=memberships,
        communes=[unit.pk for unit in communes],
        key_communes=[unit.pk for unit in key_communes],
        valid_from=valid_from,
    )
    if not plan.is_empty:
        _apply(program=program, plan=plan, valid_from=valid_from, decision=decision, actor=actor)
    return plan


def program_paths(program: Program) -> list[tuple[str, str | None]]:
    """The units a program belongs to: the communes on its list (a new program has none)."""
    if program.pk is None:
        return []
    return [
        ("program", path)
        for path in program.memberships.values_list("commune__path", flat=True).distinct()
    ]


def program_write_problems(*, program: Program, actor: Actor) -> list[Problem]:
    """Return why `actor` may not change `program`: a commune of its list outside their units."""
    return administer_problems(actor=actor, paths=program_paths(program))


@transaction.atomic
def program_save(*, program: Program, actor: Actor) -> Program:
    """Save a program edited as a whole (the admin's form); history kept."""
    if problems := program_write_problems(program=program, actor=actor):
        raise InvalidInput(problems)
    save_by(program, actor)
    return program


def program_commune_write_problems(*, membership: ProgramCommune, actor: Actor) -> list[Problem]:
    """Return why `actor` may not write `membership`: its commune and its program's communes."""
    paths = [("commune", membership.commune.path if membership.commune_id else None)]
    stored = stored_version(membership)
    if isinstance(stored, ProgramCommune):
        paths.append(("commune", stored.commune.path))
    if membership.program_id is not None:
        paths += program_paths(membership.program)
    return administer_problems(actor=actor, paths=paths)


@transaction.atomic
def program_commune_save(*, membership: ProgramCommune, actor: Actor) -> ProgramCommune:
    """Save one commune's place on a program list (the admin's form); history kept."""
    if problems := program_commune_write_problems(membership=membership, actor=actor):
        raise InvalidInput(problems)
    previous = (
        ProgramCommune.objects.filter(pk=membership.pk).values_list("commune_id", flat=True).first()
    )
    save_by(membership, actor)
    derived.inputs_changed(
        commune_ids=[c for c in (previous, membership.commune_id) if c],
        source=COMMUNES,
        actor=actor,
    )
    return membership


@transaction.atomic
def program_communes_delete(*, memberships: Iterable[ProgramCommune], actor: Actor) -> int:
    """Delete places on program lists (the admin's delete); history kept; return how many.

    Refused as a whole when one of them lies outside what `actor` administers. The figures of
    their communes are refreshed at commit, as after any change of a list.
    """
    memberships = list(memberships)
    problems = [
        problem
        for membership in memberships
        for problem in program_commune_write_problems(membership=membership, actor=actor)
    ]
    if problems:
        raise InvalidInput(problems)
    for membership in memberships:
        membership._history_user = actor  # type: ignore[attr-defined]
        membership.delete()
    derived.inputs_changed(
        commune_ids=[m.commune_id for m in memberships],
        source=COMMUNES,
        actor=actor,
    )
    return len(memberships)
