"""The optional "Nhân khẩu" (members) sheet of a census workbook: checks and set-based writes.

One row per person: household code, full name, sex, birth year, ethnicity (name or the
statistics office's code), relation to the head, personal ID. A household listed on the
sheet gets exactly the members the sheet gives it; a household whose members are already
those keeps its rows untouched, so a second import changes nothing. Households not on the
sheet keep their members.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import columns as cols
from ketnghia.census.importing.plan import max_id, null_safe_differs, table_names
from ketnghia.core.errors import Location, Problem
from ketnghia.core.history import history_insert_select
from ketnghia.core.personal_data import mask_personal_id
from ketnghia.core.text import fold
from ketnghia.households.models import Member
from ketnghia.households.validity import RELATION_WORDS, SEX_WORDS, ethnicity_code
from ketnghia.imports.readers import (
    CellError,
    Chunk,
    Column,
    ProblemList,
    excel_error_message,
    header_key,
)
from ketnghia.imports.staging import StagingTable
from ketnghia.imports.values import cell_str as _text
from ketnghia.imports.values import code as _code
from ketnghia.imports.values import whole_number as _whole_number

FULL_NAME = "full_name"
SEX = "sex"
BIRTH_YEAR = "birth_year"
ETHNICITY = "ethnicity"
RELATION = "relation"
PERSONAL_ID = "personal_id"

MEMBER_COLUMNS = (
    next(c for c in cols.BASE_COLUMNS if c.key == cols.HOUSEHOLD_CODE),
    Column(FULL_NAME, ("Họ và tên", "Họ tên", "Tên", "full name", FULL_NAME)),
    Column(SEX, ("Giới tính", "sex")),
    Column(BIRTH_YEAR, ("Năm sinh", "birth year", BIRTH_YEAR)),
    Column(ETHNICITY, ("Dân tộc", "ethnicity")),
    Column(RELATION, ("Quan hệ với chủ hộ", "Quan hệ", "relation to head", RELATION)),
    PERSONAL_ID_COLUMN := Column(
        PERSONAL_ID,
        ("Số định danh cá nhân", "Số CCCD", "CCCD", "Số CMND", "personal ID", PERSONAL_ID),
        required=False,
    ),
)

STAGE_COLUMNS = (
    ("line", "bigint"),
    ("sheet", "text"),
    ("row_number", "integer"),
    ("code", "text"),
    ("full_name", "text"),
    ("sex", "text"),
    ("birth_year", "integer"),
    ("ethnicity", "text"),
    ("relation", "text"),
    ("personal_id", "text"),
)

_PERSONAL_ID = re.compile(r"\d{9}|\d{12}")
# What the door writes for a number the downloading user may not see in full (first digit and
# last two kept, `core.personal_data.mask_personal_id`): it means "keep the stored number".
_MASKED_ID = re.compile(r"\d\*{6}\d{2}|\d\*{9}\d{2}")


def members_sheet(sheets: list[str]) -> str | None:
    """Return the workbook's members sheet ("Nhân khẩu", "Danh sách nhân khẩu"), if any."""
    for sheet in sheets:
        if "nhan khau" in header_key(sheet) or header_key(sheet) == "members":
            return sheet
    return None


def _vocabularies() -> dict[str, tuple[Any, str]]:
    """Return the closed columns of the sheet: how a cell is read (None: unknown) and what is
    said of a cell that is not known (its value given as `value`)."""
    return {
        SEX: (
            lambda value: SEX_WORDS.get(fold(_text(value))),
            _("Write the sex as nam (male) or nữ (female)."),
        ),
        ETHNICITY: (
            ethnicity_code,
            _("Unknown ethnic group “%(value)s”: write its name or its two-digit code."),
        ),
        RELATION: (
            lambda value: RELATION_WORDS.get(fold(_text(value))),
            _(
                "Unknown relation “%(value)s”: write chủ hộ, vợ/chồng, con, bố/mẹ, cháu, "
                "anh/chị/em or khác."
            ),
        ),
    }


def check_member_chunk(
    chunk: Chunk,
    year: int,
    problems: ProblemList,
    first_line: int,
    *,
    born_later: list[tuple[str, int]] | None = None,
) -> list[tuple[Any, ...]]:
    """Check a chunk of member rows; return its staging rows (problem rows left out).

    With `born_later` (a census import), a member born after `year` but not in the future
    is no error: the census of `year` does not count them (a revision of a past year, from
    a file listing today's members), so the row is left out and (sheet, row) goes there.
    Without it, a birth after `year` is refused.
    """
    this_year = datetime.date.today().year
    rows: list[tuple[Any, ...]] = []
    vocabularies = _vocabularies()
    # Each closed column's words read once per distinct value.
    words: dict[str, dict[Any, Any]] = {key: {} for key in vocabularies}
    columns = {column.key: chunk.column(column.key) for column in MEMBER_COLUMNS}
    errors = chunk.excel_errors()
    for index in range(len(chunk)):
        found: list[tuple[str, str]] = []
        code = _code(columns[cols.HOUSEHOLD_CODE][index])
        if not code:
            found.append((cols.HOUSEHOLD_CODE, _("The household code is empty.")))
        name = " ".join(_text(columns[FULL_NAME][index]).split())
        if not name or len(name) > 150:
            found.append((FULL_NAME, _("Write the member's full name (at most 150 characters).")))
        born: int | None = None
        try:
            born = _whole_number(columns[BIRTH_YEAR][index])
        except CellError as error:
            found.append((BIRTH_YEAR, str(error)))
        else:
            if born_later is not None and born is not None and year < born <= this_year:
                born_later.append((chunk.sheet, chunk.numbers[index]))
                continue
            if born is not None and not 1900 <= born <= year:
                found.append(
                    (BIRTH_YEAR, _("A birth year lies between 1900 and %(year)s.") % {"year": year})
                )
        read = {}
        for key, (find, message) in vocabularies.items():
            value = columns[key][index]
            if value not in words[key]:
                words[key][value] = find(value)
            read[key] = words[key][value]
            if read[key] is None:
                found.append((key, message % {"value": _text(value)}))
        personal_id = _code(columns[PERSONAL_ID][index])
        if (
            personal_id
            and not _PERSONAL_ID.fullmatch(personal_id)
            and not _MASKED_ID.fullmatch(personal_id)
        ):
            found.append(
                (PERSONAL_ID, _("A personal ID number has 12 digits (9 on an old ID card)."))
            )
        if errors:
            # An Excel error (#N/A) is named as such, instead of its column's own message.
            row_errors = {key: error for (at, key), error in errors.items() if at == index}
            if row_errors:
                found = [(key, message) for key, message in found if key not in row_errors]
                found += [(key, excel_error_message(error)) for key, error in row_errors.items()]
        for key, message in found:
            problems.add(chunk.problem(index, key, message))
        if not found:
            line = (first_line + index, chunk.sheet, chunk.numbers[index], code, name)
            rows.append((*line, read[SEX], born, read[ETHNICITY], read[RELATION], personal_id))
    return rows


def unknown_households(
    members: StagingTable, households: StagingTable
) -> list[tuple[str, str, int]]:
    """Return (code, sheet, row) of member rows whose household is not on the households sheet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.code, m.sheet, m.row_number FROM {members.quoted} m WHERE NOT EXISTS "
            f"(SELECT 1 FROM {households.quoted} s WHERE s.code = m.code) ORDER BY m.line "
            "LIMIT 1000"
        )
        return list(cursor.fetchall())


def resolve_masked_ids(members: StagingTable, *, commune_id: int, file_name: str) -> list[Any]:
    """Put back the stored number where the file holds its masked form; return the problems.

    A template downloaded by someone who may not see IDs in full carries them masked; imported
    back, a masked number equal to the mask of a number the household holds keeps that stored
    number (the same member's first: same name). A masked number that matches nothing stored
    cannot be made whole and is refused.
    """
    household_table, member_table = table_names()["households"], table_names()["members"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT line, sheet, row_number, code, full_name, personal_id FROM {members.quoted} "
            "WHERE personal_id LIKE %s ORDER BY line",
            ["%*%"],
        )
        masked_rows = cursor.fetchall()
        if not masked_rows:
            return []
        cursor.execute(
            f"SELECT h.code, m.full_name, m.personal_id FROM {member_table} m "
            f"JOIN {household_table} h ON h.id = m.household_id WHERE h.commune_id = %s "
            f"AND h.code IN (SELECT code FROM {members.quoted} WHERE personal_id LIKE %s) "
            "AND m.personal_id <> '' ORDER BY m.id",
            [commune_id, "%*%"],
        )
        stored: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for code, name, number in cursor.fetchall():
            stored.setdefault((code, mask_personal_id(number)), []).append((name, number))
        resolved, problems = [], []
        column = PERSONAL_ID_COLUMN.label
        for line, sheet, row, code, name, value in masked_rows:
            candidates = stored.get((code, value), [])
            if candidates:
                same_name = [number for owner, number in candidates if owner == name]
                resolved.append(((same_name or [candidates[0][1]])[0], line))
                continue
            problems.append(
                Problem(
                    _(
                        "The personal ID “%(value)s” is masked and matches no number stored for "
                        "this household: write the full number, or leave the cell empty."
                    )
                    % {"value": value},
                    Location(
                        file=file_name, sheet=sheet, row=row, column=column, field=PERSONAL_ID
                    ),
                )
            )
        if resolved:
            cursor.executemany(
                f"UPDATE {members.quoted} SET personal_id = %s WHERE line = %s", resolved
            )
    return problems


# The stored members a round counts (the parameter: its year). A member born after the
# round's year is outside its census: a revision of a past year neither compares nor
# replaces them, so today's newborns survive a correction of 2015.
_COUNTED = "(m.birth_year IS NULL OR m.birth_year <= %s)"


def plan(
    members: StagingTable, changes: StagingTable, *, commune_id: int, year: int
) -> tuple[int, int]:
    """Record in `changes` the households whose members differ; return (households, members).

    Only the stored members born by `year` (or of unknown birth) are compared.
    """
    household_table, member_table = table_names()["households"], table_names()["members"]
    same = null_safe_differs(negated=True)
    match = (
        f"m.full_name = s.full_name AND m.sex = s.sex AND m.birth_year {same} s.birth_year "
        "AND m.ethnicity = s.ethnicity AND m.relation = s.relation "
        "AND m.personal_id = s.personal_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {changes.quoted} (code)
            SELECT c.code FROM (SELECT DISTINCT code FROM {members.quoted}) c
            LEFT JOIN {household_table} h ON h.commune_id = %s AND h.code = c.code
            WHERE h.id IS NULL
            OR (SELECT COUNT(*) FROM {members.quoted} s WHERE s.code = c.code)
               <> (SELECT COUNT(*) FROM {member_table} m WHERE m.household_id = h.id
                   AND {_COUNTED})
            OR EXISTS (SELECT 1 FROM {members.quoted} s WHERE s.code = c.code AND NOT EXISTS (
                 SELECT 1 FROM {member_table} m WHERE m.household_id = h.id AND {_COUNTED}
                 AND {match}))
            OR EXISTS (SELECT 1 FROM {member_table} m WHERE m.household_id = h.id
                 AND {_COUNTED} AND NOT EXISTS (
                 SELECT 1 FROM {members.quoted} s WHERE s.code = c.code AND {match}))
            """,
            [commune_id, year, year, year],
        )
        cursor.execute(
            f"SELECT COUNT(*), (SELECT COUNT(*) FROM {members.quoted} s WHERE s.code IN "
            f"(SELECT code FROM {changes.quoted})) FROM {changes.quoted}"
        )
        households, people = cursor.fetchone()
    return int(households), int(people)


def write(
    members: StagingTable,
    changes: StagingTable,
    *,
    commune_id: int,
    year: int,
    actor: Actor = None,
    reason: str = "",
    when: Any = None,
) -> None:
    """Replace the members of the changed households (households written before).

    The members removed get a "-" history row before they go, the new ones a "+" row.
    Members born after `year` are not the round's and stay as they are.
    """
    household_table, member_table = table_names()["households"], table_names()["members"]
    of_changed = (
        f"t.household_id IN (SELECT h.id FROM {household_table} h JOIN {changes.quoted} c "
        "ON h.commune_id = %s AND h.code = c.code)"
    )
    removed = f"{of_changed} AND {_COUNTED.replace('m.', 't.')}"
    history = {"actor": actor, "reason": reason, "when": when}
    history_insert_select(
        Member,
        source=f"{member_table} t",
        where=removed,
        params=[commune_id, year],
        history_type="-",
        **history,
    )
    first = max_id(member_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DELETE FROM {member_table} WHERE household_id IN (
              SELECT h.id FROM {household_table} h JOIN {changes.quoted} c
              ON h.commune_id = %s AND h.code = c.code)
              AND {_COUNTED.replace("m.", "")}
            """,
            [commune_id, year],
        )
        cursor.execute(
            f"""
            INSERT INTO {member_table} (household_id, full_name, sex, birth_year, ethnicity,
              relation, personal_id)
            SELECT h.id, s.full_name, s.sex, s.birth_year, s.ethnicity, s.relation,
              s.personal_id
            FROM {members.quoted} s
            JOIN {changes.quoted} c ON c.code = s.code
            JOIN {household_table} h ON h.commune_id = %s AND h.code = s.code
            ORDER BY s.line
            """,
            [commune_id],
        )
    history_insert_select(
        Member,
        source=f"{member_table} t",
        where=f"t.id > %s AND {of_changed}",
        params=[first, commune_id],
        history_type="+",
        **history,
    )
