"""Census files uploaded through the web, imported in the background (django-tasks).

`census_import_enqueue` stores the upload as a `CensusImportJob` and queues
`census_import_run` once the upload is committed. The worker (`ketnghia db_worker`, from
django-tasks-db) runs the import and keeps the job's progress and report up to date; the
round's page polls the job for its progress bar and shows the report or the problems. With
the immediate backend (tests, and `make run` unless KETNGHIA_TASK_WORKER=1) the import runs
at once, inside the upload's request.

Progress during the import is written on a second connection, so the page sees it while the
import's own transaction is still open. SQLite allows one writer at a time, so there the job
only moves from queued to running to done.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ketnghia.accounts.models import Actor
from ketnghia.census import workflow
from ketnghia.census.importing import (
    ConfirmationNeeded,
    census_import,
    census_import_check_size,
    census_import_error_workbook,
)
from ketnghia.census.models import CensusImportJob, CensusRound, ImportJobState
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.personal_data import Disclosure
from ketnghia.imports.worker import WorkerDied, worker_killed_message, worker_run, worker_timeout
from ketnghia.imports.worker_process import process_gone, process_mark

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds): a progress bar needs no more.
PROGRESS_EVERY = 0.5


def census_import_enqueue(
    *,
    census_round: CensusRound,
    uploaded_file: UploadedFile,
    dry_run: bool,
    actor: Actor,
    confirm: bool = False,
) -> CensusImportJob:
    """Store an uploaded census file as a job and queue its import; return the job.

    Refused at once, with nothing stored: a file above KETNGHIA_IMPORT_MAX_BYTES and a round
    that is approved. Everything else about the file is checked by the import itself and
    lands in the job's report.
    """
    name = Path(uploaded_file.name or "census").name
    census_import_check_size(size=uploaded_file.size or 0, file_name=name)
    if workflow.is_frozen(census_round.state):
        raise InvalidInput(
            Problem(
                _("Round %(round)s is approved and can no longer change; start a revision instead.")
                % {"round": census_round},
                Location(file=name),
            )
        )
    with transaction.atomic():
        job = CensusImportJob(
            round=census_round,
            created_by=actor if getattr(actor, "pk", None) else None,
            file_name=name[:255],
            dry_run=dry_run,
        )
        job.file.save(name, uploaded_file, save=False)
        job.save()
        transaction.on_commit(lambda: census_import_run.enqueue(job.pk, confirm))
    return job


def census_import_confirm(*, job: CensusImportJob, actor: Actor) -> CensusImportJob:
    """Import the file of a checked or refused job again, for real and confirmed; return the
    new job (the confirm button after the change preview)."""
    if workflow.is_frozen(job.round.state):
        raise InvalidInput(
            Problem(
                _("Round %(round)s is approved and can no longer change; start a revision instead.")
                % {"round": job.round},
                Location(file=job.file_name),
            )
        )
    with transaction.atomic():
        again = CensusImportJob.objects.create(
            round=job.round,
            created_by=actor if getattr(actor, "pk", None) else None,
            file=job.file.name,
            file_name=job.file_name,
            dry_run=False,
        )
        transaction.on_commit(lambda: census_import_run.enqueue(again.pk, True))
    return again


@task()
def census_import_run(job_id: int, confirm: bool = False) -> None:
    """Run the import of a queued job, recording its progress and its report.

    With KETNGHIA_IMPORT_WORKER_PROCESS on (the default outside tests) the import runs in a
    child process under a memory limit (KETNGHIA_IMPORT_WORKER_MEMORY_MB), so a file that
    would exhaust memory kills that child only: the web server and the task worker go on,
    and the job is marked failed with a message saying so. `confirm` is the officer's
    confirmation after the change preview.
    """
    job = (
        CensusImportJob.objects.select_related("round", "round__commune", "created_by")
        .filter(pk=job_id, state=ImportJobState.QUEUED)
        .first()
    )
    if job is None:
        return  # already run (a task may be delivered twice) or deleted
    census_import_jobs_sweep()
    CensusImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.RUNNING, started_at=timezone.now(), report={"worker": process_mark()}
    )
    try:
        worker_run(
            "ketnghia.census.tasks:census_import_job_execute", job_id=job.pk, confirm=confirm
        )
    except WorkerDied as died:
        # The worker ended without recording an outcome: the job says why.
        job.refresh_from_db()
        if not job.is_finished:
            _fail(job.pk, job.file_name, died.message)


def census_import_job_execute(job_id: int, *, confirm: bool = False) -> None:
    """Import the file of a running job here, in this process, and record the outcome."""
    job = CensusImportJob.objects.select_related("round", "round__commune", "created_by").get(
        pk=job_id
    )
    # The process that imports names itself on the job, so a page can tell when it died.
    CensusImportJob.objects.filter(pk=job.pk, state=ImportJobState.RUNNING).update(
        report={"worker": process_mark()}
    )
    progress = _ProgressWriter(job.pk)
    try:
        with _local_copy(job) as path:
            report = census_import(
                census_round=job.round,
                path=path,
                file_name=job.file_name,
                dry_run=job.dry_run,
                actor=job.created_by,
                progress=progress,
                confirm=confirm,
            )
    except ConfirmationNeeded as error:
        # Not a failure: the file waits for the officer's confirmation, the page shows the
        # preview, why it needs one, and the confirm button.
        CensusImportJob.objects.filter(pk=job.pk).update(
            state=ImportJobState.CONFIRM,
            finished_at=timezone.now(),
            report=error.report.as_dict(),
        )
        return
    except KetnghiaError as error:
        CensusImportJob.objects.filter(pk=job.pk).update(
            state=ImportJobState.FAILED,
            finished_at=timezone.now(),
            report={
                "errors": [problem.as_dict() for problem in error.problems],
                # Every problem found, also those the list leaves out.
                "error_count": error.count,
            },
        )
        return
    except BaseException:
        # A bug, not bad input: the job says so, and the worker logs the traceback.
        _fail(
            job.pk,
            job.file_name,
            _("The import stopped on an internal error; the file was not imported."),
        )
        raise
    CensusImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.DONE,
        finished_at=timezone.now(),
        rows_done=report.rows,
        rows_total=report.rows,
        report=report.as_dict(),
        batch_id=report.batch_id,
    )


def _fail(job_id: int, file_name: str, message: str) -> None:
    CensusImportJob.objects.filter(pk=job_id).update(
        state=ImportJobState.FAILED,
        finished_at=timezone.now(),
        report={
            "errors": [Problem(message, Location(file=file_name)).as_dict()],
            "error_count": 1,
        },
    )


def _stale(job: CensusImportJob, limit: Any) -> bool:
    if job.state != ImportJobState.RUNNING:
        return False
    if job.started_at and job.started_at < limit:
        return True
    return process_gone(job.report.get("worker") if isinstance(job.report, dict) else None)


def census_import_job_check(*, job: CensusImportJob) -> CensusImportJob:
    """Return `job`, marked failed if the process running it is gone or it ran far too long.

    A worker process that died is caught by the task that started it; this catches the
    task's own process dying too (a restart, a killed `db_worker`, SIGKILL), so no page
    polls forever. The import's transaction died with its process: nothing was written.
    """
    limit = timezone.now() - timedelta(seconds=worker_timeout() + 300)
    if _stale(job, limit):
        _fail(job.pk, job.file_name, worker_killed_message())
        job.refresh_from_db()
    return job


def census_import_jobs_sweep() -> int:
    """Mark failed every running job whose process is gone; return how many."""
    running = CensusImportJob.objects.filter(state=ImportJobState.RUNNING)
    failed = 0
    for job in running.only("pk", "file_name", "state", "started_at", "report"):
        before = job.state
        if census_import_job_check(job=job).state != before:
            failed += 1
    return failed


def census_import_job_errors_workbook(*, job: CensusImportJob, disclosure: Disclosure) -> bytes:
    """Return the error workbook of a failed job (its problems and the faulty rows).

    Personal IDs in it pass `disclosure`, opened for the user who downloads it.
    """
    problems = [
        Problem(
            item.get("message", ""),
            Location(
                file=item.get("file") or "",
                sheet=item.get("sheet") or "",
                row=item.get("row"),
                column=item.get("column") or "",
                field=item.get("field") or "",
            ),
        )
        for item in job.report.get("errors", [])
    ]
    with _local_copy(job) as path:
        return census_import_error_workbook(
            census_round=job.round,
            path=path,
            file_name=job.file_name,
            problems=problems,
            disclosure=disclosure,
        )


@contextmanager
def _local_copy(job: CensusImportJob) -> Iterator[Path]:
    """Yield a local path of the job's file (a temporary copy where storage is remote)."""
    try:
        local: Path | None = Path(job.file.path)
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    suffix = Path(job.file_name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle, job.file.open("rb") as source:
        shutil.copyfileobj(source, handle)
        handle.flush()
        yield Path(handle.name)


class _ProgressWriter:
    """Write a job's progress on a connection of its own, outside the import's transaction."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.enabled = connection.vendor == "postgresql"

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        # A new thread gets a new connection (Django's are per thread), in autocommit.
        thread = threading.Thread(target=self._write, args=(done, total), daemon=True)
        thread.start()
        thread.join()

    def _write(self, done: int, total: int | None) -> None:
        try:
            CensusImportJob.objects.filter(pk=self.job_id).update(
                rows_done=done, rows_total=max(total or 0, done) or None
            )
        finally:
            connections.close_all()
