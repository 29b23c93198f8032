"""An activity import whose worker process is killed (SIGKILL) mid-write (PostgreSQL).

The web upload runs the import in the memory-capped worker (`python -m ketnghia.imports.worker`
running the upload's job, `imports.jobs.job_worker`), as the confirm request does. Killed while its transaction
is open, the request gets the Vietnamese "stopped" message, no activity is written, and the
same file imported again goes through whole.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import translation

from ketnghia.census.tests.test_import_killed import KILLED, _children, _wait_until, _writing
from ketnghia.imports.jobs import job_create
from ketnghia.imports.worker import WorkerDied, worker_run
from ketnghia.twinning.activity_import.pipeline import ACTIVITIES
from ketnghia.twinning.models import Activity
from ketnghia.twinning.tests.activity_files import central_row, make_field, write_central

ROWS = 10_000  # enough for the set-based write to hold its transaction open a while (a second)
TARGET = "ketnghia.imports.jobs:job_worker"

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_killed_activity_import_writes_nothing_and_the_retry_succeeds(
    tree, users, settings, tmp_path
):
    if connection.vendor != "postgresql" or not Path("/proc").is_dir():
        pytest.skip("the worker shares the database with PostgreSQL; processes seen in /proc")
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    field = make_field(tree, users)
    team = f"t{field.team.pk}"
    rows = [
        central_row(
            team=team,
            commune="23500",
            day=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            kind="visit",
            uuid=f"7f000000-0000-4000-8000-{i:012d}",
            male="3",
            female="2",
            notes=f"Thăm hộ số {i}",
        )
        for i in range(ROWS)
    ]
    path = write_central(tmp_path / "hoat-dong.csv", rows)
    settings.MEDIA_ROOT = tmp_path / "media"
    job = job_create(
        spec=ACTIVITIES,
        uploaded_file=SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"),
        scope={},
        actor=users.province_admin,
        dry_run=False,
    )
    arguments = {"key": job.key, "confirm": True}
    outcome: dict = {}

    def confirm() -> None:  # the confirm request, waiting for its worker
        try:
            outcome.update(worker_run(TARGET, **arguments))
        except Exception as error:  # the test reads it below
            outcome["raised"] = error
        finally:
            connections.close_all()

    request = threading.Thread(target=confirm)
    request.start()
    _wait_until(_writing, "the import to write")
    (worker,) = _children(f'job_worker {{"key": "{job.key}",')
    os.kill(worker, signal.SIGKILL)
    request.join(timeout=60)
    assert not request.is_alive()
    # worker_run raises WorkerDied; the page turns it into the message (views_activities).
    died = outcome["raised"]
    assert isinstance(died, WorkerDied)
    with translation.override("vi"):  # the page's language
        assert KILLED in died.message
    _wait_until(lambda: not _writing(), "the killed transaction to end", 30)
    assert not Activity.objects.exists()

    again = worker_run(TARGET, **arguments)
    assert "errors" not in again, again.get("errors")
    assert again["report"]["created"] == ROWS
    assert Activity.objects.count() == ROWS
