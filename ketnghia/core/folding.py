"""`Folded(field)`: a name without diacritics and in lower case, computed by the database.

The database's own copy of `core.text.fold` for Vietnamese names, used as the expression of a
generated column (`GeneratedField(expression=Folded("full_name"), db_persist=True)`): the
column is kept by the database on every insert and update — the model's save, `bulk_create`,
COPY and the imports' `INSERT … SELECT` alike — so no write path can leave it stale, and a
search matches "nguyen van" against "Nguyễn Văn …" on the folded text.

PostgreSQL: `lower(translate(x, 'àá…ĐÀ…', 'aa…da…'))`, immutable, so it may define a stored
column; precomposed letters (NFC, as every write stores them) and decomposed marks (NFD input)
fold alike. SQLite has neither `translate` nor a Unicode `lower`, and a chain of 140
`replace()` calls overflows its parser: there the column calls `ketnghia_fold`, `core.text.fold`
registered as a deterministic function on every connection (`register_sqlite`, connected in
`CoreConfig.ready`) — the embedded database is only ever opened through Django.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, Func

from ketnghia.core.text import fold

# Every precomposed Vietnamese letter (both cases), then the combining marks an NFD text keeps.
_VOWELS = "aăâeêioôơuưy"
_LETTERS = "".join(
    sorted(
        {
            unicodedata.normalize("NFC", base + mark)
            for base in _VOWELS + _VOWELS.upper()
            for mark in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
        }
        | {"đ", "Đ"}
    )
)
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"


def _plain(letter: str) -> str:
    decomposed = unicodedata.normalize("NFD", letter)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base.replace("đ", "d").replace("Đ", "D").lower()


FROM = "".join(ch for ch in _LETTERS if _plain(ch) != ch)
TO = "".join(_plain(ch) for ch in FROM)


SQLITE_FUNCTION = "ketnghia_fold"


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def register_sqlite(connection: Any, **_kwargs: Any) -> None:
    """Give an SQLite connection `ketnghia_fold(text)` (deterministic: generated columns use it)."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function(SQLITE_FUNCTION, 1, _fold_or_none, deterministic=True)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Folded(Func):
    """The lower-cased, diacritic-free text of one column (see the module's note)."""

    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Marks of NFD input have no counterpart in the second string: translate drops them.
        template = f"lower(translate(%(expressions)s, {_literal(FROM + _MARKS)}, {_literal(TO)}))"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template=f"{SQLITE_FUNCTION}(%(expressions)s)")

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        if "template" not in extra:
            extra["template"] = "lower(%(expressions)s)"
        return super().as_sql(compiler, connection, **extra)
