"""Assignments files uploaded on a commune's page: `ImportJob`s of the assignments spec.

An upload (the assignments file and, if given, a people file) is stored as a job
(`imports.jobs`) under `MEDIA_ROOT/twinning/assignment-imports/`, checked at once in the
memory-capped worker every upload uses (a dry run: the change preview or the problems, the
refused file's error workbook kept on the job: `jobs.job_run`); the confirm button imports
the same stored file for real, for the same user and commune only, and removes it. Uploads never confirmed
are removed after a day, on the next upload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.geo.models import Unit
from ketnghia.imports.jobs import job_create, job_file_intact
from ketnghia.imports.models import ImportJob
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.spec import spec_path
from ketnghia.twinning.assignment_import.spec import ASSIGNMENTS

DIRECTORY = "twinning/assignment-imports"


def _check_type(name: str) -> None:
    if Path(name).suffix.lower() not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise InvalidInput(
            Problem(
                _("This file type is not supported; save it as .xlsx or .csv (UTF-8)."),
                Location(file=name),
            )
        )


def upload_store(
    *, uploaded: UploadedFile, people: UploadedFile | None, commune: Unit, user: Any
) -> ImportJob:
    """Store an upload for `user` and `commune` as a job; refuse a file too large or of
    another type."""
    _check_type(Path(uploaded.name or "phan-cong.xlsx").name)
    if people is not None:
        _check_type(Path(people.name or "nguoi.csv").name)
    return job_create(
        spec=ASSIGNMENTS,
        uploaded_file=uploaded,
        companion=people,
        scope={"commune": commune.code},
        actor=user,
        directory=DIRECTORY,
    )


def upload_get(*, key: str, user: Any, commune: Unit) -> ImportJob | None:
    """Return the stored upload `key` of `user` for `commune`; None for anything else."""
    job = ImportJob.objects.filter(
        key=key, created_by=user, spec=spec_path(ASSIGNMENTS), scope__commune=commune.code
    ).first()
    if job is None or not job_file_intact(job):
        return None
    return job


def upload_errors_workbook(upload: ImportJob, errors: list[dict[str, Any]]) -> bytes:
    """Return the error workbook of a refused upload (kept on the job, else made now)."""
    if upload.errors:
        with upload.errors.open("rb") as handle:
            return handle.read()
    problems = [Problem.from_dict(item) for item in errors]
    return ASSIGNMENTS.error_workbook(
        Path(upload.file.path), file_name=upload.file_name, problems=problems
    )
