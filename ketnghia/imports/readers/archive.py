"""Zip-based files (.xlsx, .xlsm, .ods) checked for what they really inflate to, before any
library opens them.

A 4 MB workbook can hold a `sharedStrings.xml` of 3.5 GB (a "zip bomb": one byte repeated
compresses about a thousand times). calamine reads the shared strings whole the moment it
opens the workbook, so the process dies before any later check can run — and from the web
it was the server's process. `check_archive` walks every part of the zip first, inflating
it in blocks (bounded memory) and counting the bytes that really come out: the sizes the zip
declares are used to refuse early, never trusted to bound the work. It stops at the limit:

- the whole archive may inflate to `KETNGHIA_IMPORT_MAX_BYTES` × `INFLATED_PER_FILE_BYTE`
  (4 GB at the default 200 MB) and to at most `KETNGHIA_IMPORT_MAX_INFLATE_RATIO` (100) times
  its own size, whichever is smaller (never below `INFLATED_FLOOR`, so a small file is never
  refused for compressing well);
- a part read whole (anything but a worksheet, which calamine streams under the cells limit
  of `extent`) may inflate to `KETNGHIA_IMPORT_MAX_BYTES` × `WHOLE_PART_PER_FILE_BYTE`
  (1 GB at the default).

A file passed once is remembered by path, size and modification time, so the readers that
open it again (one sheet at a time) do not inflate it again.
"""

from __future__ import annotations

import re
import struct
import threading
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import format_number

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_INFLATE_RATIO = 100
INFLATED_PER_FILE_BYTE = 20
WHOLE_PART_PER_FILE_BYTE = 5
INFLATED_FLOOR = 64 << 20
BLOCK = 1 << 20

# Parts calamine (and `extent`) stream rather than read whole.
_STREAMED_PART = re.compile(r"(?i)(^|/)worksheets/[^/]+\.xml$")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"

_passed: dict[tuple[str, int, int], None] = {}
_passed_lock = threading.Lock()
_REMEMBERED = 64


def _max_bytes() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def inflated_limits(compressed: int) -> tuple[int, int]:
    """Return (the archive's total, one whole-read part's) inflated limits, in bytes."""
    base = _max_bytes()
    ratio = int(getattr(settings, "KETNGHIA_IMPORT_MAX_INFLATE_RATIO", DEFAULT_INFLATE_RATIO))
    total = max(INFLATED_FLOOR, min(base * INFLATED_PER_FILE_BYTE, compressed * ratio))
    whole = max(INFLATED_FLOOR, base * WHOLE_PART_PER_FILE_BYTE)
    return total, min(whole, total)


class _TooLarge(Exception):
    def __init__(self, part: str, size: int, limit: int) -> None:
        super().__init__(part)
        self.part, self.size, self.limit = part, size, limit


def _megabytes(size: int) -> str:
    return format_number(max(1, round(size / 1_048_576)))


def _refusal(name: str, error: _TooLarge) -> InvalidInput:
    return InvalidInput(
        Problem(
            _(
                "The file unpacks to more than the %(limit)s MB an import reads (its part "
                "%(part)s alone to %(size)s MB or more): it is not a spreadsheet an import "
                "can use. Open it in Excel, delete what is not your data and save it again, "
                "or split it."
            )
            % {
                "limit": _megabytes(error.limit),
                "part": error.part,
                "size": _megabytes(error.size),
            },
            Location(file=name),
        )
    )


def _unreadable(name: str) -> InvalidInput:
    return InvalidInput(
        Problem(
            _(
                "This file is not a readable Excel workbook (.xlsx): it is damaged or of another type."
            ),
            Location(file=name),
        )
    )


def check_archive(path: str | Path, name: str) -> None:
    """Refuse (InvalidInput naming `name`) a zip that inflates beyond the import's limits.

    Every part is inflated in blocks and its real bytes counted; nothing is kept.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _passed_lock:
        if key in _passed:
            return
    with path.open("rb") as handle:
        check_archive_file(handle, stat.st_size, name)
    with _passed_lock:
        if len(_passed) >= _REMEMBERED:
            _passed.clear()
        _passed[key] = None


def check_archive_file(handle: BinaryIO, size: int, name: str) -> None:
    """`check_archive` on an open file of `size` bytes (an upload still in memory)."""
    total_limit, whole_limit = inflated_limits(size)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            # Refuse at once what the zip itself declares too large.
            declared = 0
            for info in infos:
                declared += info.file_size
                if not _STREAMED_PART.search(info.filename) and info.file_size > whole_limit:
                    raise _TooLarge(info.filename, info.file_size, whole_limit)
                if declared > total_limit:
                    raise _TooLarge(info.filename, info.file_size, total_limit)
            inflated = 0
            for info in infos:
                whole = not _STREAMED_PART.search(info.filename)
                limit = min(total_limit - inflated, whole_limit if whole else total_limit)
                part = _inflated_size(archive, handle, info, limit)
                if whole and part > whole_limit:
                    raise _TooLarge(info.filename, part, whole_limit)
                inflated += part
                if inflated > total_limit:
                    raise _TooLarge(info.filename, part, total_limit)
    except _TooLarge as error:
        raise _refusal(name, error) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error):
        raise _unreadable(name) from None
    except (NotImplementedError, RuntimeError):
        return  # an encrypted or unusual part: the reader refuses it in its own words


def _inflated_size(
    archive: zipfile.ZipFile, raw: BinaryIO, info: zipfile.ZipInfo, limit: int
) -> int:
    """Return how many bytes `info` really inflates to, stopping once past `limit`."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # Not what Office or LibreOffice write; zipfile reads it, bounded by its own sizes.
        count = 0
        with archive.open(info) as stream:
            while block := stream.read(BLOCK):
                count += len(block)
                if count > limit:
                    break
        return count
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_MAGIC:
        raise zipfile.BadZipFile(info.filename)
    raw.seek(fields[10] + fields[11], 1)  # the file name and the extra field
    decompressor = zlib.decompressobj(-15)
    remaining = info.compress_size
    count = 0
    while remaining > 0 and not decompressor.eof:
        data = raw.read(min(BLOCK, remaining))
        if not data:
            break
        remaining -= len(data)
        count += len(decompressor.decompress(data, BLOCK))
        while decompressor.unconsumed_tail and count <= limit:
            count += len(decompressor.decompress(decompressor.unconsumed_tail, BLOCK))
        if count > limit:
            break
    return count
