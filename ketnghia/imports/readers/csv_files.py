"""CSV (and .txt) files: their encoding (UTF-8, else Vietnamese Windows), their delimiter,
and their records with the line each starts on.
"""

from __future__ import annotations

import codecs
import csv
import itertools
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
        utf16 = _utf16(head)
        if utf16 is not None:
            # Excel's "Unicode Text" (.txt): UTF-16 with a BOM, tab-separated.
            if _decodes(path, utf16):
                return utf16
            raise InvalidInput(
                Problem(
                    _("The file's text encoding is not recognised; save it as CSV UTF-8."),
                    Location(file=name),
                )
            )
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


def _utf16(head: bytes) -> str | None:
    """Return "utf-16" for UTF-16 text: a BOM, or ASCII text with every other byte zero."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and len(sample) % 2 == 0:
        if sample[1::2].count(0) == len(sample) // 2 and sample[0::2].count(0) == 0:
            return "utf-16-le"
        if sample[0::2].count(0) == len(sample) // 2 and sample[1::2].count(0) == 0:
            return "utf-16-be"
    return None


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
    """Yield (row number as a spreadsheet shows it, cells); a quoted line break stays in its cell.

    A quotation mark that is never closed would swallow the rest of the file into one cell
    (Python's reader, like Excel, reads on to the end): it is refused at the row it opens.
    """
    csv.field_size_limit(1 << 24)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        line = 0
        # A record over several lines waits for the next one: only the last record of a
        # file can hold an unclosed quote. (number, cells, the line it starts on)
        pending: tuple[int, list[str], int] | None = None
        try:
            for number, values in enumerate(reader, start=1):
                if pending is not None:
                    yield pending[0], pending[1]
                    pending = None
                first, line = line + 1, reader.line_num
                if line > first:
                    pending = (number, values, first)
                    continue
                yield number, values
        except csv.Error as error:
            raise InvalidInput(
                Problem(
                    _("The CSV file is malformed: %(error)s") % {"error": error},
                    Location(file=name, row=number + 1),
                )
            ) from None
    if pending is not None:
        if _unclosed_quote(path, encoding, delimiter, pending[2]):
            raise InvalidInput(
                Problem(
                    _(
                        'A quotation mark (") opened on this row is never closed, so the '
                        "rest of the file would be read as one cell: close it or remove it."
                    ),
                    Location(file=name, row=pending[0]),
                )
            )
        yield pending[0], pending[1]


def _unclosed_quote(path: Path, encoding: str, delimiter: str, first_line: int) -> bool:
    """Tell whether the file's last record, from `first_line` on, leaves a quote open."""
    with path.open(encoding=encoding, newline="") as handle:
        tail = itertools.islice(handle, first_line - 1, None)
        try:
            for _values in csv.reader(tail, delimiter=delimiter, strict=True):
                pass
        except csv.Error as error:
            return "end of data" in str(error)
    return False
