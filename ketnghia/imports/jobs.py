"""Web uploads as `ImportJob`s: stored, checked or imported in the memory-capped worker.

`job_create` stores the upload under its spec's directory with a key of its own;
`job_run` runs the spec on it in the worker process (`imports.worker`: no file can take the
web server down) and records the outcome on the job — the report (the preview), a
refusal waiting for a confirmation, or the problems and their error workbook. `job_confirm`
imports a checked job's file for real. The same outcome, as plain data, is returned to the
page that asked: `{"report": …}`, or `{"errors": […], "error_count": n}` (with the report
and `needs_confirmation` when only a confirmation is missing).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from ketnghia.core.errors import KetnghiaError, Location, Problem
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.imports.files import check_size, file_sha256
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.imports.spec import ImportSpec, spec_load, spec_path
from ketnghia.imports.worker import WorkerDied, worker_run

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

# A checked upload never confirmed is removed this long after it was uploaded.
PENDING_SECONDS = 24 * 3600


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
    )
    try:
        outcome = worker_run("ketnghia.imports.jobs:job_worker", key=job.key, confirm=confirm)
    except WorkerDied as died:
        outcome = {
            "errors": [Problem(died.message, Location(file=job.file_name)).as_dict()],
            "error_count": 1,
        }
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJobState.FAILED, finished_at=timezone.now(), report=outcome
        )
    job.refresh_from_db()
    return outcome


def job_worker(*, key: str, confirm: bool = False) -> dict:
    """Run the spec of a job here, in this process (the worker); record and return the
    outcome."""
    job = ImportJob.objects.select_related("created_by").get(key=key)
    spec = spec_load(job.spec)
    path = Path(job.file.path)

    def progress(done: int, total: int | None) -> None:
        # The rows read so far (a page polls them); total once known.
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

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
