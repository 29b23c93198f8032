"""A small program for the page tests: three communes in two districts, rounds 2007 and 2015."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.programs.models import Program, ProgramCommune

# commune attribute of the tree → (is key, 2007 incomes, 2015 incomes): poor under the
# 2006 line is ≤ 200,000 a month, under the 2011 line ≤ 400,000 (rural).
PLAN = {
    "ngok_wang": (True, [150_000, 150_000, 900_000, 900_000], [300_000, 900_000, 900_000, 900_000]),
    "dak_mar": (False, [150_000, 900_000], [900_000, 900_000]),
    "dak_choong": (
        False,
        [150_000, 150_000, 150_000, 900_000],
        [300_000, 300_000, 900_000, 900_000],
    ),
}


@pytest.fixture
def small_program(tree, users, settings, tmp_path) -> Program:
    """nq04 over Ngọk Wang (key), Đăk Mar (Đắk Hà) and Đắk Choong (Đắk Glei), approved rounds."""
    settings.MEDIA_ROOT = tmp_path
    program = Program.objects.create(
        code="nq04", name="Nghị quyết 04-NQ/TU của Tỉnh ủy Kon Tum", start_date=date(2007, 1, 1)
    )
    for attribute, (is_key, before, after) in PLAN.items():
        commune = getattr(tree, attribute)
        ProgramCommune.objects.create(
            program=program, commune=commune, is_key=is_key, valid_from=date(2007, 1, 1)
        )
        for year, standard, incomes in ((2007, "vn-2006", before), (2015, "vn-2011", after)):
            census_round = make_round(
                commune,
                year,
                standard,
                {f"{commune.code}-{number}": income for number, income in enumerate(incomes)},
            )
            approve(census_round, users.commune_officer)
    aggregates_rebuild()
    return program
