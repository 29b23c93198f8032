"""A temporary table an import loads its checked rows into, so the rest runs as set-based SQL.

Checks across rows (a code used twice) and against the database (which households exist,
which entries change) then run inside the database on the whole file, and Python keeps only
one chunk in memory whatever the file's size (design: "Scale-out path"). The table is
private to the connection and lives inside the import's transaction: a rollback removes it,
and `drop()` removes it on success.

On PostgreSQL rows go in with COPY; on SQLite with `executemany`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection

# Column types this helper knows, and their spelling per database.
_TYPES = {
    "postgresql": {
        "text": "text",
        "integer": "integer",
        "bigint": "bigint",
        "boolean": "boolean",
        "date": "date",
        "double": "double precision",
    },
    "sqlite": {
        "text": "text",
        "integer": "integer",
        "bigint": "integer",
        "boolean": "bool",
        "date": "date",
        "double": "real",
    },
}


class StagingTable:
    """A connection-private table with the given (name, type) columns."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        prefix: str = "ketnghia_stage",
        *,
        analyze: bool = True,
    ) -> None:
        self.analyze = analyze
        self.columns = tuple(columns)
        self.name = f"{prefix}_{secrets.token_hex(6)}"
        self.vendor = connection.vendor
        if self.vendor not in _TYPES:
            raise NotImplementedError(f"no staging tables on {self.vendor}")

    @property
    def quoted(self) -> str:
        return connection.ops.quote_name(self.name)

    def create(self) -> None:
        types = _TYPES[self.vendor]
        body = ", ".join(f"{connection.ops.quote_name(n)} {types[t]}" for n, t in self.columns)
        # ON COMMIT DROP: the table cannot outlive the import's transaction on PostgreSQL even
        # if `drop()` is never reached.
        suffix = " ON COMMIT DROP" if self.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.quoted} ({body}){suffix}")

    def insert(self, rows: Iterable[Sequence[object]]) -> int:
        """Append `rows` (tuples in the order of the columns); return how many.

        Give dates as ISO text ("2024-10-15"): SQLite stores them so, as Django does, and
        PostgreSQL's COPY parses them.
        """
        return insert_rows(self.name, [name for name, _type in self.columns], rows)

    def index(self, *columns: str) -> None:
        """Index the table once it is loaded (cheaper than keeping an index during the load)."""
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        index_name = connection.ops.quote_name(f"{self.name}_{'_'.join(columns)}")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {index_name} ON {self.quoted} ({names})")
            if self.vendor == "postgresql" and self.analyze:
                # Fresh temporary tables have no statistics (autovacuum never sees them).
                cursor.execute(f"ANALYZE {self.quoted}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.quoted}")


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Append `rows` (tuples in the order of `columns`) to `table`; return how many.

    COPY on PostgreSQL, `executemany` in blocks on SQLite: no model instance per row, for
    the set-based writes of an import (link tables, history rows). Give dates as ISO text.
    """
    count = 0
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(n) for n in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted} ({names}) VALUES ({placeholders})"
        iterator = iter(rows)
        while block := list(islice(iterator, 10_000)):
            cursor.executemany(sql, block)
            count += len(block)
    return count
