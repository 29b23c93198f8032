"""What pages open on when the reader names no program, year or criteria set."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.selectors import program_defaults

pytestmark = pytest.mark.django_db


def test_the_default_program_opens_on_its_first_year_and_the_review_year(tree):
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(
        program=program, commune=tree.dak_mar, valid_from=date(2007, 1, 1)
    )
    opened = program_defaults(scope=EVERYTHING)
    assert (opened.program, opened.baseline, opened.year) == ("nq04", 2007, 2015)
    assert opened.criteria_set == "nvv-example"


def test_another_provinces_reader_opens_on_their_own_program(tree):
    nq04 = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(program=nq04, commune=tree.dak_mar, valid_from=date(2007, 1, 1))
    own = Program.objects.create(
        code="p135", name="135", start_date=date(2011, 1, 1), end_date=date(2020, 12, 31)
    )
    ProgramCommune.objects.create(program=own, commune=tree.ngok_wang, valid_from=date(2011, 1, 1))
    opened = program_defaults(scope=UnitScope(paths=frozenset({tree.ngok_wang.path})))
    assert (opened.program, opened.baseline, opened.year) == ("p135", 2011, 2020)
