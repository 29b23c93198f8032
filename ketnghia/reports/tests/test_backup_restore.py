"""`ketnghia backup` and `ketnghia restore` (core.backup): a small program backed up, restored
into a fresh database (a second SQLite file, a second PostgreSQL database) by the command an
operator runs, gives the same review report and `aggregates check` finds no difference."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ketnghia.census.models import CensusEntry
from ketnghia.core import backup
from ketnghia.indicators.models import Aggregate

REPORT = ["report", "review", "--program", "nq04", "--baseline", "2007", "--year", "2015"]


def _ketnghia(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `ketnghia ARGS` on another database, as an operator would at the shell."""
    env = {**os.environ, "DATABASE_URL": database_url, "KETNGHIA_TESTING": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "ketnghia.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _admin_connection() -> psycopg.Connection:
    conf = connection.get_connection_params()
    for key in ("cursor_factory", "context"):
        conf.pop(key, None)
    conf["dbname"] = "postgres"
    return psycopg.connect(**conf, autocommit=True)


def _postgres_url(name: str) -> str:
    conf = connection.settings_dict
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database(tmp_path):
    """Yield the URL of a new, empty database of this engine; drop it afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_gives_the_same_report_and_aggregates(
    small_program, tmp_path, fresh_database
):
    before = tmp_path / "before.json"
    call_command(*REPORT, "--format", "json", "-o", str(before))
    archive = tmp_path / "ketnghia.backup"
    call_command("backup", "-o", str(archive))
    assert backup.backup_engine(archive) == connection.vendor
    assert not list(tmp_path.glob(".*.partial"))

    restored = _ketnghia(fresh_database, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    after = tmp_path / "after.json"
    report = _ketnghia(fresh_database, *REPORT, "--format", "json", "-o", str(after))
    assert report.returncode == 0, report.stderr
    assert json.loads(after.read_text()) == json.loads(before.read_text())
    check = _ketnghia(fresh_database, "aggregates", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    counts = _ketnghia(
        fresh_database,
        "shell",
        "--verbosity=0",
        "-c",
        "from ketnghia.census.models import CensusEntry; "
        "from ketnghia.indicators.models import Aggregate; "
        "print(CensusEntry.objects.count(), Aggregate.objects.count())",
    )
    assert counts.stdout.split() == [
        str(CensusEntry.objects.count()),
        str(Aggregate.objects.count()),
    ]
    assert CensusEntry.objects.exists() and Aggregate.objects.exists()

    # Into a database that now holds tables: refused without --confirm, nothing changed.
    again = _ketnghia(fresh_database, "restore", str(archive))
    assert again.returncode == 2 and "--confirm" in again.stderr
    assert "đã có" in again.stderr  # Vietnamese: "already holds … tables"
    confirmed = _ketnghia(fresh_database, "restore", str(archive), "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    check = _ketnghia(fresh_database, "aggregates", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_backup_of_the_other_engine_or_no_backup_is_refused(tmp_path, db):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0f\x00" + b"\x00" * 64)
        says = "PostgreSQL"
    else:
        other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
        says = "SQLite"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(other), "--confirm")
    assert refused.value.returncode == 2
    text = tmp_path / "notes.txt"
    text.write_text("không phải bản sao lưu")
    with pytest.raises(CommandError):
        call_command("restore", str(text), "--confirm")
    problems = []
    for path in (other, text, tmp_path / "missing.backup"):
        try:
            backup.restore_problems(path=path)
        except backup.InvalidInput as error:
            problems.append(str(error.problems[0].message))
    assert says in problems[0] and "sao lưu" in problems[0]
    assert "không phải bản sao lưu" in problems[1]
    assert "missing.backup" in problems[2]


def test_a_backup_that_cannot_be_written_leaves_no_file(tmp_path, db):
    target = tmp_path / "no-such-folder" / "ketnghia.backup"
    with pytest.raises(CommandError):
        call_command("backup", "-o", str(target))
    assert not target.parent.exists() or not any(target.parent.iterdir())


def test_a_client_older_than_the_server_is_named_with_the_version_to_install(monkeypatch):
    from pathlib import Path

    monkeypatch.setattr(backup, "pg_versions", lambda tool: (14, 16))
    error = backup._pg_failed(
        "pg_dump", "error: aborting because of server version mismatch", Path("x")
    )
    message = str(error.problems[0].message)
    assert "pg_dump 14" in message and "PostgreSQL 16" in message
    assert "server version mismatch" in message
    assert backup._major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
