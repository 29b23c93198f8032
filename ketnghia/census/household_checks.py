"""The census import's own checks, applied to one household or member typed on the web
(registered with `households.checks` by the census app: households imports no census).

A form's values go through the very column checks a census file's cells go through
(`census.importing.checks`, `.members`) as a one-row chunk,
so a household typed on a page is held to what an uploaded file is held to, with the same
Vietnamese messages. Problems come back located at the form's field; what the database
knows (the commune's villages, which codes are communes) comes from the import's
`census_context`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ketnghia.census.importing import checks, members
from ketnghia.census.importing import columns as cols
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.geo.models import Unit
from ketnghia.households.checks import CheckedHousehold, CheckedMember
from ketnghia.imports.readers import Chunk, ProblemList
from ketnghia.imports.values import code as cell_code
from ketnghia.poverty.domain import Standard

# Form field of each checked household column (a member's fields are named as its columns).
HOUSEHOLD_FIELDS = {
    cols.HOUSEHOLD_CODE: "code",
    cols.HEAD_NAME: "head_name",
    cols.VILLAGE: "village",
    cols.AREA: "area",
}


def _chunk(values: Mapping[str, Any], fields: Mapping[str, str]) -> Chunk:
    """Return `values` (by column key) as a one-row chunk whose problems name the form's
    `fields` (a column's key where it has none there)."""
    keys = list(values)
    return Chunk(
        file="",
        sheet="",
        numbers=[1],
        rows=[[values[key] for key in keys]],
        positions={key: index for index, key in enumerate(keys)},
        headers={key: fields.get(key, key) for key in keys},
    )


def _raise(problems: list[Problem]) -> None:
    """Raise the problems found, each located at its form field (not a file's cell)."""
    if problems:
        raise InvalidInput(
            [Problem(p.message, Location(field=p.location.column)) for p in problems]
        )


def check_household(
    *, code: str, head_name: str, village: str, area: str, commune: Unit, year: int
) -> CheckedHousehold:
    """Check a household as the import checks a row of a census file; InvalidInput if wrong.

    `village` is a village code (or name) of the commune, `area` "rural", "urban" or "" for
    the village's own.
    """
    from ketnghia.census.importing import census_context
    from ketnghia.census.models import CensusRound

    values = {
        cols.HOUSEHOLD_CODE: code,
        cols.HEAD_NAME: head_name,
        cols.VILLAGE: village,
        cols.AREA: area,
    }
    chunk = _chunk(values, HOUSEHOLD_FIELDS)
    # The import's own view of the commune (its villages, their areas, other communes');
    # the registry checks read no income or deprivation: no standard is involved.
    context = census_context(CensusRound(commune=commune, year=year), cast(Standard, None))
    found: list[Problem] = []

    def report(index: int, key: str, message: str) -> None:
        found.append(chunk.problem(index, key, message))

    checked_code = cell_code(code)
    checks._check_codes(chunk, [checked_code], context, report)
    heads = checks._check_heads(chunk, report)
    villages = checks._check_villages(chunk, context, report)
    areas, overridden = checks._check_areas(chunk, villages, context, report)
    _raise(found)
    return CheckedHousehold(
        code=checked_code,
        head_name=heads[0],
        village=villages[0],
        area=areas[0],
        area_overridden=overridden[0],
    )


def check_member(
    *,
    household_code: str,
    full_name: str,
    sex: str,
    birth_year: Any,
    ethnicity: str,
    relation: str,
    personal_id: str,
    year: int,
) -> CheckedMember:
    """Check a member as the import checks a row of the members sheet; InvalidInput if wrong."""
    values = {
        cols.HOUSEHOLD_CODE: household_code,
        members.FULL_NAME: full_name,
        members.SEX: sex,
        members.BIRTH_YEAR: birth_year,
        members.ETHNICITY: ethnicity,
        members.RELATION: relation,
        members.PERSONAL_ID: personal_id,
    }
    problems = ProblemList()
    rows = members.check_member_chunk(_chunk(values, {}), year, problems, 0)
    _raise(problems.items)
    (row,) = rows
    # The staging row's last six values are the member's (`members.STAGE_COLUMNS`).
    return CheckedMember(*row[4:])


class CensusHouseholdChecks:
    """The checks `households.checks` runs a typed household or member through."""

    check_household = staticmethod(check_household)
    check_member = staticmethod(check_member)
