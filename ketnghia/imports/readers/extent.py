"""A worksheet's true extent, found by streaming its XML before anything allocates it.

python-calamine allocates a sheet's whole bounding box (rows × columns of the used range)
when it loads it, so one stray value at XFD1048576 (the cell Ctrl+End finds) asks for some
17 billion cells and the process dies. `sheet_extent` reads the sheet's XML from the zip in
blocks, in bounded memory, and returns the last row and the widest column that hold a value
(styled empty cells, `<c r="…" s="1"/>`, are ignored as calamine ignores them) and the cells
holding an Excel error value (`t="e"`), which calamine would read as blank.

The fast path works on the bytes with C-level searches (a fraction of calamine's own time):
rows in ascending order, as the format requires and every spreadsheet program writes them,
give the last row from the last valued cell; every cell beyond column Z or from row
1,000,000 on is looked at one by one, wherever it sits. So even a hand-crafted file that
breaks the row order cannot hide more than A1:Z999999 (26 million cells, under a gigabyte in
calamine) from the scan. A sheet whose cells lack their `r` reference (a few generators leave
it out) is scanned exactly with expat instead. From the web, imports also run in a worker
process under a memory limit (`imports.worker`); a sheet beyond the cell cap is read
by its cells (`sparse`), not by calamine.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath
from xml.etree import ElementTree
from xml.parsers import expat

# Decompressed bytes handled per step.
BLOCK = 1 << 20
# The longest start tag of a cell worth keeping across blocks.
TAG_BYTES = 4096
# workbook.xml and its relations are small; a larger one is not a workbook we read.
MAX_PART_BYTES = 32 << 20

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_REF = re.compile(rb"([A-Z]{1,3})(\d{1,7})")
_ATTRIBUTE_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')


@dataclass
class Extent:
    """How far a sheet's values reach (1-based; 0 when empty) and its error cells."""

    rows: int = 0
    columns: int = 0
    # Some valued cell lies in columns A–Z, whose widest the fast scan does not pin down:
    # `columns` is then a lower bound and 26 an upper one.
    narrow: bool = False
    # (row, column) 1-based → the error's text, e.g. "#N/A".
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # Every valued cell carries its reference (`r="B7"`): the fast scan could read it.
    references: bool = True

    @property
    def cells(self) -> int:
        """Return an upper bound of the cells of the bounding box from A1."""
        return self.rows * (max(self.columns, 26) if self.narrow else self.columns)


def column_number(letters: bytes | str) -> int:
    """Return the 1-based number of a column's letters (A → 1, XFD → 16384)."""
    if isinstance(letters, str):
        letters = letters.encode()
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return each sheet's name → its XML member in the archive (from workbook.xml)."""
    names = set(archive.namelist())
    book = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _parse(archive, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                book = normpath(rel.get("Target", book).lstrip("/"))
    rels_path = join(dirname(book), "_rels", book.rsplit("/", 1)[-1] + ".rels")
    targets: dict[str, str] = {}
    if rels_path in names:
        for rel in _parse(archive, rels_path):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else join(dirname(book), target)
            targets[rel.get("Id", "")] = normpath(target)
    members: dict[str, str] = {}
    if book in names:
        for element in _parse(archive, book).iter():
            if element.tag.rsplit("}", 1)[-1] == "sheet":
                target = targets.get(element.get(_REL_NS, ""))
                if target in names:
                    members[element.get("name", "")] = target
    return members


def _parse(archive: zipfile.ZipFile, member: str) -> ElementTree.Element:
    if archive.getinfo(member).file_size > MAX_PART_BYTES:
        raise ValueError(f"{member} is too large")
    return ElementTree.fromstring(archive.read(member))


def sheet_extent(archive: zipfile.ZipFile, member: str) -> Extent:
    """Return the extent of the sheet stored at `member`, reading it in blocks."""
    with archive.open(member) as stream:
        head = stream.read(BLOCK)
        match = _ROOT.search(head)
        prefix = (match.group(1) + b":") if match and match.group(1) else b""
        extent = _fast_extent(stream, head, prefix)
    if extent is None:
        with archive.open(member) as stream:
            extent = _exact_extent(stream)
        extent.references = False
    return extent


def _fast_extent(stream, head: bytes, prefix: bytes) -> Extent | None:
    """Scan with byte searches; None when a cell has no `r` (the exact scan then)."""
    cell_ref = b"<" + prefix + b'c r="'
    cell_close = b"</" + prefix + b"c>"
    # One regex pass finds the cells worth a look: any `<c` except the common case of a
    # leading reference in columns A–Z below row 1,000,000 (nearly every cell).
    unusual = re.compile(rb"<" + re.escape(prefix) + rb'c(?=[ >])(?! r="[A-Z]\d{1,6}")')
    extent = Extent()
    tail = b""
    block = head
    while block:
        data = tail + block
        cut = data.rfind(b">") + 1
        data, tail = data[:cut], data[cut:]
        if len(tail) > BLOCK:
            # Megabytes without a tag (one huge text, or padding): only its end can matter.
            tail = tail[-TAG_BYTES:]
        block = stream.read(BLOCK)
        if not data:
            continue
        last = data.rfind(cell_close)
        if last >= 0:
            extent.narrow = True
            start = data.rfind(cell_ref, 0, last)
            if start >= 0 and (found := _REF.match(data, start + len(cell_ref))):
                extent.rows = max(extent.rows, int(found.group(2)))
                extent.columns = max(extent.columns, column_number(found.group(1)))
        for match in unusual.finditer(data):
            end = data.find(b">", match.end())
            if end < 0 or data[end - 1 : end] == b"/":
                continue  # a styled empty cell: no value
            ref = _ATTRIBUTE_REF.search(data, match.end(), end)
            if ref is None:
                return None
            extent.rows = max(extent.rows, int(ref.group(2)))
            extent.columns = max(extent.columns, column_number(ref.group(1)))
        position = data.find(b't="e"')
        while position >= 0:
            _error_cell(data, position, cell_ref, prefix, extent)
            position = data.find(b't="e"', position + 5)
    return extent


def _error_cell(data: bytes, position: int, cell_ref: bytes, prefix: bytes, extent: Extent) -> None:
    start = data.rfind(cell_ref, 0, position)
    if start < 0:
        return
    found = _REF.match(data, start + len(cell_ref))
    if found is None:
        return
    value_open = data.find(b"<" + prefix + b"v>", position)
    value_close = data.find(b"</" + prefix + b"v>", value_open)
    end_cell = data.find(b">", position)
    if value_open < 0 or value_close < 0 or data[end_cell - 1 : end_cell] == b"/":
        return
    text = data[value_open + len(prefix) + 3 : value_close].decode("utf-8", "replace").strip()
    extent.errors[(int(found.group(2)), column_number(found.group(1)))] = text or "#?"


def _exact_extent(stream) -> Extent:
    """Scan with expat, following implicit positions (cells or rows without `r`)."""
    extent = Extent()
    state = {"row": 0, "column": 0, "type": None, "value": False, "text": []}

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1]

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = local(name)
        if tag == "row":
            given = attributes.get("r")
            state["row"] = int(given) if given and given.isdigit() else state["row"] + 1
            state["column"] = 0
        elif tag == "c":
            ref = attributes.get("r", "")
            found = _REF.fullmatch(ref.encode())
            if found:
                state["row"] = int(found.group(2))
                state["column"] = column_number(found.group(1))
            else:
                state["column"] += 1
            state["type"] = attributes.get("t")
            state["value"] = False
            state["text"] = []
        elif tag in ("v", "t", "f", "is"):
            state["value"] = True

    def end(name: str) -> None:
        if local(name) == "c" and state["value"]:
            extent.rows = max(extent.rows, state["row"])
            extent.columns = max(extent.columns, state["column"])
            if state["type"] == "e":
                text = "".join(state["text"]).strip() or "#?"
                extent.errors[(state["row"], state["column"])] = text

    def chars(text: str) -> None:
        if state["type"] == "e":
            state["text"].append(text)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    while block := stream.read(BLOCK):
        parser.Parse(block, False)
    parser.Parse(b"", True)
    return extent


def widest_single_letter(archive: zipfile.ZipFile, member: str) -> int:
    """Return the widest of columns A–Z holding a value (for a refusal's message only)."""
    widest = 0
    pattern = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z])\d{1,7}"[^>]*(?<!/)>')
    with archive.open(member) as stream:
        tail = b""
        while block := stream.read(BLOCK):
            data = tail + block
            cut = data.rfind(b">") + 1
            data, tail = data[:cut], data[cut:]
            tail = tail[-TAG_BYTES:] if len(tail) > BLOCK else tail
            for letter in set(pattern.findall(data)):
                widest = max(widest, column_number(letter))
    return widest
