"""Set-based writes for the bulk paths (imports, the demo): COPY on PostgreSQL.

Django's `bulk_create` builds one model instance per row; at hundreds of thousands of rows
that, not the database, is the cost. These helpers take plain tuples and hand them to the
database the fastest way it offers: `COPY ... FROM STDIN` on PostgreSQL, `executemany` on
SQLite. They run inside the caller's transaction and bypass model `save()`, so callers set
derived columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection, models


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    by_name = {f.name: f for f in model._meta.concrete_fields} | {
        f.attname: f for f in model._meta.concrete_fields
    }
    return [by_name[name].column for name in fields]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Insert `rows` (tuples in the order of `fields`) into `model`'s table; return the count."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, 5000)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def analyze() -> None:
    """Give PostgreSQL's planner statistics of what a bulk load has just written.

    Autovacuum analyses a table only a while after its rows have committed. The reads that
    follow a bulk load in the same transaction, or right after it commits (the derived
    refreshes, the stored dashboards), were planned for tables the planner still took for
    empty: nested loops over hundreds of thousands of census entries, a minute where a
    second would do. ANALYZE samples the transaction's own new rows too. SQLite plans
    without statistics: nothing to do there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
