"""What every import checks of a file before reading a row: its size, and its digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_decimal

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_size(*, size: int, file_name: str) -> None:
    """Refuse a file larger than KETNGHIA_IMPORT_MAX_BYTES, before anything reads it."""
    limit = max_bytes()
    if size > limit:
        raise InvalidInput(
            Problem(
                _(
                    "The file is %(size)s MB, more than the %(limit)s MB an import accepts; "
                    "split it by village or save it as .csv."
                )
                % {
                    "size": format_decimal(size / 1_048_576, 1),
                    "limit": format_decimal(limit / 1_048_576, 0),
                },
                Location(file=file_name),
            )
        )


def check_file(path: Path, file_name: str) -> None:
    """Refuse a file that is not there or is too large, before anything reads it."""
    if not path.is_file():
        raise InvalidInput(Problem(_("File not found."), Location(file=file_name)))
    check_size(size=path.stat().st_size, file_name=file_name)


def file_sha256(path: Path | str) -> str:
    """Return the SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
