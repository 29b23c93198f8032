"""Which cells of a worksheet are formatted as a percentage, found without calamine.

python-calamine gives a cell's value, not its number format, and a percentage typed into a
cell formatted as one is stored as a fraction: "97 %" is 0.97 in the file, "85,5 %" is
0.855. A column of percentages must read 97 and 85.5, so a column that asks for it
(`Column(percent=True)`) has its percent-formatted cells marked (`PercentNumber`).

The formats come from the workbook's styles part (small: read whole, size-checked): a cell's
`s` attribute indexes the cell formats (`cellXfs`), each naming a number format, built-in
(9 is "0%", 10 is "0.00%") or declared in `numFmts`. A format is a percentage when it holds a
`%` outside quoted text, escapes and brackets (`0.0" %"` only shows a sign after the number
and does not scale it). The sheet is then streamed once with expat in bounded memory, and
only the wanted columns are kept, as runs of rows (a format applied to a whole column is one
run), so memory does not grow with the sheet. A search of the bytes for the percent styles'
attribute (` s="9"`) finds those cells (only they come back to Python); a sheet whose such
cells lack their `r` reference is read with expat instead, as `extent` does.
"""

from __future__ import annotations

import bisect
import re
import zipfile
from collections.abc import Iterable
from posixpath import dirname, join, normpath
from xml.etree import ElementTree
from xml.parsers import expat

from ketnghia.imports.readers.extent import BLOCK, MAX_PART_BYTES, TAG_BYTES, column_number

# Excel's built-in number formats that are percentages ("0%", "0.00%").
BUILTIN_PERCENT_FORMATS = frozenset({9, 10})

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")
_ATTRIBUTE_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")


def is_percent_format(code: str) -> bool:
    """Return whether a number format code scales by 100 and shows "%" ("0.0%", not 0" %")."""
    return "%" in _QUOTED.sub("", code)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _styles_member(archive: zipfile.ZipFile) -> str | None:
    """Return the styles part of the workbook (from the workbook's relations), if any."""
    names = set(archive.namelist())
    for rels in (name for name in names if name.endswith("workbook.xml.rels")):
        if archive.getinfo(rels).file_size > MAX_PART_BYTES:
            continue
        for rel in ElementTree.fromstring(archive.read(rels)):
            if rel.get("Type", "").endswith("/styles"):
                target = rel.get("Target", "")
                book_dir = dirname(dirname(rels))
                member = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else normpath(join(book_dir, target))
                )
                if member in names:
                    return member
    return "xl/styles.xml" if "xl/styles.xml" in names else None


def percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Return the indexes of the cell formats (`s="…"`) that show a number as a percentage."""
    member = _styles_member(archive)
    if member is None or archive.getinfo(member).file_size > MAX_PART_BYTES:
        return frozenset()
    root = ElementTree.fromstring(archive.read(member))
    custom: dict[int, str] = {}
    found: set[int] = set()
    for element in root:
        tag = _local(element.tag)
        if tag == "numFmts":
            for number_format in element:
                identifier = number_format.get("numFmtId", "")
                if identifier.isdigit():
                    custom[int(identifier)] = number_format.get("formatCode", "")
        elif tag == "cellXfs":
            for index, xf in enumerate(element):
                identifier = xf.get("numFmtId", "0")
                if not identifier.isdigit():
                    continue
                number = int(identifier)
                code = custom.get(number)
                if (code is not None and is_percent_format(code)) or (
                    code is None and number in BUILTIN_PERCENT_FORMATS
                ):
                    found.add(index)
    return frozenset(found)


class PercentRows:
    """Rows of one column whose cell is percent-formatted, kept as sorted runs."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, row: int) -> None:
        ends = self.ends
        if ends and (ends[-1] == row - 1 or ends[-1] == row):
            ends[-1] = row
        elif self.ends and row <= self.ends[-1]:
            # Rows out of order (a hand-made file): insert where it belongs.
            position = bisect.bisect_right(self.starts, row)
            if not (position and self.ends[position - 1] >= row):
                self.starts.insert(position, row)
                self.ends.insert(position, row)
        else:
            self.starts.append(row)
            self.ends.append(row)

    def __contains__(self, row: int) -> bool:
        position = bisect.bisect_right(self.starts, row)
        return bool(position) and self.ends[position - 1] >= row

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self.starts, self.ends, strict=True))


def percent_cells(
    archive: zipfile.ZipFile, member: str, columns: Iterable[int]
) -> dict[int, PercentRows]:
    """Return, for each wanted 0-based column, the rows whose valued cell is percent-formatted.

    Streamed with expat in blocks; a cell or row without its `r` reference takes the next
    position, as spreadsheet programs read it.
    """
    wanted = {column + 1: PercentRows() for column in columns}
    styles = percent_styles(archive)
    if wanted and styles:
        with archive.open(member) as stream:
            head = stream.read(BLOCK)
            match = _ROOT.search(head)
            prefix = (match.group(1) + b":") if match and match.group(1) else b""
            exact = not _fast_percent_cells(stream, head, prefix, wanted, styles)
        if exact:
            wanted = {column: PercentRows() for column in wanted}
            with archive.open(member) as stream:
                _exact_percent_cells(stream, wanted, styles)
    return {column - 1: rows for column, rows in wanted.items()}


def _fast_percent_cells(
    stream, head: bytes, prefix: bytes, wanted: dict[int, PercentRows], styles: frozenset[int]
) -> bool:
    """Find the percent-styled valued cells by searching the bytes for their style attribute.

    `bytes.find` of ` s="9"` runs in C over the block; only the cells of a percent style come
    back to Python (a few per row at most), in file order. Return False when such a cell has
    no `r` reference: its place needs the exact scan.
    """
    needles = [b' s="' + str(style).encode() + b'"' for style in sorted(styles)]
    cell_open = b"<" + prefix + b"c"
    columns: dict[bytes, int] = {}
    tail = b""
    block = head
    while block:
        data = tail + block
        cut = data.rfind(b">") + 1
        data, tail = data[:cut], data[cut:]
        if len(tail) > BLOCK:
            tail = tail[-TAG_BYTES:]
        block = stream.read(BLOCK)
        hits: list[int] = []
        for needle in needles:
            position = data.find(needle)
            while position >= 0:
                hits.append(position)
                position = data.find(needle, position + len(needle))
        if len(needles) > 1:
            hits.sort()
        for position in hits:
            start = data.rfind(b"<", 0, position)
            end = data.find(b">", position)
            tag = data[start : end + 1]
            if not tag.startswith(cell_open) or tag[len(cell_open)] not in b" \t\r\n":
                continue  # a row's or another element's style
            if tag.endswith(b"/>"):
                continue  # a styled empty cell
            if b' t="' in tag and b' t="n"' not in tag:
                continue  # text, a boolean or an error shown in a percent-formatted cell
            ref = _ATTRIBUTE_REF.search(tag)
            if ref is None:
                return False
            letters = ref.group(1)
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_number(letters)
            if column in wanted:
                wanted[column].add(int(ref.group(2)))
    return True


def _exact_percent_cells(stream, wanted: dict[int, PercentRows], styles: frozenset[int]) -> None:
    """Scan with expat, following implicit positions (cells or rows without `r`)."""
    state = {"row": 0, "column": 0, "hit": False, "value": False}

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "row":
            given = attributes.get("r", "")
            state["row"] = int(given) if given.isdigit() else state["row"] + 1
            state["column"] = 0
        elif tag == "c":
            found = _REF.fullmatch(attributes.get("r", ""))
            if found:
                state["row"] = int(found.group(2))
                state["column"] = column_number(found.group(1))
            else:
                state["column"] += 1
            style = attributes.get("s", "0")
            state["hit"] = (
                state["column"] in wanted
                and style.isdigit()
                and int(style) in styles
                and attributes.get("t", "n") == "n"
            )
            state["value"] = False
        elif tag == "v" and state["hit"]:
            state["value"] = True

    def end(name: str) -> None:
        if state["hit"] and state["value"] and _local(name) == "c":
            wanted[state["column"]].add(state["row"])

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    while block := stream.read(BLOCK):
        parser.Parse(block, False)
    parser.Parse(b"", True)
