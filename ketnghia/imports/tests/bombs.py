"""A valid .xlsx whose shared strings inflate to gigabytes: a "zip bomb" of a few megabytes.

Built without ever holding (or compressing) the gigabytes: one megabyte of a repeated letter
is compressed once, ending on a full flush, so its compressed bytes can be repeated as they
are; the deflate stream is the opening, that segment N times, and the closing. The CRC of
the inflated part is computed in blocks (a few seconds for 3.5 GB) only when asked for;
otherwise the zip's CRC is wrong, which no check that stops early ever sees.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

MEGABYTE = 1 << 20
_BLOCK = b"A" * MEGABYTE
_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" '
    b'uniqueCount="2"><si><t>Ma xa</t></si><si><t>'
)
_CLOSE = b"</t></si></sst>"


@dataclass
class _Entry:
    name: str
    chunks: Iterable[bytes]
    crc: int
    size: int
    compressed: int


def _plain(name: str, data: bytes) -> _Entry:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return _Entry(name, [packed], zlib.crc32(data), len(data), len(packed))


def _bomb(name: str, megabytes: int, crc: bool) -> _Entry:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(_OPEN) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(_BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(_BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH) == segment
    tail = compressor.compress(_CLOSE) + compressor.flush()
    check = 0
    if crc:
        check = zlib.crc32(_OPEN)
        for _ in range(megabytes):
            check = zlib.crc32(_BLOCK, check)
        check = zlib.crc32(_CLOSE, check)
    size = len(_OPEN) + megabytes * MEGABYTE + len(_CLOSE)
    chunks = [head, *([segment] * megabytes), tail]
    return _Entry(name, chunks, check, size, sum(map(len, chunks)))


def _workbook_parts() -> dict[str, bytes]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["Mã xã", "Tên thôn"])
    sheet.append(["23500", "Làng A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    # This openpyxl writes inline strings: point the header at the shared strings instead.
    sheet_name = "xl/worksheets/sheet1.xml"
    parts[sheet_name] = (
        parts[sheet_name]
        .replace(
            b'<c r="A1" t="inlineStr"><is><t>M&#227; x&#227;</t></is></c>',
            b'<c r="A1" t="s"><v>0</v></c>',
        )
        .replace(
            b'<c r="B1" t="inlineStr"><is><t>T&#234;n th&#244;n</t></is></c>',
            b'<c r="B1" t="s"><v>1</v></c>',
        )
    )
    assert b't="s"' in parts[sheet_name]
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>',
    )
    parts["xl/sharedStrings.xml"] = b""
    return parts


def write_bomb(
    path: Path, *, megabytes: int = 3500, crc: bool = False, declared: int | None = None
) -> Path:
    """Write a valid workbook whose `xl/sharedStrings.xml` inflates to `megabytes` MB (3.5 GB
    by default: about 3.5 MB on disk); return `path`. The zip declares that size truthfully,
    or `declared` bytes (a lie) when given."""
    parts = _workbook_parts()
    entries = [
        _bomb(name, megabytes, crc) if name == "xl/sharedStrings.xml" else _plain(name, data)
        for name, data in parts.items()
    ]
    if declared is not None:
        for entry in entries:
            if entry.name == "xl/sharedStrings.xml":
                entry.size = declared
    central = b""
    with path.open("wb") as handle:
        for entry in entries:
            offset = handle.tell()
            encoded = entry.name.encode()
            fields = (20, 0, 8, 0, 0x21, entry.crc, entry.compressed, entry.size, len(encoded), 0)
            handle.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + encoded)
            for chunk in entry.chunks:
                handle.write(chunk)
            central += (
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    *fields,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
        start = handle.tell()
        handle.write(central)
        handle.write(
            struct.pack(
                "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0
            )
        )
    return path
