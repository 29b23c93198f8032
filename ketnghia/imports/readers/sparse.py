"""A sheet read by its cells, for a sheet whose declared extent is far beyond its data.

calamine allocates a sheet's whole bounding box, so one stray value at XFD1048576 or ZZ300000
(the cell Ctrl+End finds) would ask for billions of cells. Such a sheet used to be refused as
a whole, hiding the real problems of its data. `sparse_rows` instead streams the sheet's XML
with expat and yields only the rows that hold a value, each as long as its last valued cell:
memory follows the cells present, never the extent. Values come as calamine gives them
(text, float, bool, date / datetime / time for cells styled as dates, `ExcelError` for error
cells); a merged range's value is carried as `xlsx_files` does for calamine's rows.

A value outside the table's columns (the stray cell itself) is then ignored as any cell beside
the table is; a stray value in a column of the table is a data row at its real address.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from posixpath import dirname, join, normpath
from typing import Any
from xml.parsers import expat

from ketnghia.imports.readers.cells import ExcelError
from ketnghia.imports.readers.extent import BLOCK, TAG_BYTES, _parse, column_number

_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*ref="([A-Z]{1,3}\d{1,7}):([A-Z]{1,3}\d{1,7})"')
# Excel's built-in date and time formats (ECMA-376 18.8.30, and the CJK ones).
_BUILTIN_DATES = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


class RowsOutOfOrder(ValueError):
    """A row comes after a row below it: only a hand-made file does that; it is refused."""

    def __init__(self, row: int, after: int) -> None:
        super().__init__(f"row {row} after row {after}")
        self.row, self.after = row, after


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _is_date_format(code: str) -> bool:
    text = _QUOTED.sub("", code).lower()
    return any(letter in text for letter in "dmyhs") and "general" not in text


def _book_parts(archive: zipfile.ZipFile) -> tuple[str, dict[str, str]]:
    """Return the workbook part and its relations' targets by type suffix."""
    names = set(archive.namelist())
    book = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _parse(archive, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                book = normpath(rel.get("Target", book).lstrip("/"))
    rels = join(dirname(book), "_rels", book.rsplit("/", 1)[-1] + ".rels")
    targets: dict[str, str] = {}
    if rels in names:
        for rel in _parse(archive, rels):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else join(dirname(book), target)
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if normpath(target) in names:
                targets[kind] = normpath(target)
    return book, targets


def _shared_strings(archive: zipfile.ZipFile, member: str | None) -> list[str]:
    """Return the workbook's shared strings (their size was bounded by `archive`)."""
    if member is None:
        return []
    strings: list[str] = []
    state = {"in_t": False, "phonetic": 0, "parts": []}

    def start(name: str, _attributes: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "si":
            state["parts"] = []
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(name: str) -> None:
        tag = _local(name)
        if tag == "si":
            strings.append("".join(state["parts"]))
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_t"] = False

    def chars(text: str) -> None:
        if state["in_t"]:
            state["parts"].append(text)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    with archive.open(member) as stream:
        while block := stream.read(BLOCK):
            parser.Parse(block, False)
    parser.Parse(b"", True)
    return strings


def _date_styles(archive: zipfile.ZipFile, member: str | None) -> frozenset[int]:
    """Return the indexes of the cell styles that show a number as a date or a time."""
    if member is None:
        return frozenset()
    root = _parse(archive, member)
    custom: dict[int, str] = {}
    dates: set[int] = set()
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
    for element in root.iter():
        if _local(element.tag) != "cellXfs":
            continue
        for index, xf in enumerate(child for child in element if _local(child.tag) == "xf"):
            number = int(xf.get("numFmtId", "0"))
            if number in _BUILTIN_DATES or (number in custom and _is_date_format(custom[number])):
                dates.add(index)
    return frozenset(dates)


def _date1904(archive: zipfile.ZipFile, book: str) -> bool:
    for element in _parse(archive, book).iter():
        if _local(element.tag) == "workbookPr":
            return element.get("date1904", "").lower() in ("1", "true")
    return False


def _as_date(serial: float, epoch: dt.datetime) -> Any:
    moment = epoch + dt.timedelta(days=serial)
    if serial < 1:
        return moment.time()
    if moment.time() == dt.time():
        return moment.date()
    return moment


def sheet_merges(archive: zipfile.ZipFile, member: str) -> list[tuple[tuple[int, int], ...]]:
    """Return the sheet's merged ranges as calamine gives them: ((top, left), (bottom, right)),
    0-based; found with a byte search over the streamed XML."""
    merges = []
    with archive.open(member) as stream:
        tail = b""
        while block := stream.read(BLOCK):
            data = tail + block
            cut = data.rfind(b">") + 1
            data, tail = data[:cut], data[cut:][-TAG_BYTES:]
            for first, last in _MERGE.findall(data):
                (c1, r1), (c2, r2) = (
                    _REF.fullmatch(ref.decode()).groups() for ref in (first, last)
                )
                merges.append(
                    (
                        (int(r1) - 1, column_number(c1) - 1),
                        (int(r2) - 1, column_number(c2) - 1),
                    )
                )
    return merges


def convert_value(
    kind: str,
    style: int,
    text: str,
    strings: list[str],
    dates: frozenset[int],
    epoch: dt.datetime,
) -> Any:
    """Return a cell's value as calamine gives it, from its type (`t`), style and text."""
    if kind == "s":
        index = int(text) if text.strip().isdigit() else -1
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "inlineStr"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return ExcelError(text.strip() or "#?")
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text
    try:
        number = float(text)
    except ValueError:
        return text or None
    if style in dates:
        try:
            return _as_date(number, epoch)
        except (OverflowError, ValueError):
            return number
    return number


def sparse_rows(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, values) for every row of the sheet at `member` holding a value."""
    book, targets = _book_parts(archive)
    strings = _shared_strings(archive, targets.get("sharedStrings"))
    dates = _date_styles(archive, targets.get("styles"))
    epoch = _EPOCH_1904 if _date1904(archive, book) else _EPOCH
    done: list[tuple[int, list[Any]]] = []
    row: dict[int, Any] = {}
    state: dict[str, Any] = {"row": 0, "column": 0, "type": "n", "style": 0, "text": None}

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            found = _REF.fullmatch(attributes.get("r", ""))
            if found:
                state["column"] = column_number(found.group(1))
                number = int(found.group(2))
                if number != state["row"]:
                    close_row()
                    state["row"] = number
            else:
                state["column"] += 1
            state["type"] = attributes.get("t", "n")
            style = attributes.get("s", "0")
            state["style"] = int(style) if style.isdigit() else 0
            state["text"] = None
        elif tag == "row":
            close_row()
            given = attributes.get("r", "")
            state["row"] = int(given) if given.isdigit() else state["row"] + 1
            state["column"] = 0
        elif tag in ("v", "t") and state["text"] is None:
            state["text"] = []
        elif tag == "rPh":
            state["phonetic"] = True  # a reading guide (furigana), not the cell's text

    def end(name: str) -> None:
        tag = _local(name)
        if tag == "rPh":
            state["phonetic"] = False
        elif tag == "c" and state["text"] is not None:
            value = convert("".join(state["text"]))
            if value is not None and value != "":
                row[state["column"]] = value
            state["text"] = None

    def chars(text: str) -> None:
        if state["text"] is not None and not state.get("phonetic"):
            state["text"].append(text)

    def convert(text: str) -> Any:
        return convert_value(state["type"], state["style"], text, strings, dates, epoch)

    def close_row() -> None:
        if row:
            if state["row"] <= state.get("last", 0):
                # Rows must come in order to be streamed (the header before the data).
                raise RowsOutOfOrder(state["row"], state["last"])
            state["last"] = state["row"]
            values: list[Any] = [None] * max(row)
            for column, value in row.items():
                values[column - 1] = value
            done.append((state["row"], values))
            row.clear()

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    with archive.open(member) as stream:
        while block := stream.read(BLOCK):
            parser.Parse(block, False)
            yield from done
            done.clear()
    parser.Parse(b"", True)
    close_row()
    yield from done
