"""Census files uploaded through the web: `ImportJob`s of the census spec, run in the background.

`census_import_enqueue` stores the upload as a job of the one job model (`imports.jobs`) for
the round and queues it (`job_enqueue`: the task worker runs it in the memory-capped import
worker, progress and outcome on the job, dead workers swept). The round's page polls the
job for its progress bar and shows the preview, the problems or the confirm button.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import census_import_error_workbook
from ketnghia.census.importing.pipeline import CENSUS, refuse_frozen
from ketnghia.census.models import CensusRound
from ketnghia.core.errors import Problem
from ketnghia.core.personal_data import Disclosure
from ketnghia.imports.jobs import job_again, job_create, job_enqueue
from ketnghia.imports.models import ImportJob

DIRECTORY = "census/imports"


def census_import_enqueue(
    *,
    census_round: CensusRound,
    uploaded_file: UploadedFile,
    dry_run: bool,
    actor: Actor,
    confirm: bool = False,
) -> ImportJob:
    """Store an uploaded census file as a job and queue its import; return the job.

    Refused at once, with nothing stored: a file above KETNGHIA_IMPORT_MAX_BYTES and a round
    that is approved. Everything else about the file is checked by the import itself and
    lands in the job's report.
    """
    refuse_frozen(census_round, Path(uploaded_file.name or "census").name)
    with transaction.atomic():
        job = job_create(
            spec=CENSUS,
            uploaded_file=uploaded_file,
            scope={"round": census_round.pk},
            actor=actor,
            directory=DIRECTORY,
            dry_run=dry_run,
        )
        job_enqueue(job, confirm=confirm)
    return job


def census_import_confirm(*, job: ImportJob, census_round: CensusRound, actor: Actor) -> ImportJob:
    """Import the file of a checked or refused job again, for real and confirmed; return the
    new job (the confirm button after the change preview)."""
    refuse_frozen(census_round, job.file_name)
    with transaction.atomic():
        again = job_again(job, actor=actor)
        job_enqueue(again, confirm=True)
    return again


def census_import_job_errors_workbook(
    *, job: ImportJob, census_round: CensusRound, disclosure: Disclosure
) -> bytes:
    """Return the error workbook of a failed job (its problems and the faulty rows).

    Personal IDs in it pass `disclosure`, opened for the user who downloads it. An upload
    removed since (a day after it was checked) gives the workbook kept on the job.
    """
    problems = [Problem.from_dict(item) for item in job.report.get("errors", [])]
    if not job.file or not job.file.storage.exists(job.file.name):
        with job.errors.open("rb") as handle:
            return handle.read()
    return census_import_error_workbook(
        census_round=census_round,
        path=job.file.path,
        file_name=job.file_name,
        problems=problems,
        disclosure=disclosure,
    )
