"""The plan step of the census import: SQL over the staging table, on both databases.

Every statement joins the staged file (one row per household, see
`checks.STAGE_COLUMNS`) with the commune's households and the round's entries, so
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


def table_names() -> dict[str, str]:
    return {
        "households": connection.ops.quote_name(Household._meta.db_table),
        "entries": connection.ops.quote_name(CensusEntry._meta.db_table),
    }


def entry_differs(entry: str = "e", staged: str = "s") -> str:
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


def household_differs(household: str = "h", staged: str = "s") -> str:
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


def plan_import(stage: StagingTable, *, commune_id: int, round_id: int | None) -> Plan:
    """Count what the staged file would create and change, writing nothing."""
    t = table_names()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT
              COUNT(*),
              COALESCE(SUM(CASE WHEN h.id IS NULL THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN h.id IS NOT NULL AND ({household_differs()})
                           THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN e.id IS NULL THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN e.id IS NOT NULL AND ({entry_differs()})
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
