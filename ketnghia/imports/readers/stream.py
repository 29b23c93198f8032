"""A large sheet streamed row by row from its XML, in memory that does not grow with its rows.

calamine loads a sheet whole (every cell of its bounding box, then a Python row per row
yielded), so an import's memory doubled from 10,000 to 100,000 rows. `stream_rows` reads
the sheet's part from the zip in blocks, cuts each block at its last complete row and finds
the cells with one compiled expression per block (C-level searches, no callback per XML
element as `sparse`'s expat reader makes): about calamine's speed, memory bounded by a block,
the shared strings and one row. Values come as calamine gives them (the conversions are
`sparse`'s: text, float, bool, dates for date-styled numbers, `ExcelError`).

Used for sheets whose extent is above `KETNGHIA_IMPORT_STREAM_CELLS` and whose every valued
cell carries its reference (`r="B7"`, as Excel, LibreOffice and openpyxl write them; the
extent scan says so); other sheets go to calamine (small) or `sparse` (no references).
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ketnghia.imports.readers.extent import BLOCK, column_number
from ketnghia.imports.readers.sparse import (
    _EPOCH,
    _EPOCH_1904,
    RowsOutOfOrder,
    _book_parts,
    _date1904,
    _date_styles,
    _shared_strings,
    convert_value,
)

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
_TYPE = re.compile(rb'\st="(\w+)"')
_STYLE = re.compile(rb'\ss="(\d+)"')


def _patterns(prefix: bytes) -> dict[str, Any]:
    p = re.escape(prefix)
    return {
        # The common cell, reference first: (letters, row, other attributes, <v> text,
        # a plain inline string's text, a rich inline string).
        "fast": re.compile(
            rb"<" + p + rb'c r="([A-Z]{1,3})(\d{1,7})"([^>]*?)(?:/>|>'
            rb"(?:<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>))?"
            rb"(?:<" + p + rb"v>([^<]*)</" + p + rb"v>"
            rb"|<" + p + rb"is><" + p + rb"t(?:\s[^>]*)?>([^<]*)</" + p + rb"t></" + p + rb"is>"
            rb"|(<" + p + rb"is>.*?</" + p + rb"is>))?"
            rb"</" + p + rb"c>)",
            re.S,
        ),
        # The commonest cells only (a value or a plain inline string): the cheapest search.
        "simple": re.compile(
            rb"<"
            + p
            + rb'c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>(?:<'
            + p
            + rb"v>([^<]*)</"
            + p
            + rb"v>|<"
            + p
            + rb"is><"
            + p
            + rb"t>([^<]*)</"
            + p
            + rb"t></"
            + p
            + rb"is>)()</"
            + p
            + rb"c>"
        ),
        # Any cell, whatever the order of its attributes.
        "cell": re.compile(rb"<" + p + rb"c(\s[^>]*?)?(?:/>|>(.*?)</" + p + rb"c>)", re.S),
        "starts": (b"<" + prefix + b"c ", b"<" + prefix + b"c>"),
        "row_end": b"</" + prefix + b"row>",
        "value": re.compile(rb"<" + p + rb"v>(.*?)</" + p + rb"v>", re.S),
        "text": re.compile(rb"<" + p + rb"t(?:\s[^>]*)?>(.*?)</" + p + rb"t>", re.S),
        "phonetic": re.compile(rb"<" + p + rb"rPh\b.*?</" + p + rb"rPh>", re.S),
    }


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _general_cells(data: bytes, patterns: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Yield the cells of `data` as the fast expression's groups, attributes in any order."""
    for attributes, inner in patterns["cell"].findall(data):
        if not inner:
            continue  # a styled empty cell
        reference = _REF.search(attributes)
        if reference is None:
            raise ValueError("a cell without its reference")
        rest = attributes[: reference.start()] + attributes[reference.end() :]
        kind = _TYPE.search(rest)
        if kind is not None and kind.group(1) == b"inlineStr":
            yield reference.group(1), reference.group(2), rest, b"", b"", inner
            continue
        value = patterns["value"].search(inner)
        yield (
            reference.group(1),
            reference.group(2),
            rest,
            value.group(1) if value else b"",
            b"",
            b"",
        )


def stream_rows(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, values) for every row of the sheet at `member` holding a value."""
    book, targets = _book_parts(archive)
    strings = _shared_strings(archive, targets.get("sharedStrings"))
    dates = _date_styles(archive, targets.get("styles"))
    epoch = _EPOCH_1904 if _date1904(archive, book) else _EPOCH
    styles: dict[bytes, tuple[str, int, bool]] = {}
    columns: dict[bytes, int] = {}
    last = 0
    current = b""
    row: dict[int, Any] = {}
    with archive.open(member) as stream:
        block = stream.read(BLOCK)
        found = _ROOT.search(block)
        prefix = (found.group(1) + b":") if found and found.group(1) else b""
        patterns = _patterns(prefix)
        simple, fast, row_end = patterns["simple"], patterns["fast"], patterns["row_end"]
        opening, bare = patterns["starts"]
        text_tag, phonetic = patterns["text"], patterns["phonetic"]
        tail = b""
        while block:
            data = tail + block
            block = stream.read(BLOCK)
            if block:
                cut = data.rfind(row_end)
                if cut < 0:
                    tail = data  # one row longer than a block: wait for its end
                    continue
                cut += len(row_end)
                data, tail = data[:cut], data[cut:]
            count = data.count(opening) + data.count(bare)
            cells: Any = simple.findall(data)
            if len(cells) != count:
                cells = fast.findall(data)
                if len(cells) != count:
                    cells = _general_cells(data, patterns)
            for letters, number, rest, raw, inline, rich in cells:
                if number != current:
                    if row:
                        numeral = int(current)
                        if numeral <= last:
                            raise RowsOutOfOrder(numeral, last)
                        last = numeral
                        yield numeral, _values(row)
                        row = {}
                    current = number
                kind_style = styles.get(rest)
                if kind_style is None:
                    kind = _TYPE.search(rest)
                    style = _STYLE.search(rest)
                    index = int(style.group(1)) if style else 0
                    kind_style = styles[rest] = (
                        kind.group(1).decode() if kind else "n",
                        index,
                        index in dates,
                    )
                kind, style, dated = kind_style
                if kind == "n" and raw and not dated:
                    try:
                        value: Any = float(raw)
                    except ValueError:
                        value = convert_value(kind, style, _text(raw), strings, dates, epoch)
                elif kind == "s" and raw.isdigit():
                    position = int(raw)
                    value = strings[position] if position < len(strings) else None
                elif kind == "inlineStr":
                    if rich:
                        value = _text(b"".join(text_tag.findall(phonetic.sub(b"", rich))))
                    else:
                        value = _text(inline)
                elif not raw:
                    continue  # no value (a formula without its cached result)
                else:
                    value = convert_value(kind, style, _text(raw), strings, dates, epoch)
                if value is not None and value != "":
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = column_number(letters)
                    row[column] = value
    if row:
        numeral = int(current)
        if numeral <= last:
            raise RowsOutOfOrder(numeral, last)
        yield numeral, _values(row)


def _values(row: dict[int, Any]) -> list[Any]:
    values: list[Any] = [None] * max(row)
    for column, value in row.items():
        values[column - 1] = value
    return values
