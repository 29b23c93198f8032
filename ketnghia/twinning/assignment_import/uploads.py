"""Assignments files uploaded on a commune's page: stored, checked, then imported on confirm.

No table holds them: an upload is a file under `MEDIA_ROOT/twinning/assignment-imports/`
named by a random key, beside a small JSON note (who uploaded it, for which commune, its
name). The upload is checked at once (a dry run: the change preview or the problems); the
confirm button imports the same stored file for real, for the same user and commune only,
and removes it. Notes older than a day are removed with their files on the next upload.

The file is read in the memory-capped worker process every upload uses
(`imports.worker`), so no file can stop the web server; where the database cannot be shared
with a child (an in-memory SQLite database, tests) it is read in this process.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.gate import Action, scope_for
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.imports.files import check_size
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
from ketnghia.imports.worker import WorkerDied, worker_run
from ketnghia.twinning.assignment_import.pipeline import (
    assignments_error_workbook,
    assignments_import,
)

logger = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "twinning" / "assignment-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Upload:
    """A stored upload: its key, who and which commune it is for, its files."""

    key: str
    user_id: int
    commune: str
    file_name: str
    suffix: str
    people_name: str = ""
    people_suffix: str = ""

    @property
    def path(self) -> Path:
        return _folder() / f"{self.key}{self.suffix}"

    @property
    def people_path(self) -> Path | None:
        return _folder() / f"{self.key}-people{self.people_suffix}" if self.people_name else None


def _note(key: str) -> Path:
    return _folder() / f"{key}.json"


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise InvalidInput(
            Problem(
                _("This file type is not supported; save it as .xlsx or .csv (UTF-8)."),
                Location(file=name),
            )
        )
    return suffix


def _save(uploaded: UploadedFile, target: Path) -> None:
    with target.open("wb") as handle:
        for block in uploaded.chunks():
            handle.write(block)


def _sweep() -> None:
    limit = time.time() - KEEP_SECONDS
    for note in _folder().glob("*.json"):
        if note.stat().st_mtime < limit:
            upload_remove(note.stem)


def upload_store(
    *, uploaded: UploadedFile, people: UploadedFile | None, commune: Unit, user: Any
) -> Upload:
    """Store an upload for `user` and `commune`; refuse a file too large or of another type."""
    name = Path(uploaded.name or "phan-cong.xlsx").name
    check_size(size=uploaded.size or 0, file_name=name)
    people_name = Path(people.name or "nguoi.csv").name if people is not None else ""
    if people is not None:
        check_size(size=people.size or 0, file_name=people_name)
    _sweep()
    upload = Upload(
        key=uuid.uuid4().hex,
        user_id=user.pk,
        commune=commune.code,
        file_name=name[:200],
        suffix=_suffix(name),
        people_name=people_name[:200],
        people_suffix=_suffix(people_name) if people is not None else "",
    )
    _save(uploaded, upload.path)
    if people is not None and upload.people_path is not None:
        _save(people, upload.people_path)
    _note(upload.key).write_text(json.dumps(upload.__dict__), encoding="utf-8")
    return upload


def upload_get(*, key: str, user: Any, commune: Unit) -> Upload | None:
    """Return the stored upload `key` of `user` for `commune`; None for anything else."""
    if not (len(key) == 32 and key.isalnum() and key.isascii()):
        return None
    note = _note(key)
    if not note.is_file():
        return None
    upload = Upload(**json.loads(note.read_text(encoding="utf-8")))
    if upload.user_id != user.pk or upload.commune != commune.code or not upload.path.is_file():
        return None
    return upload


def upload_remove(key: str) -> None:
    """Remove a stored upload and its note."""
    for path in _folder().glob(f"{key}*"):
        path.unlink(missing_ok=True)


def _problems(error: KetnghiaError) -> list[dict[str, Any]]:
    return [problem.as_dict() for problem in error.problems]


def upload_execute(upload: Upload, *, dry_run: bool, confirm: bool = False) -> dict[str, Any]:
    """Import (or check) a stored upload here; return the outcome as plain data.

    {"report": …} when it went through (a dry run's preview), with "errors" and
    "error_count" when it was refused; a refusal that only wants a confirmation keeps the
    report too.
    """
    user = get_user_model().objects.filter(pk=upload.user_id).first()
    commune = Unit.objects.filter(code=upload.commune, level=UnitLevel.COMMUNE).first()
    if user is None or commune is None:
        return {"errors": [Problem(_("Upload not found.")).as_dict()], "error_count": 1}
    try:
        report = assignments_import(
            path=upload.path,
            file_name=upload.file_name,
            people_path=upload.people_path,
            people_file_name=upload.people_name or None,
            scope=scope_for(user, Action.EDIT),
            commune=commune,
            actor=user,
            dry_run=dry_run,
            confirm=confirm,
        )
    except ConfirmationNeeded as error:
        return {
            "report": error.report.as_dict(),
            "errors": _problems(error),
            "error_count": len(error.problems),
        }
    except KetnghiaError as error:
        return {"errors": _problems(error), "error_count": error.count}
    return {"report": report.as_dict()}


def upload_run(upload: Upload, *, dry_run: bool, confirm: bool = False) -> dict[str, Any]:
    """Check or import a stored upload, in the worker process when there is one."""
    try:
        result: dict[str, Any] = worker_run(
            "ketnghia.twinning.assignment_import.uploads:upload_worker",
            key=upload.key,
            dry_run=dry_run,
            confirm=confirm,
        )
    except WorkerDied as died:
        return {
            "errors": [Problem(died.message, Location(file=upload.file_name)).as_dict()],
            "error_count": 1,
        }
    return result


def upload_worker(*, key: str, dry_run: bool, confirm: bool) -> dict[str, Any]:
    """The worker's side: run the stored upload `key`; return its outcome."""
    upload = Upload(**json.loads(_note(key).read_text(encoding="utf-8")))
    return upload_execute(upload, dry_run=dry_run, confirm=confirm)


def upload_errors_workbook(upload: Upload, errors: list[dict[str, Any]]) -> bytes:
    """Return the error workbook of a refused upload."""
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
        for item in errors
    ]
    return assignments_error_workbook(
        path=upload.path, file_name=upload.file_name, problems=problems
    )
