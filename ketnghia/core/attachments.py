"""Attachments: uploaded files checked by what they contain, stored under a generated name,
downloaded only through the gate.

`attachment_store(uploaded_file=, actor=, unit_path=, purpose=)` refuses (InvalidInput, the
file named in Vietnamese) a file over `KETNGHIA_ATTACHMENT_MAX_BYTES` or one whose content is
not a PDF, JPEG, PNG, DOCX, XLSX or ODT — judged by its first bytes and, for the zip-based
formats, by the zip's own declaration (`[Content_Types].xml`, or ODF's `mimetype` entry) —
or whose name says another type than its content. Nothing is written when it refuses.
A file the server cannot store (disk full, media folder read-only) is refused the same way,
with what was written of it removed and no row saved.
`attachment_get_for(scope=, key=)` returns one only inside the scope (NotFound otherwise),
and `attachment_response` serves it as a download (`Content-Disposition: attachment`,
`X-Content-Type-Options: nosniff`), never inline.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.core.gate import UnitScope
from ketnghia.core.models import Attachment
from ketnghia.core.text import format_number
from ketnghia.imports.readers.archive import check_archive_file

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# How much of a zip's declaration we read: a real [Content_Types].xml is a few kilobytes.
_DECLARATION_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "PDF", (".pdf",))
JPEG = FileType("image/jpeg", "JPEG", (".jpg", ".jpeg"))
PNG = FileType("image/png", "PNG", (".png",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX", (".docx",)
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", (".xlsx",)
)
ODT = FileType("application/vnd.oasis.opendocument.text", "ODT", (".odt",))
ALLOWED_TYPES = (PDF, JPEG, PNG, DOCX, XLSX, ODT)

# The main part each Office Open XML type declares in its [Content_Types].xml.
_OOXML_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def max_bytes() -> int:
    """Return the largest attachment accepted, in bytes (setting, read at call time)."""
    return int(getattr(settings, "KETNGHIA_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError)


def _entry_start(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """Return at most `limit` bytes of entry `name` (None if absent), whatever its header says."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    # Read only up to the bound: a zip bomb's entry is never inflated past it.
    with archive.open(info) as entry:
        return entry.read(limit)


def _zip_type(handle: Any) -> FileType | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            mimetype = _entry_start(archive, "mimetype", 100)
            if mimetype is not None:
                return ODT if mimetype.strip() == ODT.content_type.encode() else None
            declaration = _entry_start(archive, "[Content_Types].xml", _DECLARATION_MAX_BYTES)
    except _ZIP_ERRORS:
        return None
    if declaration is None:
        return None
    text = declaration.decode("utf-8", "replace")
    for kind, main in _OOXML_MAIN.items():
        if f'ContentType="{main}"' in text:
            return kind
    return None


def sniff(handle: Any) -> FileType | None:
    """Return the allowed type `handle`'s content is, judged by the content alone, or None."""
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        found = _zip_type(handle)
        handle.seek(0)
        return found
    return None


def _refuse(message: str, name: str, field: str) -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=name, field=field)))


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return format_number(megabytes, decimals=0 if megabytes == int(megabytes) else 1)


def _allowed_labels() -> str:
    return ", ".join(kind.label for kind in ALLOWED_TYPES)


def attachment_check(*, uploaded_file: UploadedFile, field: str = "") -> FileType:
    """Return the type of `uploaded_file`; raise InvalidInput naming it when it is refused.

    `field` is the form field the problem is shown beside.
    """
    name = PurePath(uploaded_file.name or "").name
    limit = max_bytes()
    if uploaded_file.size is None or uploaded_file.size > limit:
        raise _refuse(
            _("The file “%(name)s” is larger than the %(limit)s MB allowed.")
            % {"name": name, "limit": _megabytes(limit)},
            name,
            field,
        )
    if uploaded_file.size == 0:
        raise _refuse(_("The file “%(name)s” is empty.") % {"name": name}, name, field)
    found = sniff(uploaded_file)
    if found is None:
        raise _refuse(
            _("The file “%(name)s” is not a %(types)s file (judged by its content).")
            % {"name": name, "types": _allowed_labels()},
            name,
            field,
        )
    if found in (DOCX, XLSX, ODT):
        # Refused before anyone's spreadsheet or word processor opens it: a zip bomb.
        try:
            check_archive_file(uploaded_file, uploaded_file.size, name)
        except InvalidInput as error:
            raise _refuse(str(error.problems[0].message), name, field) from None
        finally:
            uploaded_file.seek(0)
    if PurePath(name).suffix.lower() not in found.extensions:
        raise _refuse(
            _(
                "The file “%(name)s” holds a %(type)s document but its name says otherwise: "
                "name it %(extension)s."
            )
            % {"name": name, "type": found.label, "extension": found.extensions[0]},
            name,
            field,
        )
    return found


@transaction.atomic
def attachment_store(
    *, uploaded_file: UploadedFile, actor: Actor, unit_path: str, purpose: str, field: str = ""
) -> Attachment:
    """Check `uploaded_file` and store it for the unit at `unit_path`; return the attachment.

    Raises InvalidInput (the file named, shown beside `field`) before anything is written.
    """
    kind = attachment_check(uploaded_file=uploaded_file, field=field)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    original = PurePath(uploaded_file.name or "").name[:255]
    attachment = Attachment(
        original_name=original,
        content_type=kind.content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        purpose=purpose,
        unit_path=unit_path,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    wanted = attachment.stored.field.generate_filename(
        attachment, f"{uuid.uuid4().hex}{kind.extensions[0]}"
    )
    storage = attachment.stored.storage
    try:
        attachment.stored.name = storage.save(
            wanted, uploaded_file, max_length=attachment.stored.field.max_length
        )
        attachment.save()
    except OSError as error:
        # A full disk or a read-only media folder: what was written of the file goes, and
        # the row is never saved (the transaction rolls back), so nothing is left behind.
        _remove_quietly(storage, attachment.stored.name or wanted)
        raise _storage_refusal(error, original, field) from None
    except BaseException:
        _remove_quietly(storage, attachment.stored.name or wanted)
        raise
    return attachment


def _remove_quietly(storage: Any, name: str) -> None:
    """Delete a stored file if it is there; a folder that refuses even that is left as is."""
    with contextlib.suppress(OSError):
        storage.delete(name)


def _storage_refusal(error: OSError, name: str, field: str) -> InvalidInput:
    if error.errno in {errno.ENOSPC, errno.EDQUOT}:
        message = _(
            "The file “%(name)s” could not be saved: the server's disk is full. Nothing was "
            "saved; tell the system administrator, then send the file again."
        )
    else:
        message = _(
            "The file “%(name)s” could not be saved: the server cannot write to its files "
            "folder. Nothing was saved; tell the system administrator, then send the file again."
        )
    logger.error("attachment %s not stored: %s", name, error)
    return _refuse(message % {"name": name}, name, field)


def attachment_get_for(*, scope: UnitScope, key: Any) -> Attachment:
    """Return the attachment `key` if it lies inside `scope`; NotFound for missing and forbidden."""
    try:
        return scope.filter(Attachment.objects.all(), "unit_path").get(key=key)
    except (Attachment.DoesNotExist, ValueError):
        raise NotFound(_("Attachment not found.")) from None


def attachment_url(attachment: Attachment | None) -> str:
    """Return the gated download address of `attachment` ("" when there is none)."""
    if attachment is None:
        return ""
    return reverse("core:attachment_download", kwargs={"key": attachment.key})


def attachment_response(attachment: Attachment) -> FileResponse:
    """Return `attachment` as a download that no browser renders or sniffs."""
    response = FileResponse(
        attachment.stored.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
