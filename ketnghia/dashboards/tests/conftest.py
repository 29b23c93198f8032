"""A small program on the shared tree: real census rounds, the aggregates rebuilt from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import TestCase

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.conftest import make_unit
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.indicators.services import aggregates_rebuild, target_set
from ketnghia.programs.models import Program
from ketnghia.programs.services import program_communes_set, program_create

# Monthly income per person under vn-2011 (rural poor ≤ 400,000; near-poor ≤ 520,000).
POOR, NEAR_POOR, NOT_POOR = 300_000, 450_000, 900_000


@dataclass
class ProgramData:
    program: Program
    communes: list[Unit]
    years: list[int]


def _incomes(poor: int, near: int, others: int) -> dict[str, int]:
    incomes: dict[str, int] = {}
    for index in range(poor):
        incomes[f"P{index:02d}"] = POOR
    for index in range(near):
        incomes[f"N{index:02d}"] = NEAR_POOR
    for index in range(others):
        incomes[f"X{index:02d}"] = NOT_POOR
    return incomes


# (poor, near-poor, not poor) households per commune code and year: 23500 (key) falls under
# 30 % in 2015, 23488 stays over it, 23290 is under it both years.
ROUNDS = {
    "23500": {2014: (5, 1, 4), 2015: (2, 2, 6)},
    "23488": {2014: (6, 1, 3), 2015: (5, 1, 4)},
    "23290": {2014: (2, 0, 8), 2015: (1, 1, 8)},
}


def load_program(tree, users, *, extra_communes: int = 0, extra_years: int = 0) -> ProgramData:
    """Create nq04 over the tree's three communes (plus `extra_communes` in Đắk Glei) and
    approved vn-2011 rounds (2014–2015, plus `extra_years` earlier ones), then rebuild."""
    actor = users.province_admin
    communes = [tree.ngok_wang, tree.dak_mar, tree.dak_choong]
    rounds = {code: dict(years) for code, years in ROUNDS.items()}
    for index in range(extra_communes):
        code = f"{23300 + index}"
        communes.append(
            make_unit(code, f"Xã Thử {index + 1}", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_glei)
        )
        rounds[code] = {2014: (3 + index % 4, 1, 6), 2015: (2 + index % 3, 1, 7)}
    for code in rounds:
        for offset in range(1, extra_years + 1):
            rounds[code][2014 - offset] = (6, 1, 3)
    program = program_create(
        code="nq04",
        name="Nghị quyết 04 (thử)",
        legal_document="04-NQ/TU",
        start_date=date(2007, 1, 1),
        actor=None,
    )
    program_communes_set(
        program=program,
        communes=communes,
        key_communes=[tree.ngok_wang],
        valid_from=date(2007, 1, 1),
        decision="QĐ thử",
        actor=None,
    )
    by_code = {unit.code: unit for unit in communes}
    years: set[int] = set()
    for code, by_year in rounds.items():
        for year, (poor, near, others) in sorted(by_year.items()):
            census_round = make_round(by_code[code], year, "vn-2011", _incomes(poor, near, others))
            approve(census_round, actor)
            years.add(year)
    target_set(
        program=program,
        indicator="poverty_rate",
        year=2015,
        target=35.0,
        baseline_year=2014,
        note="thử",
        actor=None,
    )
    # The stored dashboards are written once the rebuild has committed (its listeners).
    with TestCase.captureOnCommitCallbacks(execute=True):
        aggregates_rebuild()
    return ProgramData(program=program, communes=communes, years=sorted(years))


@pytest.fixture
def program_data(tree, users) -> ProgramData:
    return load_program(tree, users)
