"""Backups of the database and their restore (`ketnghia backup` / `ketnghia restore`).

One file holds the whole database, in the engine's own format: on SQLite a copy made with
SQLite's online backup API (a consistent snapshot while the server keeps answering), on
PostgreSQL a `pg_dump -Fc` archive (read back with `pg_restore`, from PATH). A file of one
engine cannot be restored into the other: the engines' types and sequences differ, so the
refusal says which engine the file is for.

A backup is written beside its target under a temporary name and renamed when complete, so a
file that exists is a whole backup. A restore replaces everything in the database in one
transaction (PostgreSQL: the schema dropped and the archive replayed by one `psql
--single-transaction`; SQLite: the backup API copies every page), so a restore that fails
leaves the database as it was. The media directory (attachments, uploads) is files: it is
backed up by copying it (`MEDIA_ROOT`), not by these commands.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
_ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


@dataclass(frozen=True)
class BackupInfo:
    """What a backup or restore did: the file, its engine, its size and the tables in it."""

    path: Path
    engine: str
    size: int
    tables: int


def _refuse(message: str, path: Path | str) -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=str(path))))


def database_engine() -> str:
    """Return the engine of the default database (`sqlite` or `postgresql`)."""
    if connection.vendor not in _MAGIC:
        raise _refuse(
            _("Backups are made for SQLite and PostgreSQL only, not %(engine)s.")
            % {"engine": connection.vendor},
            "",
        )
    return connection.vendor


def backup_engine(path: Path) -> str | None:
    """Return the engine a backup file was made by, None if it is no backup of ours."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    for engine, magic in _MAGIC.items():
        if head.startswith(magic):
            return engine
    return None


def database_tables() -> list[str]:
    """Return the tables of the default database."""
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def backup_create(*, path: Path) -> BackupInfo:
    """Write a backup of the whole default database to `path`; return what was written."""
    engine = database_engine()
    path = Path(path)
    if path.is_dir():
        raise _refuse(_("%(file)s is a folder; name a file.") % {"file": path}, path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine == SQLITE:
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
        os.replace(partial, path)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise _refuse(
            _("Cannot write the backup %(file)s: %(error)s")
            % {"file": path, "error": getattr(error, "strerror", None) or error},
            path,
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupInfo(
        path=path, engine=engine, size=path.stat().st_size, tables=len(database_tables())
    )


def restore_problems(*, path: Path) -> str:
    """Return the engine of the backup at `path`; refuse a file this database cannot take."""
    engine = database_engine()
    path = Path(path)
    if not path.is_file():
        raise _refuse(_("File not found: %(file)s") % {"file": path}, path)
    found = backup_engine(path)
    if found is None:
        raise _refuse(
            _(
                "%(file)s is not a ketnghia backup (neither a SQLite database nor a pg_dump "
                "archive)."
            )
            % {"file": path.name},
            path,
        )
    if found != engine:
        raise _refuse(
            _(
                "%(file)s is a backup of a %(found)s database; this database is %(engine)s. "
                "Restore it into a %(found)s database."
            )
            % {
                "file": path.name,
                "found": _ENGINE_NAMES[found],
                "engine": _ENGINE_NAMES[engine],
            },
            path,
        )
    return engine


def backup_restore(*, path: Path) -> BackupInfo:
    """Replace everything in the default database with the backup at `path`.

    The caller asks for confirmation first when the database holds tables
    (`database_tables`). Refused, with nothing changed: a missing file, a file that is no
    backup, and a backup of the other engine.
    """
    path = Path(path)
    engine = restore_problems(path=path)
    if engine == SQLITE:
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    connection.close()  # cached state (the old schema's) goes with the old connection
    return BackupInfo(
        path=path, engine=engine, size=path.stat().st_size, tables=len(database_tables())
    )


# SQLite: the online backup API, page by page, on Django's own connection.


def _raw_sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _sqlite_backup(target: Path) -> None:
    target.unlink(missing_ok=True)
    copy = sqlite3.connect(target)
    try:
        _raw_sqlite().backup(copy)
        # The copy stands alone: no -wal file beside it to lose on the way to the archive.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        # A truncated or damaged file is refused before a page of it is copied.
        verdict = source.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise sqlite3.DatabaseError(verdict[0] if verdict else "?")
    except sqlite3.DatabaseError as error:
        source.close()
        raise _refuse(
            _("%(file)s cannot be read as a SQLite database: %(error)s")
            % {"file": path.name, "error": error},
            path,
        ) from None
    try:
        source.backup(_raw_sqlite())
    finally:
        source.close()


# PostgreSQL: pg_dump and pg_restore from PATH, credentials through the environment.


def _pg_environment() -> dict[str, str]:
    conf: dict[str, Any] = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": conf.get("HOST"),
        "PGPORT": conf.get("PORT"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGDATABASE": conf.get("NAME"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise _refuse(
            _(
                "%(tool)s was not found on PATH: install the PostgreSQL client programs of the "
                "server's version (package postgresql-client)."
            )
            % {"tool": name},
            "",
        )
    return found


def _major(text: str) -> int | None:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else None


def pg_versions(tool: str = "pg_dump") -> tuple[int | None, int]:
    """Return the major versions of the client `tool` on PATH and of the server."""
    output = subprocess.run(
        [_pg_tool(tool), "--version"], capture_output=True, text=True, check=False
    ).stdout
    connection.ensure_connection()
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    return _major(output), server


def _pg_failed(tool: str, detail: str, path: Path) -> InvalidInput:
    client, server = pg_versions(tool)
    if client is not None and client < server:
        return _refuse(
            _(
                "%(tool)s %(client)s is older than the database server (%(server)s): install "
                "the PostgreSQL %(server)s client programs. %(detail)s"
            )
            % {"tool": tool, "client": client, "server": server, "detail": detail},
            path,
        )
    return _refuse(
        _("%(tool)s failed: %(detail)s") % {"tool": tool, "detail": detail.strip()}, path
    )


def _pg_dump(target: Path) -> None:
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    done = subprocess.run(
        [*command, f"--file={target}"],
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise _pg_failed("pg_dump", done.stderr[-2000:], target)


def _pg_restore(path: Path) -> None:
    """Drop the schema and replay the archive, all in one transaction of one psql."""
    env = _pg_environment()
    script = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
        env=env,
        capture_output=True,
        check=False,
    )
    if script.returncode != 0:
        raise _pg_failed("pg_restore", script.stderr.decode("utf-8", "replace")[-2000:], path)
    # Everything in the schema goes, also tables the backup does not have.
    prologue = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
    connection.close()  # our own session must not hold a lock on what is dropped
    done = subprocess.run(
        [_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
        input=prologue + script.stdout,
        env=env,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise _pg_failed("psql", done.stderr.decode("utf-8", "replace")[-2000:], path)
