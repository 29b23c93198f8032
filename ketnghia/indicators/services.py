"""Writes of the maintained aggregates (refresh, rebuild, check) and of targets.

The base rows (each commune, and each village for village-level indicators) come from
`facts.load_facts` and `domain.aggregate_rows`; the rows of every unit above a commune are
added up in the database (`_roll_up`: one INSERT … SELECT … GROUP BY per level), from the
staging table on a rebuild and from the stored commune rows on a refresh. So a refresh after
one commune's import reads that commune's source rows and the stored rows of its district
and province, never the whole data set.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification, UnitLevel
from ketnghia.imports.staging import StagingTable
from ketnghia.indicators import domain, estimates
from ketnghia.indicators.definitions import builtin_definitions
from ketnghia.indicators.facts import load_facts
from ketnghia.indicators.models import Aggregate, DataVersion, Target
from ketnghia.programs.models import Program, ProgramCommune

COLUMNS = (
    ("indicator", "text"),
    ("program_id", "bigint"),
    ("unit_id", "bigint"),
    ("unit_level", "text"),
    ("unit_path", "text"),
    ("period", "integer"),
    ("disaggregation", "text"),
    ("official", "boolean"),
    ("numerator", "double"),
    ("denominator", "double"),
    ("value", "double"),
    ("ci_low", "double"),
    ("ci_high", "double"),
    ("note", "text"),
)
# The name of `aggregates_refresh` in `core.derived`'s registry.
REFRESHER = "indicators.aggregates"
_NAMES = ", ".join(name for name, _type in COLUMNS)


@dataclass
class RebuildReport:
    rows: int
    seconds: float


def _criteria_set(definitions: Sequence[domain.IndicatorDefinition]) -> str:
    codes = {d.criteria_set for d in definitions if d.criteria_set}
    return sorted(codes)[0] if codes else ""


def _members(
    commune_ids: Sequence[int] | None, years: Iterable[int]
) -> dict[tuple[int, int], dict[int, bool]]:
    """Return (program, year) → {commune: is key} for the lists in force on 31 December."""
    rows = ProgramCommune.objects.all()
    if commune_ids is not None:
        rows = rows.filter(commune_id__in=commune_ids)
    memberships = list(
        rows.values_list("program_id", "commune_id", "is_key", "valid_from", "valid_to")
    )
    members: dict[tuple[int, int], dict[int, bool]] = defaultdict(dict)
    for year in sorted(set(years)):
        on = date(year, 12, 31)
        for program_id, commune_id, is_key, start, end in memberships:
            if start <= on and (end is None or end >= on):
                current = members[(program_id, year)]
                current[commune_id] = current.get(commune_id, False) or is_key
    return members


def compute_base(
    commune_ids: Sequence[int] | None = None, years: Iterable[int] | None = None
) -> list[domain.AggregateRow]:
    """Return the village and commune rows of every program for `commune_ids` (all if None)."""
    definitions = builtin_definitions()
    loaded = load_facts(
        commune_ids=commune_ids,
        criteria_set=_criteria_set(definitions),
        ethnicity=any("ethnicity" in d.disaggregations for d in definitions),
    )
    wanted = None if years is None else set(years)
    facts = loaded.facts
    if wanted is not None:
        facts = {k: v for k, v in facts.items() if k[1] in wanted}
    base = domain.base_rows(definitions, facts, loaded.commune_of, loaded.level_of)
    years_found = {k[1] for k in facts}
    members = _members(commune_ids, years_found)
    return domain.aggregate_rows(definitions, base, members, {}, _regions(commune_ids, years_found))


def _regions(commune_ids: Sequence[int] | None, years: Iterable[int]) -> dict[tuple[int, int], str]:
    """Return (commune, year) → its region: the period in force, else the latest before it
    (as `criteria.selectors.regions_for`); none before the first period."""
    rows = UnitClassification.objects.filter(scheme=ClassificationScheme.COMMUNE_REGION)
    if commune_ids is not None:
        rows = rows.filter(unit_id__in=commune_ids)
    periods: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for unit_id, start, value in rows.order_by("unit_id", "start_year").values_list(
        "unit_id", "start_year", "value"
    ):
        periods[unit_id].append((start, value))
    found: dict[tuple[int, int], str] = {}
    for year in sorted(set(years)):
        for unit_id, spans in periods.items():
            current = [value for start, value in spans if start <= year]
            if current:
                found[(unit_id, year)] = current[-1]
    return found


def _paths(unit_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(unit_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        found.update(
            Unit.objects.filter(pk__in=ids[start : start + 5000]).values_list("id", "path")
        )
    return found


def _tuples(rows: Sequence[domain.AggregateRow]) -> list[tuple[Any, ...]]:
    """Return the rows as table tuples (a list: no query may run inside a COPY)."""
    paths = _paths(r.unit_id for r in rows)
    return [
        (
            r.indicator,
            r.program_id,
            r.unit_id,
            r.unit_level,
            paths[r.unit_id],
            r.year,
            r.disaggregation,
            r.official,
            r.numerator,
            r.denominator,
            r.value,
            r.ci_low,
            r.ci_high,
            r.note,
        )
        for r in rows
    ]


def _case(mapping: dict[str, object], default: str) -> tuple[str, list[Any]]:
    """Return a CASE over `indicator` giving each code's value (and its parameters)."""
    if not mapping:
        return default, []
    whens = " ".join("WHEN %s THEN %s" for _code in mapping)
    params: list[Any] = []
    for code, value in mapping.items():
        params.extend([code, value])
    return f"CASE indicator {whens} ELSE {default} END", params


def _roll_up(
    *,
    source: str,
    target: str,
    ancestor_ids: Sequence[int] | None = None,
    commune_ids: Sequence[int] | None = None,
    years: Sequence[int] | None = None,
    refreshed_at: datetime | None = None,
) -> None:
    """Insert into `target` the rows of every unit one and two levels above the communes of
    `source` (only `ancestor_ids` and `years` when given), then their values."""
    definitions = builtin_definitions()
    sums = [d.code for d in definitions if d.unit_aggregation == "sum"]
    units = connection.ops.quote_name(Unit._meta.db_table)
    extra_columns = ", refreshed_at" if refreshed_at is not None else ""
    for hops in (1, 2):
        joins = f"JOIN {units} u ON u.id = s.unit_id JOIN {units} a1 ON a1.id = u.parent_id"
        if hops == 2:
            joins += f" JOIN {units} a2 ON a2.id = a1.parent_id"
        anc = f"a{hops}"
        where = ["s.unit_level = %s"]
        params: list[Any] = [UnitLevel.COMMUNE]
        if commune_ids is not None:
            where.append(f"s.unit_id IN ({', '.join(['%s'] * len(commune_ids))})")
            params.extend(commune_ids)
        if ancestor_ids is not None:
            where.append(f"{anc}.id IN ({', '.join(['%s'] * len(ancestor_ids))})")
            params.extend(ancestor_ids)
        if years is not None:
            where.append(f"s.period IN ({', '.join(['%s'] * len(years))})")
            params.extend(years)
        denominator = "SUM(s.denominator)"
        sum_params: list[Any] = []
        if sums:
            denominator = (
                f"CASE WHEN s.indicator IN ({', '.join(['%s'] * len(sums))}) THEN 1.0 "
                "ELSE SUM(s.denominator) END"
            )
            sum_params = list(sums)
        refreshed = ", %s" if refreshed_at is not None else ""
        sql = f"""
            INSERT INTO {target} ({_NAMES}{extra_columns})
            SELECT s.indicator, s.program_id, {anc}.id, {anc}.level, {anc}.path, s.period,
              s.disaggregation, s.official, SUM(s.numerator), {denominator}, NULL, NULL, NULL,
              ''{refreshed}
            FROM {source} s {joins}
            WHERE {" AND ".join(where)}
            GROUP BY s.indicator, s.program_id, {anc}.id, {anc}.level, {anc}.path, s.period,
              s.disaggregation, s.official
        """
        all_params = [*sum_params, *([refreshed_at] if refreshed_at is not None else []), *params]
        with connection.cursor() as cursor:
            cursor.execute(sql, all_params)
    factor, factor_params = _case({d.code: d.factor for d in definitions}, "1")
    where = ["unit_level NOT IN (%s, %s)"]
    params = [UnitLevel.COMMUNE, UnitLevel.VILLAGE]
    # An estimate's rows are the estimator's, never added up (`estimates`).
    estimated = [d.code for d in definitions if d.is_estimate]
    if estimated:
        where.append(f"indicator NOT IN ({', '.join(['%s'] * len(estimated))})")
        params.extend(estimated)
    if ancestor_ids is not None:
        where.append(f"unit_id IN ({', '.join(['%s'] * len(ancestor_ids))})")
        params.extend(ancestor_ids)
    if years is not None:
        where.append(f"period IN ({', '.join(['%s'] * len(years))})")
        params.extend(years)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {target} SET value = CASE WHEN denominator = 0 THEN NULL
                ELSE numerator / denominator * ({factor}) END
                WHERE {" AND ".join(where)}""",
            [*factor_params, *params],
        )


def _staged_rebuild() -> StagingTable:
    """Return a staging table holding every aggregate computed afresh (inside a transaction)."""
    staged = StagingTable(COLUMNS, prefix="ind_aggregates")
    staged.create()
    staged.insert(_tuples([*compute_base(), *estimates.compute_estimates()]))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The roll-up's plan needs the staged rows' size, not histograms: a small sample.
            cursor.execute("SET LOCAL default_statistics_target = 10")
        staged.index("unit_id")
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
    _roll_up(source=staged.quoted, target=staged.quoted)
    return staged


def _swap_in(table: str, staged: str, refreshed_at: datetime) -> int:
    """Replace every row of `table` (the aggregates) by `staged`'s; return how many.

    On PostgreSQL the table is emptied and loaded without its indexes and constraints, then
    they are built again from their own definitions (same names, as the migrations made
    them) and the table analysed: one sort per index and one check per foreign key instead
    of seven indexes maintained and two deferred checks queued row by row (bench/national.py:
    about half of a rebuild's time beside the facts at x0.02). The table keeps its name,
    its id sequence and everything else Django knows of it; readers wait for the commit
    (the TRUNCATE's lock) instead of reading the old rows meanwhile. SQLite deletes and
    inserts (no DDL to spare there at the demo's size).
    """
    insert = f"INSERT INTO {table} ({_NAMES}, refreshed_at) SELECT {_NAMES}, %s FROM {staged}"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(insert, [refreshed_at])
            return cursor.rowcount
        cursor.execute(
            """SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')
               ORDER BY contype = 'f', conname""",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint c
                 WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
               ORDER BY 1""",
            [table],
        )
        indexes = cursor.fetchall()
        # Checks of foreign keys still deferred in this transaction (rows written before it)
        # forbid altering the tables they are on, and dropping and adding a key alters the
        # table it points to as well (`geo_unit`): run them now, then defer them again as
        # Django declares them (`connection.check_constraints` does the same).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Refreshes and readers wait for the swap.
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        if constraints:
            drops = ", ".join(
                f"DROP CONSTRAINT {connection.ops.quote_name(name)}"
                for name, _kind, _definition in constraints
            )
            cursor.execute(f"ALTER TABLE {table} {drops}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute(insert, [refreshed_at])
        count = cursor.rowcount
        for _name, definition in indexes:
            cursor.execute(definition)
        if constraints:
            adds = ", ".join(
                f"ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                for name, _kind, definition in constraints
            )
            cursor.execute(f"ALTER TABLE {table} {adds}")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return count


@transaction.atomic
def aggregates_rebuild() -> int:
    """Recompute every aggregate from the source rows and swap them in; return how many."""
    refreshed_at = timezone.now()
    staged = _staged_rebuild()
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    try:
        count = _swap_in(table, staged.quoted, refreshed_at)
    finally:
        staged.drop()
    # The listeners (the stored dashboards: seconds a province) run once the rebuild has
    # committed, not inside it: its swap holds the table's lock until then, and the readers
    # would wait for every province's dashboards to be shaped.
    version_bump(after_commit=True)
    # Every aggregate is fresh: what this transaction reported so far needs no refresh.
    derived.rebuilt(REFRESHER)
    derived.rebuilt(estimates.REFRESHER)
    return count


# Called with the provinces (None: every one) after each bump, in its transaction: what is
# shaped from the aggregates for a page (the dashboards' rows) is written again, there or
# once the transaction commits.
VERSION_LISTENERS: list[Callable[[list[int] | None], None]] = []


def version_bump(*, province_ids: Iterable[int] | None = None, after_commit: bool = False) -> None:
    """Bump the aggregates' version of `province_ids` (every province when None), inside the
    caller's transaction: the pages cached under the old version are no longer served, and
    `VERSION_LISTENERS` reshape what they keep for these provinces — in the transaction, or
    once it has committed when `after_commit`.

    Called by every write of the aggregates (refresh, rebuild) and of what the cached pages
    read beside them (targets, the commune maps)."""
    now = timezone.now()
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    units = connection.ops.quote_name(Unit._meta.db_table)
    where = "level = %s"
    params: list[Any] = [now, UnitLevel.PROVINCE]
    ids: list[int] | None = None
    if province_ids is not None:
        ids = sorted(set(province_ids))
        if not ids:
            return
        where += f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params.extend(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (province_id, version, changed_at)
                SELECT id, 1, %s FROM {units} WHERE {where}
                ON CONFLICT (province_id) DO UPDATE
                SET version = {table}.version + 1, changed_at = excluded.changed_at""",
            params,
        )
    for listener in VERSION_LISTENERS:
        if after_commit:
            transaction.on_commit(functools.partial(listener, ids))
        else:
            listener(ids)


def _stale_rows_delete(years: Sequence[int] | None) -> bool:
    """Delete the rows of districts and provinces left without a commune (a move took their
    last one away: nothing refreshes them otherwise); return whether any were deleted."""
    communes = Unit.objects.filter(level=UnitLevel.COMMUNE)
    empty = list(
        Unit.objects.filter(
            (Q(level=UnitLevel.DISTRICT) & ~Q(pk__in=communes.values("parent_id")))
            | (Q(level=UnitLevel.PROVINCE) & ~Q(pk__in=communes.values("parent__parent_id")))
        ).values_list("id", flat=True)
    )
    if not empty:
        return False
    rows = Aggregate.objects.filter(unit_id__in=empty)
    if years is not None:
        rows = rows.filter(period__in=years)
    deleted, _by_model = rows.delete()
    return bool(deleted)


def _row_of(values: Sequence[Any]) -> domain.AggregateRow:
    indicator, program_id, unit_id, level, _path, period, key, official, n, d, v, lo, hi, note = (
        values
    )
    return domain.AggregateRow(
        indicator, program_id, unit_id, level, period, bool(official), key, n, d, v, lo, hi, note
    )


def aggregates_check(*, program: Program | None = None) -> list[domain.Difference]:
    """Return how the stored aggregates differ from a fresh computation (nothing written)."""
    with transaction.atomic():
        staged = _staged_rebuild()
        try:
            with connection.cursor() as cursor:
                sql = f"SELECT {_NAMES} FROM {staged.quoted}"
                params: list[Any] = []
                if program is not None:
                    sql += " WHERE program_id = %s"
                    params.append(program.pk)
                cursor.execute(sql, params)
                computed = [_row_of(row) for row in cursor.fetchall()]
        finally:
            staged.drop()
    stored_rows = Aggregate.objects.all()
    if program is not None:
        stored_rows = stored_rows.filter(program=program)
    stored = [
        _row_of(row)
        for row in stored_rows.values_list(*(name for name, _type in COLUMNS)).iterator(
            chunk_size=10_000
        )
    ]
    return domain.differences(stored, computed)


def aggregates_refresh(
    *, commune_ids: Iterable[int], years: Iterable[int] | None = None, actor: Actor = None
) -> int:
    """Recompute the aggregates of `commune_ids` (their villages, districts and province) in
    `years` (every year when None), inside the caller's transaction; return rows written.

    The `core.derived` refresher `indicators.aggregates`; `actor` is not recorded (aggregates
    keep no history).
    """
    ids = sorted(set(commune_ids))
    if not ids:
        return 0
    year_list = None if years is None else sorted(set(years))
    refreshed_at = timezone.now()
    with transaction.atomic():
        rows = compute_base(ids, year_list)
        # The estimates' rows are `estimates_refresh`'s.
        period = (Q() if year_list is None else Q(period__in=year_list)) & ~Q(
            indicator__in=estimates.estimate_codes()
        )
        Aggregate.objects.filter(period, unit_id__in=ids).delete()
        villages = Unit.objects.filter(parent_id__in=ids, level=UnitLevel.VILLAGE)
        Aggregate.objects.filter(
            period, unit_id__in=list(villages.values_list("id", flat=True))
        ).delete()
        Aggregate.objects.bulk_create(
            [
                Aggregate(
                    indicator=t[0],
                    program_id=t[1],
                    unit_id=t[2],
                    unit_level=t[3],
                    unit_path=t[4],
                    period=t[5],
                    disaggregation=t[6],
                    official=t[7],
                    numerator=t[8],
                    denominator=t[9],
                    value=t[10],
                    refreshed_at=refreshed_at,
                )
                for t in _tuples(rows)
            ],
            batch_size=2000,
        )
        ancestors: set[int] = set()
        for parent_id, grand_id in Unit.objects.filter(pk__in=ids).values_list(
            "parent_id", "parent__parent_id"
        ):
            ancestors.update(x for x in (parent_id, grand_id) if x is not None)
        if ancestors:
            ancestor_ids = sorted(ancestors)
            # Two refreshes under one province rewrite its rows one after the other.
            list(Unit.objects.select_for_update().filter(pk__in=ancestor_ids).values_list("pk"))
            Aggregate.objects.filter(period, unit_id__in=ancestor_ids).delete()
            table = connection.ops.quote_name(Aggregate._meta.db_table)
            under = list(
                Unit.objects.filter(level=UnitLevel.COMMUNE)
                .filter(Q(parent_id__in=ancestor_ids) | Q(parent__parent_id__in=ancestor_ids))
                .values_list("id", flat=True)
            )
            _roll_up(
                source=table,
                target=table,
                ancestor_ids=ancestor_ids,
                commune_ids=under,
                years=year_list,
                refreshed_at=refreshed_at,
            )
        if _stale_rows_delete(year_list):
            version_bump()
        else:
            version_bump(province_ids=ancestors)
    return len(rows)


def estimates_refresh(
    *, commune_ids: Iterable[int], years: Iterable[int] | None = None, actor: Actor = None
) -> int:
    """Re-estimate the `estimate` indicators of the districts and provinces above
    `commune_ids`, every year (an estimate reads the whole panel); return rows written.

    The `core.derived` refresher `indicators.estimates` (`estimates.register_estimator` gives
    its sources); `years` and `actor` are not used.
    """
    ids = sorted(set(commune_ids))
    codes = estimates.estimate_codes()
    if not ids or not codes:
        return 0
    refreshed_at = timezone.now()
    with transaction.atomic():
        # Every program's rows of those units (a program that left the commune loses its own).
        above = estimates.units_above(ids)
        rows = estimates.compute_estimates(above)
        deleted, _by_model = Aggregate.objects.filter(
            unit_id__in=above, indicator__in=codes
        ).delete()
        if not rows and not deleted:
            return 0
        Aggregate.objects.bulk_create(
            [
                Aggregate(
                    **dict(zip((name for name, _type in COLUMNS), t, strict=True)),
                    refreshed_at=refreshed_at,
                )
                for t in _tuples(rows)
            ],
            batch_size=2000,
        )
        provinces = set(
            Unit.objects.filter(pk__in=above, level=UnitLevel.PROVINCE).values_list("pk", flat=True)
        )
        version_bump(province_ids=provinces)
    return len(rows)


# --- targets ---------------------------------------------------------------------------------


def target_problems(*, target: Target) -> list[Problem]:
    """Return what is wrong with `target` (an unknown indicator)."""
    codes = {d.code for d in builtin_definitions()}
    if target.indicator not in codes:
        return [
            Problem(
                _("Unknown indicator “%(code)s”.") % {"code": target.indicator},
                Location(field="indicator"),
            )
        ]
    return []


@transaction.atomic
def target_save(*, target: Target, actor: Actor) -> Target:
    """Save a target (with history) after checking its indicator."""
    problems = target_problems(target=target)
    if problems:
        raise InvalidInput(problems)
    save_by(target, actor)
    version_bump()
    return target


@transaction.atomic
def target_set(
    *,
    program: Program,
    indicator: str,
    year: int,
    target: float,
    baseline: float | None = None,
    baseline_year: int | None = None,
    note: str = "",
    actor: Actor = None,
) -> Target:
    """Create or update the target of `indicator` in `year`; unchanged values are not written."""
    row = Target.objects.filter(program=program, indicator=indicator, year=year).first()
    if row is None:
        row = Target(program=program, indicator=indicator, year=year, target=target)
    values = {"target": target, "baseline": baseline, "baseline_year": baseline_year, "note": note}
    if row.pk is not None and all(getattr(row, k) == v for k, v in values.items()):
        return row
    for key, value in values.items():
        setattr(row, key, value)
    return target_save(target=row, actor=actor)
