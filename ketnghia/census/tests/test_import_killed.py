"""A census import whose worker is killed (SIGKILL) in the middle of writing (PostgreSQL).

The real processes run: the task (what `ketnghia db_worker` runs) started as a process of its
own, and the import worker it starts. Killed while the import's transaction is open — both
together (the task's machine or container stopped), then the worker alone (the OOM killer,
an operator) — the job is marked failed with a Vietnamese message, by the job's page or by
the task; no row of the file is written; the same file imported again goes through.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ketnghia.census import services
from ketnghia.census.models import CensusEntry, ImportBatch
from ketnghia.census.tests.census_files import generate_csv
from ketnghia.census.tests.factories import census_job
from ketnghia.households.models import Household
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.imports.worker import database_url
from ketnghia.poverty.standards import get_standard

ROWS = 40_000
KILLED = "bị dừng trước khi xong"  # "stopped before it finished"

pytestmark = pytest.mark.usefixtures("transactional_db")


def _children(marker: str) -> list[int]:
    """Return the pids of processes whose command line holds `marker` (this machine)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in command:
            found.append(int(entry.name))
    return found


def _writing() -> bool:
    """Whether another session holds a write transaction open for a while (the import's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
            "AND xact_start < now() - interval '500 milliseconds'"
        )
        return cursor.fetchone()[0] > 0


def _wait_until(condition, what: str, seconds: float = 300) -> None:
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def _start_task(job: ImportJob, media: Path) -> subprocess.Popen:
    """Start the job's task in a process of its own, as `ketnghia db_worker` would run it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url() or "",
        "MEDIA_ROOT": str(media),
        "KETNGHIA_TESTING": "1",
        "KETNGHIA_IMPORT_WORKER_PROCESS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = f"from ketnghia.imports.tasks import import_job_task; import_job_task.call({job.key!r})"
    return subprocess.Popen(
        [sys.executable, "-m", "ketnghia.cli", "shell", "--verbosity=0", "-c", code],
        env=env,
        start_new_session=True,  # its own process group: the task and its worker
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _job(census_round, path: Path) -> ImportJob:
    job = census_job(census_round, file_name=path.name, dry_run=False)
    with path.open("rb") as handle:
        job.file.save(f"census/imports/{job.key}.csv", File(handle), save=True)
    return job


def _nothing_written(census_round) -> None:
    assert not CensusEntry.objects.filter(round=census_round).exists()
    assert not Household.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_killed_import_fails_its_job_writes_nothing_and_the_retry_succeeds(
    client, tree, users, settings, tmp_path
):
    if connection.vendor != "postgresql" or not Path("/proc").is_dir():
        pytest.skip("the worker shares the database with PostgreSQL; processes seen in /proc")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    path = generate_csv(
        tmp_path / "ra-soat-lon.csv",
        get_standard("vn-2022"),
        rows=ROWS,
        villages=["Làng Kon Stiu"],
        commune_code="23500",
    )
    client.force_login(users.commune_officer)

    # 1. The task and its worker killed together, mid-write: the job's page finds them gone.
    job = _job(census_round, path)
    task = _start_task(job, settings.MEDIA_ROOT)
    _wait_until(_writing, "the import to write")
    os.killpg(task.pid, signal.SIGKILL)
    task.wait(timeout=30)
    job.refresh_from_db()
    assert job.state == ImportJobState.RUNNING  # nobody is left to finish it
    progress = reverse("census:import_progress", args=["23500", 2024, job.pk])
    partial = client.get(progress).content.decode()
    assert 'data-state="failed"' in partial and "hx-trigger" not in partial
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED and job.finished_at <= timezone.now()
    (problem,) = job.report["errors"]
    assert KILLED in problem["message"] and problem["file"] == path.name
    _wait_until(lambda: not _writing(), "the killed transaction to end", 30)
    _nothing_written(census_round)

    # 2. The worker alone killed, mid-write: the task that started it fails the job.
    job = _job(census_round, path)
    task = _start_task(job, settings.MEDIA_ROOT)
    _wait_until(_writing, "the import to write")
    (worker,) = _children(f'jobs:job_worker {{"key": "{job.key}",')
    os.kill(worker, signal.SIGKILL)
    assert task.wait(timeout=60) == 0, task.stderr.read().decode() if task.stderr else ""
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED
    assert KILLED in job.report["errors"][0]["message"]
    _nothing_written(census_round)

    # 3. The same file again, nothing killed: imported whole.
    job = _job(census_round, path)
    task = _start_task(job, settings.MEDIA_ROOT)
    assert task.wait(timeout=600) == 0
    job.refresh_from_db()
    assert job.state == ImportJobState.DONE, job.report
    assert CensusEntry.objects.filter(round=census_round).count() == ROWS


def test_the_next_import_fails_the_jobs_whose_process_is_gone(tree):
    """The sweep the import task makes before it starts (`imports.jobs.jobs_sweep`): a killed process (reaped, or a
    zombie its parent has not reaped yet) fails its job; a live one is left running."""
    from ketnghia.imports.jobs import jobs_sweep as census_import_jobs_sweep
    from ketnghia.imports.worker_process import process_gone, process_mark

    if not Path("/proc").is_dir():
        pytest.skip("processes are seen in /proc")
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    reaped = subprocess.Popen(["sleep", "60"])
    zombie = subprocess.Popen(["sleep", "60"])
    marks = {"reaped": process_mark(reaped.pid), "zombie": process_mark(zombie.pid)}
    reaped.kill()
    reaped.wait()
    zombie.kill()  # not waited for: a zombie until its parent reaps it
    _wait_until(lambda: process_gone(marks["zombie"]), "the zombie", 10)
    jobs = {
        name: census_job(
            census_round,
            file_name=f"{name}.csv",
            state=ImportJobState.RUNNING,
            started_at=timezone.now(),
            report={"worker": mark},
        )
        for name, mark in {**marks, "alive": process_mark()}.items()
    }
    assert census_import_jobs_sweep() == 2
    states = {name: ImportJob.objects.get(pk=job.pk).state for name, job in jobs.items()}
    assert states == {
        "reaped": ImportJobState.FAILED,
        "zombie": ImportJobState.FAILED,
        "alive": ImportJobState.RUNNING,
    }
    message = ImportJob.objects.get(pk=jobs["zombie"].pk).report["errors"][0]["message"]
    assert KILLED in message
    zombie.wait()
