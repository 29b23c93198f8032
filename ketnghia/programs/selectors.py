"""Reads of programs and of their commune lists on a given day."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.geo.models import Unit
from ketnghia.programs.models import Program, ProgramCommune


def program_get(code: str) -> Program:
    """Return the program with `code`; NotFound otherwise."""
    program = Program.objects.filter(code=code).first()
    if program is None:
        raise NotFound(_("Program %(code)s not found.") % {"code": code})
    return program


def programs_list() -> list[Program]:
    """Return every program, by start date then name (for a chooser: a name, never a code)."""
    return list(Program.objects.order_by("start_date", "name"))


def program_memberships_on(*, program: Program, on: date) -> QuerySet[ProgramCommune]:
    """Return the program's list rows in force on `on`."""
    return program.memberships.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on
    )


def program_communes_on(
    *, program: Program, on: date, scope: UnitScope = EVERYTHING
) -> QuerySet[Unit]:
    """Return the communes on the program's list on `on`, inside `scope` (views pass theirs)."""
    rows = program_memberships_on(program=program, on=on)
    return scope.filter(Unit.objects.filter(pk__in=rows.values("commune_id"))).order_by("path")


def program_key_communes_on(
    *, program: Program, on: date, scope: UnitScope = EVERYTHING
) -> QuerySet[Unit]:
    """Return the key communes of the program on `on`, inside `scope`."""
    rows = program_memberships_on(program=program, on=on).filter(is_key=True)
    return scope.filter(Unit.objects.filter(pk__in=rows.values("commune_id"))).order_by("path")
