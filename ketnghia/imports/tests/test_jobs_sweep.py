"""Import jobs a dead worker left running: failed by the sweep, saying why on their page."""

from __future__ import annotations

import io
import subprocess
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from ketnghia.imports import jobs, tasks
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.imports.worker_process import process_gone, process_mark

KILLED = "bị dừng trước khi xong"  # "stopped before it finished"


def _job(user, *, state=ImportJobState.RUNNING, started=None, worker=None) -> ImportJob:
    return ImportJob.objects.create(
        key=uuid.uuid4().hex,
        spec="ketnghia.census.importing.pipeline:census.households",
        created_by=user,
        file_name="ra-soat.csv",
        state=state,
        started_at=started,
        report={"worker": worker} if worker else {},
    )


@pytest.fixture
def dead_mark():
    process = subprocess.Popen(["sleep", "60"])
    mark = process_mark(process.pid)
    process.kill()
    process.wait()
    return mark


def test_the_command_fails_stale_and_orphaned_jobs_and_the_page_says_why(
    client, users, settings, dead_mark
):
    settings.KETNGHIA_IMPORT_JOB_STALE_SECONDS = 600
    officer = users.commune_officer
    stale = _job(officer, started=timezone.now() - timedelta(seconds=601), worker=process_mark())
    orphaned = _job(officer, started=timezone.now(), worker=dead_mark)
    alive = _job(officer, started=timezone.now() - timedelta(seconds=30), worker=process_mark())
    queued = _job(officer, state=ImportJobState.QUEUED)
    out = io.StringIO()
    with translation.override("vi"):
        call_command("imports", "sweep", stdout=out)
    assert "2" in out.getvalue()
    states = {job: ImportJob.objects.get(pk=job.pk).state for job in (stale, orphaned, alive)}
    assert states == {
        stale: ImportJobState.FAILED,
        orphaned: ImportJobState.FAILED,
        alive: ImportJobState.RUNNING,
    }
    assert ImportJob.objects.get(pk=queued.pk).state == ImportJobState.QUEUED
    stale.refresh_from_db()
    assert stale.finished_at is not None and stale.report["error_count"] == 1
    assert KILLED in stale.report["errors"][0]["message"]
    client.force_login(officer)
    with translation.override("vi"):
        page = client.get(reverse("imports:job", args=[stale.key]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="import-problems"' in html and KILLED in html
    # Nothing left to sweep: a second run fails nothing more.
    assert jobs.jobs_sweep() == 0


def test_the_job_page_fails_a_job_whose_worker_is_gone(client, users, dead_mark):
    job = _job(users.commune_officer, started=timezone.now(), worker=dead_mark)
    assert process_gone(dead_mark)
    client.force_login(users.commune_officer)
    client.get(reverse("imports:job", args=[job.key]))
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED


def test_the_task_sweeps_before_it_runs_its_job(users, settings, monkeypatch):
    settings.KETNGHIA_IMPORT_JOB_STALE_SECONDS = 60
    stale = _job(users.commune_officer, started=timezone.now() - timedelta(hours=1))
    queued = _job(users.commune_officer, state=ImportJobState.QUEUED)
    ran = []
    monkeypatch.setattr(tasks, "job_run", lambda job, confirm: ran.append(job.key))
    tasks.import_job_task.call(queued.key)
    assert ran == [queued.key]
    assert ImportJob.objects.get(pk=stale.pk).state == ImportJobState.FAILED
    # A job no longer queued (a task delivered twice) is not run again.
    tasks.import_job_task.call(stale.key)
    assert ran == [queued.key]
