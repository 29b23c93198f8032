"""The background task of an import job (django-tasks): `ketnghia db_worker` runs it.

With the immediate backend (tests, and `make run` unless KETNGHIA_TASK_WORKER=1) it runs at
once, inside the upload's request.
"""

from __future__ import annotations

from django_tasks import task

from ketnghia.imports.jobs import job_run, jobs_sweep
from ketnghia.imports.models import ImportJob, ImportJobState


@task()
def import_job_task(key: str, confirm: bool = False) -> None:
    """Run a queued job in the memory-capped worker, recording its progress and outcome;
    first fail the jobs a dead worker left running (`jobs_sweep`)."""
    job = ImportJob.objects.filter(key=key, state=ImportJobState.QUEUED).first()
    if job is None:
        return  # already run (a task may be delivered twice) or deleted
    jobs_sweep()
    job_run(job, confirm=confirm)
