"""Assignments files uploaded on a commune's page: stored, checked, then imported on confirm.

No table holds them: an upload is a file under `MEDIA_ROOT/twinning/assignment-imports/`
named by a random key, beside a small JSON note (who uploaded it, for which commune, its
name). The upload is checked at once (a dry run: the change preview or the problems); the
confirm button imports the same stored file for real, for the same user and commune only,
and removes it. Notes older than a day are removed with their files on the next upload.

The file is read in a child process under a memory cap, as the census uploads are
(`KETNGHIA_IMPORT_WORKER_PROCESS`, `KETNGHIA_IMPORT_WORKER_MEMORY_MB`,
`KETNGHIA_IMPORT_WORKER_TIMEOUT`; `python -m ketnghia.twinning.assignment_import.worker`), so
no file can stop the web server; where the database cannot be shared with a child (an
in-memory SQLite database, tests) it is read in this process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ketnghia.census.importing import ConfirmationNeeded, census_import_check_size
from ketnghia.census.tasks import (
    _KILLED,
    _database_url,
    _worker_killed_message,
    _worker_memory_mb,
)
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.gate import Action, scope_for
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.readers import CSV_SUFFIXES, XLSX_SUFFIXES
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
    census_import_check_size(size=uploaded.size or 0, file_name=name)
    people_name = Path(people.name or "nguoi.csv").name if people is not None else ""
    if people is not None:
        census_import_check_size(size=people.size or 0, file_name=people_name)
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


def _outcome_path(upload: Upload) -> Path:
    return _folder() / f"{upload.key}.outcome.json"


def upload_run(upload: Upload, *, dry_run: bool, confirm: bool = False) -> dict[str, Any]:
    """Check or import a stored upload, in the worker process when there is one."""
    url = _database_url()
    if not getattr(settings, "KETNGHIA_IMPORT_WORKER_PROCESS", False) or url is None:
        return upload_execute(upload, dry_run=dry_run, confirm=confirm)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ketnghia.settings"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "KETNGHIA_IMPORT_WORKER_MEMORY_MB": str(_worker_memory_mb()),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    command = [sys.executable, "-m", "ketnghia.twinning.assignment_import.worker", upload.key]
    command += ["--dry-run"] if dry_run else []
    command += ["--confirm"] if confirm else []
    outcome = _outcome_path(upload)
    outcome.unlink(missing_ok=True)
    timeout = int(getattr(settings, "KETNGHIA_IMPORT_WORKER_TIMEOUT", 3600))
    detail, code = "timeout", None
    with contextlib.suppress(subprocess.TimeoutExpired):
        finished = subprocess.run(
            command, env=env, timeout=timeout, capture_output=True, check=False
        )
        detail = finished.stderr.decode("utf-8", "replace")[-2000:]
        code = finished.returncode
    if outcome.is_file():
        result: dict[str, Any] = json.loads(outcome.read_text(encoding="utf-8"))
        outcome.unlink(missing_ok=True)
        return result
    logger.warning(
        "assignments upload %s: the worker ended with %s and gave no outcome: %s",
        upload.key,
        code,
        detail,
    )
    if code in _KILLED:
        # Its transaction died with it: nothing of the file was written.
        message = _worker_killed_message()
    else:
        message = _(
            "Reading the file needed more memory or time than an import may use, so it was "
            "stopped; the file was not imported. Delete the empty rows and columns beyond "
            "your data."
        )
    return {
        "errors": [Problem(message, Location(file=upload.file_name)).as_dict()],
        "error_count": 1,
    }


def upload_worker(key: str, *, dry_run: bool, confirm: bool) -> None:
    """The worker's side: run the stored upload `key` and write its outcome beside it."""
    note = _note(key)
    upload = Upload(**json.loads(note.read_text(encoding="utf-8")))
    result = upload_execute(upload, dry_run=dry_run, confirm=confirm)
    _outcome_path(upload).write_text(json.dumps(result, default=str), encoding="utf-8")


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
