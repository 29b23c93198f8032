"""The write step of the census import: set-based statements from the staged file.

Runs only after the checks found nothing and the plan was made (`plan.plan_import`); each
statement the plan says has nothing to do is skipped. Every row written gets its history
row in bulk, in the same transaction (`core.history.history_insert_select`): the household
page then says who changed what, when, and from which file.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ketnghia.accounts.models import Actor
from ketnghia.census.importing.plan import (
    CensusImportReport,
    entry_differs,
    household_differs,
    table_names,
)
from ketnghia.census.models import CensusEntry
from ketnghia.core.history import history_insert_select
from ketnghia.households.models import Household
from ketnghia.imports.staging import StagingTable


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
