"""The plan and write steps of the census import: SQL over the staging table, on both databases.

Every statement joins the staged file (one row per household, see
`checks.STAGE_COLUMNS`) with the commune's households and the round's entries, so
the work is the database's whatever the file's size. The same SQL runs on PostgreSQL and
SQLite (≥ 3.33 for UPDATE … FROM); only the null-safe comparison is spelled differently.
What it counts goes straight into the import's report (`CensusImportReport`): the report is
the plan the write and the confirmation rule read.

Household codes ("01-001") repeat in every commune, so a file must say whose it is: the
template is marked with its commune and year (`imports.mark`; `check_mark` refuses a file
marked for another). A file without a mark (made by hand) is compared with the registry
instead: when most of the household codes it shares with the commune have another head of
household, it is probably another commune's list and is refused (`check_overlap`).

The write (`write_import`) runs only after the checks found nothing and the plan was made;
each statement the plan says has nothing to do is skipped. Every row written gets its
history row in bulk, in the same transaction (`core.history.history_insert_select`): the
household page then says who changed what, when, and from which file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.census.models import CensusEntry
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import history_insert_select
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household, Member
from ketnghia.imports import ImportReport
from ketnghia.imports.staging import StagingTable

# How many rows of repeated codes are fetched to report them; the report is capped anyway.
DUPLICATE_ROWS_LIMIT = 2000
# The overlap check: at least this many shared codes, and more than this share of them
# with another head (names compared without diacritics, case or spacing).
OVERLAP_MIN_MATCHED = 5
OVERLAP_MAX_OTHER_HEADS = 0.5
# Matched codes compared in Python (the first of the file): enough for a share.
OVERLAP_SAMPLE = 2000


def null_safe_differs(negated: bool = False) -> str:
    """Return the null-safe "differs" operator of the database (`negated`: "is the same")."""
    if connection.vendor == "postgresql":
        return "IS NOT DISTINCT FROM" if negated else "IS DISTINCT FROM"
    return "IS" if negated else "IS NOT"


def table_names() -> dict[str, str]:
    return {
        key: connection.ops.quote_name(model._meta.db_table)
        for key, model in (("households", Household), ("entries", CensusEntry), ("members", Member))
    }


# The fields of an entry the change preview counts, each with how an entry and the staged
# row spell it and whether the comparison must be null-safe.
PREVIEW_FIELDS = (
    ("head_name", "head_name", "head_name", False),
    ("village", "village_code", "village_code", False),
    ("area", "area", "area", False),
    ("member_count", "member_count", "member_count", True),
    ("surveyed_on", "surveyed_on", "surveyed_on", True),
    ("income", "monthly_income_per_person", "income", False),
    ("deprivations", "deprivations", "deprivations", False),
    ("status", "status", "status", False),
)


def _field_differs(entry_column: str, staged_column: str, null_safe: bool) -> str:
    operator = null_safe_differs() if null_safe else "<>"
    if entry_column == "status":
        # A hand-set status (override) is kept, so only a computed one can change.
        return "(e.override_reason = '' AND e.status <> s.status)"
    return f"e.{entry_column} {operator} s.{staged_column}"


def entry_differs() -> str:
    """Return the SQL saying that the entry `e` differs from the staged row `s`: a field of
    the preview, or what the classification derives from them."""
    fields = [_field_differs(e_col, s_col, safe) for _key, e_col, s_col, safe in PREVIEW_FIELDS]
    return " OR ".join(fields) + (
        " OR e.deprivation_count <> s.deprivation_count"
        " OR e.computed_status <> s.status OR e.rule <> s.rule"
    )


def household_differs() -> str:
    return f"h.head_name <> s.head_name OR h.village_id {null_safe_differs()} s.village_id"


def repeated_codes(stage: StagingTable) -> list[tuple[str, str, int, str, int]]:
    """Return the rows after the first of every household code the file uses twice: code,
    sheet, row, and the sheet and row of its first use."""
    sql = (
        f"SELECT s.code, s.sheet, s.row_number FROM {stage.quoted} s WHERE s.code IN ("
        f"SELECT code FROM {stage.quoted} WHERE code IS NOT NULL GROUP BY code "
        f"HAVING COUNT(*) > 1) ORDER BY s.code, s.line LIMIT {DUPLICATE_ROWS_LIMIT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchall()
    repeats = []
    first: dict[str, tuple[str, int]] = {}
    for code, sheet, row in found:
        if code in first:
            repeats.append((code, sheet, row, *first[code]))
        else:
            first[code] = (sheet, row)
    return repeats


# Rows of the preview's sample (old → new), the first changed rows of the file.
SAMPLE_ROWS = 10


@dataclass
class CensusImportReport(ImportReport):
    """What a census import did, or (dry run) would do.

    `created`, `updated` and `unchanged` count the round's entries; `rows` the households
    read (total rows such as "Tổng cộng" are skipped and counted in `skipped_rows`).
    """

    round: str = ""
    standard: str = ""
    sha256: str = ""
    skipped_rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    # Entries of the round that the file does not list; they are kept as they are.
    absent: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    # The members sheet ("Nhân khẩu"), when the workbook has one: persons read, households
    # whose members were replaced, and how many persons they now have.
    members: int = 0
    member_households_changed: int = 0
    members_written: int = 0
    # Persons of the members sheet born after the round's year (a revision of a past year
    # from a file listing today's members): left out, and kept as they are in the registry;
    # `members_born_later_rows` gives the first few as "sheet row".
    members_born_later: int = 0
    members_born_later_rows: list[str] = field(default_factory=list)
    round_year: int = 0
    # The change preview (`plan_import`): per field, how many of the round's entries change;
    # households that return after leaving; entries brought back to the previous round's
    # values; the round's entries before the import; a sample of changed rows (code, sheet,
    # row, field → [old, new]); and whether the import needs a confirmation, and why.
    field_changes: dict[str, int] = field(default_factory=dict)
    households_returning: int = 0
    entries_reverted: int = 0
    entries_before: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    history_rows: bool = False


def plan_import(
    stage: StagingTable,
    report: CensusImportReport,
    *,
    commune_id: int,
    round_id: int | None,
    year: int | None = None,
    previous_round_id: int | None = None,
    indicator_codes: tuple[str, ...] = (),
) -> None:
    """Count into `report` what the staged file would create and change, writing nothing.

    One pass over the file joined with the commune's households, the round's entries and
    the previous round's: the counts, the change per field, returning households and values
    reverted to the previous round's; then a sample of changed rows (deprivations named by
    `indicator_codes`).
    """
    t = table_names()
    per_field = ",\n".join(
        f"COALESCE(SUM(CASE WHEN e.id IS NOT NULL AND {_field_differs(e_col, s_col, safe)} "
        "THEN 1 ELSE 0 END), 0)"
        for _key, e_col, s_col, safe in PREVIEW_FIELDS
    )
    reverted = (
        "e.id IS NOT NULL AND p.id IS NOT NULL "
        "AND s.income = p.monthly_income_per_person AND s.deprivations = p.deprivations "
        "AND (e.monthly_income_per_person <> p.monthly_income_per_person "
        "OR e.deprivations <> p.deprivations)"
    )
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
                           THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN h.id IS NOT NULL AND e.id IS NULL
                           AND h.left_year IS NOT NULL AND h.left_year <= %s
                           THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN {reverted} THEN 1 ELSE 0 END), 0),
              {per_field}
            FROM {stage.quoted} s
            LEFT JOIN {t["households"]} h ON h.commune_id = %s AND h.code = s.code
            LEFT JOIN {t["entries"]} e ON e.round_id = %s AND e.household_id = h.id
            LEFT JOIN {t["entries"]} p ON p.round_id = %s AND p.household_id = h.id
            """,
            [year or 0, commune_id, round_id, previous_round_id],
        )
        rows, h_new, h_changed, e_new, e_changed, returning, reverted_count, *fields = map(
            int, cursor.fetchone()
        )
        absent = before = 0
        sample: list[dict[str, Any]] = []
        if round_id is not None:
            cursor.execute(
                f"""
                SELECT COUNT(*),
                  COALESCE(SUM(CASE WHEN NOT EXISTS (
                    SELECT 1 FROM {stage.quoted} s WHERE s.code = e.household_code)
                  THEN 1 ELSE 0 END), 0)
                FROM {t["entries"]} e WHERE e.round_id = %s
                """,
                [round_id],
            )
            before, absent = map(int, cursor.fetchone())
            if e_changed:
                sample = _sample(cursor, stage, t, commune_id, round_id, indicator_codes)
    report.rows, report.households_created, report.households_updated = rows, h_new, h_changed
    report.created, report.updated, report.absent = e_new, e_changed, absent
    report.unchanged = rows - e_new - e_changed
    report.field_changes = dict(zip([key for key, *_rest in PREVIEW_FIELDS], fields, strict=True))
    report.households_returning, report.entries_reverted = returning, reverted_count
    report.entries_before, report.sample = before, sample


def _sample(
    cursor: Any,
    stage: StagingTable,
    t: dict[str, str],
    commune_id: int,
    round_id: int,
    codes: tuple[str, ...],
) -> list[dict[str, Any]]:
    """Return the first changed rows of the file: code, row and each changed field's old → new."""
    olds = ", ".join(f"e.{e_col}" for _k, e_col, _s, _n in PREVIEW_FIELDS)
    news = ", ".join(f"s.{s_col}" for _k, _e, s_col, _n in PREVIEW_FIELDS)
    cursor.execute(
        f"""
        SELECT s.code, s.sheet, s.row_number, e.override_reason, {olds}, {news}
        FROM {stage.quoted} s
        JOIN {t["households"]} h ON h.commune_id = %s AND h.code = s.code
        JOIN {t["entries"]} e ON e.round_id = %s AND e.household_id = h.id
        WHERE {entry_differs()}
        ORDER BY s.line LIMIT {SAMPLE_ROWS}
        """,
        [commune_id, round_id],
    )
    width = len(PREVIEW_FIELDS)
    sample = []
    for code, sheet, row, override, *values in cursor.fetchall():
        old, new = values[:width], values[width:]
        changes = {}
        for (key, *_rest), before, after in zip(PREVIEW_FIELDS, old, new, strict=True):
            if key == "status" and override:
                continue
            if str(before) != str(after):
                changes[key] = [_shown(key, before, codes), _shown(key, after, codes)]
        sample.append({"code": code, "sheet": sheet, "row": row, "changes": changes})
    return sample


def _shown(key: str, value: Any, codes: tuple[str, ...]) -> Any:
    """Return `value` as the preview shows it, as JSON holds it: a deprivation mask as the
    codes of the indicators deprived, a date as ISO text."""
    if key == "deprivations":
        mask = int(value or 0)
        return ", ".join(code for bit, code in enumerate(codes) if mask >> bit & 1) or "—"
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def check_overlap(stage: StagingTable, *, commune: Unit, file_name: str) -> None:
    """Refuse an unmarked file whose shared household codes mostly have other heads."""
    households = table_names()["households"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.head_name, h.head_name FROM {stage.quoted} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE s.head_name IS NOT NULL
            ORDER BY s.line LIMIT {OVERLAP_SAMPLE}
            """,
            [commune.pk],
        )
        pairs = cursor.fetchall()
    if len(pairs) < OVERLAP_MIN_MATCHED:
        return
    other = sum(1 for staged, known in pairs if _name_key(staged) != _name_key(known))
    if other / len(pairs) <= OVERLAP_MAX_OTHER_HEADS:
        return
    raise InvalidInput(
        Problem(
            _(
                "This is probably another commune's list: of %(matched)s household codes it "
                "shares with %(commune)s (code %(code)s), %(other)s have another head of "
                "household. Check that the file is this commune's, or use its template."
            )
            % {
                "matched": len(pairs),
                "commune": commune.name,
                "code": commune.code,
                "other": other,
            },
            Location(file=file_name),
        )
    )


def _name_key(name: str) -> str:
    return " ".join(fold(name or "").split())


def max_id(table: str) -> int:
    """Return the highest id of `table` (quoted), 0 when empty: rows above it are new."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0])


def write_import(
    stage: StagingTable,
    planned: CensusImportReport,
    *,
    commune_id: int,
    round_id: int,
    year: int,
    batch_id: int,
    actor: Actor = None,
    reason: str = "",
    when: Any = None,
) -> None:
    """Create and update households, then create and update the round's entries.

    A statement the plan says has nothing to do is not run (each is a pass over the file).
    The history rows follow: "~" for the households and entries changed, "+" for the new.
    Each entry gets its folded search text from the stage (`checks` folds it per row), so
    nothing rewrites the entries after this.
    """
    t = table_names()
    households, entries, staged = t["households"], t["entries"], stage.quoted
    first_household, first_entry = max_id(households), max_id(entries)
    changed = None
    if planned.households_updated:
        # Which households change, fixed before the update makes them equal to the file.
        changed = StagingTable((("id", "bigint"),), prefix="census_changed", analyze=False)
        changed.create()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {changed.quoted} (id) SELECT h.id FROM {households} h
                JOIN {staged} s ON h.commune_id = %s AND h.code = s.code
                WHERE {household_differs()}
                """,
                [commune_id],
            )
    statements: list[tuple[int, str, list[object]]] = [
        (
            planned.households_updated,
            f"""
            UPDATE {households} AS h
            SET head_name = s.head_name, village_id = s.village_id, unit_path = s.unit_path
            FROM {staged} s
            WHERE h.commune_id = %s AND h.code = s.code
              AND h.id IN (SELECT id FROM {changed.quoted if changed else staged})
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
            planned.updated,
            f"""
            UPDATE {entries} AS e
            SET head_name = s.head_name, village_code = s.village_code, area = s.area,
              member_count = s.member_count, surveyed_on = s.surveyed_on,
              monthly_income_per_person = s.income, deprivations = s.deprivations,
              deprivation_count = s.deprivation_count, computed_status = s.status,
              rule = s.rule,
              status = CASE WHEN e.override_reason = '' THEN s.status ELSE e.status END,
              search_folded = s.search_folded, import_batch_id = %s
            FROM {staged} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE e.round_id = %s AND e.household_id = h.id AND ({entry_differs()})
            """,
            [batch_id, commune_id, round_id],
        ),
        (
            planned.created,
            f"""
            INSERT INTO {entries} (round_id, household_id, household_code, head_name,
              village_code, area, member_count, monthly_income_per_person, surveyed_on,
              deprivations, deprivation_count, computed_status, rule, status,
              override_reason, override_approver_id, import_batch_id, search_folded)
            SELECT %s, h.id, s.code, s.head_name, s.village_code, s.area, s.member_count,
              s.income, s.surveyed_on, s.deprivations, s.deprivation_count, s.status, s.rule,
              s.status, '', NULL, %s, s.search_folded
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
    history = {"actor": actor, "reason": reason, "when": when}
    if changed is not None:
        history_insert_select(
            Household,
            source=f"{households} t JOIN {changed.quoted} c ON c.id = t.id",
            where="1 = 1",
            params=[],
            history_type="~",
            **history,
        )
        changed.drop()
    if planned.households_created:
        history_insert_select(
            Household,
            source=f"{households} t",
            where="t.commune_id = %s AND t.id > %s",
            params=[commune_id, first_household],
            history_type="+",
            **history,
        )
    for needed, kind, compare in (
        (planned.updated, "~", "<="),
        (planned.created, "+", ">"),
    ):
        if needed:
            history_insert_select(
                CensusEntry,
                source=f"{entries} t",
                where=f"t.round_id = %s AND t.import_batch_id = %s AND t.id {compare} %s",
                params=[round_id, batch_id, first_entry],
                history_type=kind,
                **history,
            )
