"""An assignments import whose worker process is killed (SIGKILL) mid-write (PostgreSQL).

The confirm request waits for the real worker (`python -m ketnghia.imports.worker`
running the upload); killed while its transaction is open, the
request answers the Vietnamese "stopped" message, no assignment is written, and the same
upload confirmed again is imported whole.
"""

from __future__ import annotations

import csv
import os
import signal
import threading
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from ketnghia.census.tests.test_import_killed import KILLED, _children, _wait_until, _writing
from ketnghia.households.models import Household
from ketnghia.imports.jobs import job_create, job_run
from ketnghia.twinning.assignment_import.spec import ASSIGNMENTS
from ketnghia.twinning.models import Assignment
from ketnghia.twinning.tests.network import party_member
from ketnghia.twinning.tests.test_assignment_import import HEADER, _program

HOUSEHOLDS = 20_000
PER_MEMBER = 100

pytestmark = pytest.mark.usefixtures("transactional_db")


def _assignments_csv(path: Path, members) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(HOUSEHOLDS):
            member = members[i // PER_MEMBER]
            writer.writerow(
                ["Đảng viên → hộ", "23500", "", f"H{i:05d}", "", member.pk, "", "01/01/2015"]
                + [""] * (len(HEADER) - 8)
            )
    return path


def test_a_killed_assignments_import_writes_nothing_and_the_retry_succeeds(
    tree, users, settings, tmp_path
):
    if connection.vendor != "postgresql" or not Path("/proc").is_dir():
        pytest.skip("the worker shares the database with PostgreSQL; processes seen in /proc")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    _program(tree, cap=PER_MEMBER)
    members = [
        party_member(f"Đảng viên {i}", tree.ngok_wang, tree.village_a)
        for i in range(HOUSEHOLDS // PER_MEMBER)
    ]
    Household.objects.bulk_create(
        [
            Household(
                commune=tree.ngok_wang,
                village=tree.village_a,
                code=f"H{i:05d}",
                head_name=f"Chủ hộ {i}",
                unit_path=tree.village_a.path,
            )
            for i in range(HOUSEHOLDS)
        ]
    )
    path = _assignments_csv(tmp_path / "phan-cong.csv", members)
    upload = job_create(
        spec=ASSIGNMENTS,
        uploaded_file=SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"),
        scope={"commune": tree.ngok_wang.code},
        actor=users.commune_officer,
    )
    outcome: dict = {}

    def confirm() -> None:  # the confirm request, waiting for its worker
        try:
            outcome.update(job_run(upload, dry_run=False, confirm=True))
        finally:
            connections.close_all()

    request = threading.Thread(target=confirm)
    request.start()
    _wait_until(_writing, "the import to write")
    (worker,) = _children(f'job_worker {{"key": "{upload.key}",')
    os.kill(worker, signal.SIGKILL)
    request.join(timeout=60)
    assert not request.is_alive()
    (problem,) = outcome["errors"]
    assert KILLED in problem["message"] and problem["file"] == path.name
    _wait_until(lambda: not _writing(), "the killed transaction to end", 30)
    assert not Assignment.objects.exists()

    again = job_run(upload, dry_run=False, confirm=True)
    assert "errors" not in again, again.get("errors")
    assert again["report"]["created"] == HOUSEHOLDS
    assert Assignment.objects.count() == HOUSEHOLDS
    assert Assignment.history.filter(history_type="+").count() == HOUSEHOLDS
    assert date(2015, 1, 1) == Assignment.objects.first().start_date
