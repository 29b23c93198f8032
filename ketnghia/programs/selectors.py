"""Reads of programs and of their commune lists on a given day."""

from __future__ import annotations

from dataclasses import dataclass
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


def program_choices(*, scope: UnitScope) -> list[Program]:
    """Return the programs with at least one commune inside `scope`, newest first.

    What every page offers and picks from (the dashboards, the network pages): a program of
    another province is neither listed nor taken by default.
    """
    communes = scope.filter(Program.objects.all(), "memberships__commune__path")
    return list(communes.distinct().order_by("-start_date", "code"))


def program_for(
    *, scope: UnitScope, code: str | None, programs: list[Program] | None = None
) -> Program:
    """Return the program named by `code` (or the newest one in scope); NotFound otherwise.

    `programs` is `program_choices(scope=scope)` when the caller has it already.
    """
    if programs is None:
        programs = program_choices(scope=scope)
    for program in programs:
        if code is None or program.code == code:
            return program
    raise NotFound(_("Program not found."))


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


# What a page opens on when the reader names no program, year or criteria set. The shipped
# default program is Kon Tum's Resolution 04 (2007), reviewed in 2015, with the example
# village and commune criteria (domain.md §6); a province's own program is configuration:
# a reader whose scope holds another program gets that one (the newest in scope), its first
# year as the baseline, and the review year below until a program stores its own.
DEFAULT_PROGRAM = "nq04"
DEFAULT_REVIEW_YEAR = 2015
DEFAULT_CRITERIA_SET = "nvv-example"
FIRST_PROGRAM_YEAR = 2007


@dataclass(frozen=True)
class ProgramDefaults:
    """The program, baseline year, review year and criteria set a page opens on."""

    program: str
    baseline: int
    year: int
    criteria_set: str


def program_defaults(*, scope: UnitScope = EVERYTHING) -> ProgramDefaults:
    """Return what pages open on for a reader of `scope`: the default program when it lies in
    the scope (or no program does), else the newest program in the scope."""
    programs = program_choices(scope=scope)
    chosen = next((p for p in programs if p.code == DEFAULT_PROGRAM), None)
    if chosen is None and programs:
        chosen = programs[0]
    if chosen is None:
        return ProgramDefaults(
            DEFAULT_PROGRAM, FIRST_PROGRAM_YEAR, DEFAULT_REVIEW_YEAR, DEFAULT_CRITERIA_SET
        )
    year = DEFAULT_REVIEW_YEAR
    if chosen.end_date is not None:
        year = chosen.end_date.year
    return ProgramDefaults(chosen.code, chosen.start_date.year, year, DEFAULT_CRITERIA_SET)
