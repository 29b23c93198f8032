"""CSV (and .txt) files: their encoding (UTF-8, else Vietnamese Windows), their delimiter,
and their records with the line each starts on.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.imports.readers.header import HEADER_SEARCH_ROWS

# An OLE compound file: an old .xls, or a password-protected .xlsx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_SUFFIXES = frozenset({".csv", ".txt"})


READ_BLOCK = 1 << 20


# Legacy encodings tried, in order, when a CSV is not UTF-8: Vietnamese Windows first.
_FALLBACK_ENCODINGS = ("cp1258", "cp1252")


def csv_encoding(path: Path, name: str) -> str:
    """Return the CSV's encoding: UTF-8 (with or without BOM), else a Windows code page.

    The whole file is scanned in chunks, so the choice holds for its last line too while
    memory stays bounded.
    """
    with path.open("rb") as handle:
        head = handle.read(READ_BLOCK)
        if head.startswith(OLE_MAGIC) or head.startswith(b"PK\x03\x04") or b"\x00" in head:
            raise InvalidInput(
                Problem(
                    _("This file is not a CSV text file; save it as .csv (UTF-8) or .xlsx."),
                    Location(file=name),
                )
            )
        bom = head.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(READ_BLOCK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8-sig" if bom else "utf-8"
    for encoding in _FALLBACK_ENCODINGS:
        if _decodes(path, encoding):
            return encoding
    raise InvalidInput(
        Problem(
            _("The file's text encoding is not recognised; save it as CSV UTF-8."),
            Location(file=name),
        )
    )


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(READ_BLOCK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def csv_delimiter(path: Path, encoding: str) -> str:
    """Return "," unless the first lines use ";" or tabs more (Excel's export in some locales)."""
    with path.open(encoding=encoding, newline="") as handle:
        sample = [line for _i, line in zip(range(HEADER_SEARCH_ROWS), handle, strict=False)]
    counts = {delimiter: sum(line.count(delimiter) for line in sample) for delimiter in ",;\t"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def csv_records(
    path: Path, name: str, encoding: str, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number as a spreadsheet shows it, cells); a quoted line break stays in its cell."""
    csv.field_size_limit(1 << 24)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        try:
            for number, values in enumerate(reader, start=1):
                yield number, values
        except csv.Error as error:
            raise InvalidInput(
                Problem(
                    _("The CSV file is malformed: %(error)s") % {"error": error},
                    Location(file=name, row=number + 1),
                )
            ) from None
