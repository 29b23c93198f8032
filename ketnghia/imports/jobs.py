"""Web uploads as `ImportJob`s: stored, checked or imported in the memory-capped worker.

`job_create` stores the upload under its spec's directory with a key of its own;
`job_run` runs the spec on it in the worker process (`imports.worker`: no file can take the
web server down) and records the outcome on the job — the report (the preview), a
refusal waiting for a confirmation, or the problems and their error workbook. `job_confirm`
imports a checked job's file for real. The same outcome, as plain data, is returned to the
page that asked: `{"report": …}`, or `{"errors": […], "error_count": n}` (with the report
and `needs_confirmation` when only a confirmation is missing).

A large file is run in the background instead (`job_enqueue`: the task `imports.tasks`
runs `job_run` in the task worker, the page polls the job). A running job names the process
running it (`worker_process.process_mark`); `jobs_sweep` — run before every background job,
and by `ketnghia imports sweep` — fails a job whose process is gone or that started longer
ago than `KETNGHIA_IMPORT_JOB_STALE_SECONDS` (the worker's time limit and five minutes), with
a Vietnamese message its page shows: nobody would ever finish it.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.core.errors import KetnghiaError, Location, Problem
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.imports.files import check_size, file_sha256
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.imports.spec import ImportSpec, spec_load, spec_path
from ketnghia.imports.worker import WorkerDied, worker_killed_message, worker_run, worker_timeout
from ketnghia.imports.worker_process import process_gone, process_mark

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

# A checked upload never confirmed is removed this long after it was uploaded.
PENDING_SECONDS = 24 * 3600
# Progress is written at most this often (seconds): a progress bar needs no more.
PROGRESS_EVERY = 0.5


def job_create(
    *,
    spec: ImportSpec[Any, Any, Any, Any],
    uploaded_file: UploadedFile,
    scope: dict[str, Any],
    actor: Actor,
    directory: str = "imports/uploads",
    dry_run: bool = True,
    companion: UploadedFile | None = None,
) -> ImportJob:
    """Store `uploaded_file` (and a `companion` file, if any) as a job of `spec` for `actor`
    inside `scope`; return it."""
    name = PurePath(uploaded_file.name or "upload").name[:200]
    check_size(size=uploaded_file.size or 0, file_name=name)
    jobs_forget_stale(directory)
    key = uuid.uuid4().hex
    job = ImportJob(
        key=key,
        spec=spec_path(spec),
        scope=scope,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=name,
        dry_run=dry_run,
    )
    job.file.save(f"{directory}/{key}{PurePath(name).suffix.lower()}", uploaded_file, save=False)
    job.sha256 = file_sha256(job.file.path)
    if companion is not None:
        other = PurePath(companion.name or "upload").name[:200]
        check_size(size=companion.size or 0, file_name=other)
        job.companion_name = other
        job.companion.save(
            f"{directory}/{key}-2{PurePath(other).suffix.lower()}", companion, save=False
        )
    job.save()
    return job


def job_run(job: ImportJob, *, confirm: bool = False, dry_run: bool | None = None) -> dict:
    """Run `job` in the worker process and return its outcome (plain data)."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.RUNNING,
        started_at=timezone.now(),
        dry_run=job.dry_run if dry_run is None else dry_run,
        report={"worker": process_mark()},
    )
    try:
        outcome = worker_run("ketnghia.imports.jobs:job_worker", key=job.key, confirm=confirm)
    except WorkerDied as died:
        job.refresh_from_db()
        if job.is_finished:  # the worker recorded its outcome before it ended
            return dict(job.report)
        outcome = _fail(job, died.message)
    job.refresh_from_db()
    return outcome


def _fail(job: ImportJob, message: str) -> dict:
    outcome = {
        "errors": [Problem(message, Location(file=job.file_name)).as_dict()],
        "error_count": 1,
    }
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.FAILED, finished_at=timezone.now(), report=outcome
    )
    return outcome


class _Progress:
    """Write a job's progress at most every `PROGRESS_EVERY` seconds; inside a transaction
    on PostgreSQL on a connection of its own (a thread's), so the page sees it while the
    import's transaction is still open."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        if not connection.in_atomic_block:
            self._update(done, total)
        elif connection.vendor == "postgresql":
            # A new thread gets a new connection (Django's are per thread), in autocommit.
            thread = threading.Thread(target=self._write, args=(done, total), daemon=True)
            thread.start()
            thread.join()

    def _update(self, done: int, total: int | None) -> None:
        ImportJob.objects.filter(pk=self.job_id).update(
            rows_done=done, rows_total=max(total or 0, done) or None
        )

    def _write(self, done: int, total: int | None) -> None:
        try:
            self._update(done, total)
        finally:
            connections.close_all()


def job_worker(*, key: str, confirm: bool = False) -> dict:
    """Run the spec of a job here, in this process (the worker); record and return the
    outcome."""
    job = ImportJob.objects.select_related("created_by").get(key=key)
    # The process that imports names itself on the job, so a page can tell when it died.
    ImportJob.objects.filter(pk=job.pk, state=ImportJobState.RUNNING).update(
        report={"worker": process_mark()}
    )
    spec = spec_load(job.spec)
    path = Path(job.file.path)
    progress = _Progress(job.pk)
    state = ImportJobState.DONE
    try:
        report = spec.execute(
            path,
            actor=job.created_by,
            scope=job.scope,
            file_name=job.file_name,
            dry_run=job.dry_run,
            confirm=confirm,
            progress=progress,
            companion=(Path(job.companion.path), job.companion_name) if job.companion else None,
        )
        outcome: dict[str, Any] = {"report": report.as_dict()}
    except ConfirmationNeeded as error:
        state = ImportJobState.CONFIRM
        outcome = {
            "report": error.report.as_dict(),
            "errors": [problem.as_dict() for problem in error.problems],
            "error_count": len(error.problems),
            "needs_confirmation": True,
        }
    except KetnghiaError as error:
        state = ImportJobState.FAILED
        outcome = {
            "errors": [problem.as_dict() for problem in error.problems],
            "error_count": error.count,
        }
        _store_error_workbook(job, spec, path, error.problems)
    except BaseException:
        # A bug, not bad input: the job says so, and the worker logs the traceback.
        _fail(job, _("The import stopped on an internal error; the file was not imported."))
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        finished_at=timezone.now(),
        report=outcome,
        rows_done=(outcome.get("report") or {}).get("rows", 0),
        rows_total=(outcome.get("report") or {}).get("rows"),
    )
    return outcome


def _store_error_workbook(
    job: ImportJob, spec: ImportSpec[Any, Any, Any, Any], path: Path, problems: list[Problem]
) -> None:
    """Keep the refused file's error workbook on the job (the upload itself may go)."""
    content = spec.error_workbook(path, file_name=job.file_name, problems=problems)
    job.errors.save(f"imports/errors/{job.key}.xlsx", ContentFile(content), save=False)
    ImportJob.objects.filter(pk=job.pk).update(errors=job.errors.name)


def job_file_intact(job: ImportJob) -> bool:
    """Return whether the job's stored file is still the one uploaded (not gone, not changed)."""
    try:
        return bool(job.file) and file_sha256(job.file.path) == job.sha256
    except FileNotFoundError:
        return False


def job_forget_file(job: ImportJob) -> None:
    """Delete the job's uploaded files (imported, refused, or nothing to import)."""
    if job.file:
        job.file.delete(save=False)
    if job.companion:
        job.companion.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="", companion="")


def jobs_forget_stale(directory: str) -> None:
    """Delete the uploads under `directory` nobody confirmed within `PENDING_SECONDS`."""
    folder = Path(settings.MEDIA_ROOT) / directory
    if not folder.is_dir():
        return
    limit = time.time() - PENDING_SECONDS
    for stale in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if stale.is_file() and stale.stat().st_mtime < limit:
                stale.unlink()


def job_enqueue(job: ImportJob, *, confirm: bool = False) -> None:
    """Run `job` in the background (the task worker) once the current transaction commits."""
    from ketnghia.imports.tasks import import_job_task

    transaction.on_commit(lambda: import_job_task.enqueue(job.key, confirm))


def job_again(job: ImportJob, *, actor: Actor) -> ImportJob:
    """Return a new job importing the same stored file for real (a confirmation after the
    preview, run in the background)."""
    return ImportJob.objects.create(
        key=uuid.uuid4().hex,
        spec=job.spec,
        scope=job.scope,
        created_by=actor if getattr(actor, "pk", None) else None,
        file=job.file.name,
        file_name=job.file_name,
        sha256=job.sha256,
        companion=job.companion.name,
        companion_name=job.companion_name,
        dry_run=False,
    )


def job_stale_seconds() -> int:
    """Return how long a job may run before a sweep takes it for dead."""
    default = worker_timeout() + 300
    return int(getattr(settings, "KETNGHIA_IMPORT_JOB_STALE_SECONDS", default))


def job_check(job: ImportJob) -> ImportJob:
    """Return `job`, marked failed if the process running it is gone or it ran far too long.

    A worker process that died is caught by `job_run`, which started it; this catches that
    process dying too (a restart, a killed task worker, SIGKILL), so no page polls forever.
    The import's transaction died with its process: nothing was written.
    """
    if job.state != ImportJobState.RUNNING:
        return job
    limit = timezone.now() - timedelta(seconds=job_stale_seconds())
    worker = job.report.get("worker") if isinstance(job.report, dict) else None
    if (job.started_at and job.started_at < limit) or process_gone(worker):
        _fail(job, worker_killed_message())
        job.refresh_from_db()
    return job


def jobs_sweep() -> int:
    """Mark failed every running job whose process is gone or that ran too long; return
    how many."""
    failed = 0
    running = ImportJob.objects.filter(state=ImportJobState.RUNNING)
    for job in running.only("pk", "file_name", "state", "started_at", "report"):
        if job_check(job).state != ImportJobState.RUNNING:
            failed += 1
    return failed
