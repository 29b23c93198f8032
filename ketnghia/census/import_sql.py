"""The set-based half of the census import: SQL over the staging table, on both databases.

Every statement joins the staged file (one row per household, see
`import_checks.STAGE_COLUMNS`) with the commune's households and the round's entries, so
the work is the database's whatever the file's size. The same SQL runs on PostgreSQL and
SQLite (≥ 3.33 for UPDATE … FROM); only the null-safe comparison is spelled differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from ketnghia.census.models import CensusEntry
from ketnghia.households.models import Household
from ketnghia.imports.staging import StagingTable

# How many rows of repeated codes are fetched to report them; the report is capped anyway.
DUPLICATE_ROWS_LIMIT = 2000


def _distinct() -> str:
    """Return the null-safe "differs" operator of the database."""
    return "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"


def _names() -> dict[str, str]:
    return {
        "households": connection.ops.quote_name(Household._meta.db_table),
        "entries": connection.ops.quote_name(CensusEntry._meta.db_table),
    }


def _entry_differs(entry: str = "e", staged: str = "s") -> str:
    d = _distinct()
    e, s = entry, staged
    return (
        f"{e}.head_name <> {s}.head_name OR {e}.village_code <> {s}.village_code "
        f"OR {e}.area <> {s}.area OR {e}.member_count {d} {s}.member_count "
        f"OR {e}.surveyed_on {d} {s}.surveyed_on "
        f"OR {e}.monthly_income_per_person <> {s}.income "
        f"OR {e}.deprivations <> {s}.deprivations "
        f"OR {e}.deprivation_count <> {s}.deprivation_count "
        f"OR {e}.computed_status <> {s}.status OR {e}.rule <> {s}.rule "
        f"OR ({e}.override_reason = '' AND {e}.status <> {s}.status)"
    )


def _household_differs(household: str = "h", staged: str = "s") -> str:
    h, s = household, staged
    return f"{h}.head_name <> {s}.head_name OR {h}.village_id {_distinct()} {s}.village_id"


@dataclass(frozen=True)
class Repeat:
    """A row whose household code an earlier row of the file already used."""

    code: str
    sheet: str
    row: int
    first_sheet: str
    first_row: int


def repeated_codes(stage: StagingTable) -> list[Repeat]:
    """Return the rows (after the first) of every household code the file uses twice."""
    sql = (
        f"SELECT s.code, s.sheet, s.row_number FROM {stage.quoted} s WHERE s.code IN ("
        f"SELECT code FROM {stage.quoted} WHERE code IS NOT NULL GROUP BY code "
        f"HAVING COUNT(*) > 1) ORDER BY s.code, s.line LIMIT {DUPLICATE_ROWS_LIMIT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchall()
    repeats: list[Repeat] = []
    first: dict[str, tuple[str, int]] = {}
    for code, sheet, row in found:
        if code not in first:
            first[code] = (sheet, row)
            continue
        repeats.append(Repeat(code, sheet, row, *first[code]))
    return repeats


@dataclass(frozen=True)
class Plan:
    """What committing the staged file would do."""

    rows: int
    households_created: int
    households_updated: int
    entries_created: int
    entries_changed: int
    entries_absent: int

    @property
    def entries_unchanged(self) -> int:
        return self.rows - self.entries_created - self.entries_changed

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.households_created
            or self.households_updated
            or self.entries_created
            or self.entries_changed
        )


def plan(stage: StagingTable, *, commune_id: int, round_id: int | None) -> Plan:
    """Count what the staged file would create and change, writing nothing."""
    t = _names()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT
              COUNT(*),
              COALESCE(SUM(CASE WHEN h.id IS NULL THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN h.id IS NOT NULL AND ({_household_differs()})
                           THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN e.id IS NULL THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN e.id IS NOT NULL AND ({_entry_differs()})
                           THEN 1 ELSE 0 END), 0)
            FROM {stage.quoted} s
            LEFT JOIN {t["households"]} h ON h.commune_id = %s AND h.code = s.code
            LEFT JOIN {t["entries"]} e ON e.round_id = %s AND e.household_id = h.id
            """,
            [commune_id, round_id],
        )
        rows, h_new, h_changed, e_new, e_changed = cursor.fetchone()
        absent = 0
        if round_id is not None:
            cursor.execute(
                f"""
                SELECT COUNT(*) FROM {t["entries"]} e WHERE e.round_id = %s
                AND NOT EXISTS (SELECT 1 FROM {stage.quoted} s WHERE s.code = e.household_code)
                """,
                [round_id],
            )
            (absent,) = cursor.fetchone()
    return Plan(int(rows), int(h_new), int(h_changed), int(e_new), int(e_changed), int(absent))


def write(
    stage: StagingTable,
    planned: Plan,
    *,
    commune_id: int,
    round_id: int,
    year: int,
    batch_id: int,
) -> None:
    """Create and update households, then create and update the round's entries.

    A statement the plan says has nothing to do is not run (each is a pass over the file).
    """
    t = _names()
    households, entries, staged = t["households"], t["entries"], stage.quoted
    statements: list[tuple[int, str, list[object]]] = [
        (
            planned.households_updated,
            f"""
            UPDATE {households} AS h
            SET head_name = s.head_name, village_id = s.village_id, unit_path = s.unit_path
            FROM {staged} s
            WHERE h.commune_id = %s AND h.code = s.code AND ({_household_differs()})
            """,
            [commune_id],
        ),
        (
            planned.households_created,
            f"""
            INSERT INTO {households} (commune_id, village_id, code, head_name, address,
              area, area_overridden, unit_path, registered_year, left_year)
            SELECT %s, s.village_id, s.code, s.head_name, '', s.area, s.area_overridden,
              s.unit_path, %s, NULL
            FROM {staged} s
            WHERE NOT EXISTS (
              SELECT 1 FROM {households} h WHERE h.commune_id = %s AND h.code = s.code)
            ORDER BY s.line
            """,
            [commune_id, year, commune_id],
        ),
        (
            planned.entries_changed,
            f"""
            UPDATE {entries} AS e
            SET head_name = s.head_name, village_code = s.village_code, area = s.area,
              member_count = s.member_count, surveyed_on = s.surveyed_on,
              monthly_income_per_person = s.income, deprivations = s.deprivations,
              deprivation_count = s.deprivation_count, computed_status = s.status,
              rule = s.rule,
              status = CASE WHEN e.override_reason = '' THEN s.status ELSE e.status END,
              import_batch_id = %s
            FROM {staged} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE e.round_id = %s AND e.household_id = h.id AND ({_entry_differs()})
            """,
            [batch_id, commune_id, round_id],
        ),
        (
            planned.entries_created,
            f"""
            INSERT INTO {entries} (round_id, household_id, household_code, head_name,
              village_code, area, member_count, monthly_income_per_person, surveyed_on,
              deprivations, deprivation_count, computed_status, rule, status,
              override_reason, override_approver_id, import_batch_id)
            SELECT %s, h.id, s.code, s.head_name, s.village_code, s.area, s.member_count,
              s.income, s.surveyed_on, s.deprivations, s.deprivation_count, s.status, s.rule,
              s.status, '', NULL, %s
            FROM {staged} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE NOT EXISTS (
              SELECT 1 FROM {entries} e WHERE e.round_id = %s AND e.household_id = h.id)
            ORDER BY s.line
            """,
            [round_id, batch_id, commune_id, round_id],
        ),
    ]
    with connection.cursor() as cursor:
        for needed, sql, params in statements:
            if needed:
                cursor.execute(sql, params)
