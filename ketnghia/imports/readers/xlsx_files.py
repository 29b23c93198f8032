"""Excel workbooks (.xlsx, .xlsm) read with python-calamine: refuse what is not a readable
workbook (an old .xls, a password-protected or damaged file), list the visible worksheets,
and yield a sheet's rows with their spreadsheet row numbers.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import format_number
from ketnghia.imports.readers.archive import check_archive
from ketnghia.imports.readers.cells import (
    ExcelError,
    PercentNumber,
    excel_error_message,
    is_blank,
)
from ketnghia.imports.readers.csv_files import OLE_MAGIC, READ_BLOCK
from ketnghia.imports.readers.extent import (
    Extent,
    sheet_extent,
    sheet_members,
    widest_single_letter,
)
from ketnghia.imports.readers.header import column_letter
from ketnghia.imports.readers.number_formats import PercentRows, percent_cells
from ketnghia.imports.readers.sparse import RowsOutOfOrder, sheet_merges, sparse_rows
from ketnghia.imports.readers.stream import stream_rows

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _unreadable_workbook(name: str, error: Exception | None = None) -> InvalidInput:
    if isinstance(error, PasswordError):
        return _password_protected(name)
    return InvalidInput(
        Problem(
            _(
                "This file is not a readable Excel workbook (.xlsx): it is damaged or of another type."
            ),
            Location(file=name),
        )
    )


def _password_protected(name: str) -> InvalidInput:
    return InvalidInput(
        Problem(
            _("This workbook is password-protected; save a copy without a password and upload it."),
            Location(file=name),
        )
    )


def _check_workbook_signature(path: Path, name: str) -> None:
    """Refuse early what is not an xlsx zip; an encrypted xlsx is an OLE file with a package."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(b"PK"):
            # Before calamine opens it: calamine reads the shared strings whole at once.
            check_archive(path, name)
            return
        if head == OLE_MAGIC:
            handle.seek(0)
            tail = b""
            while chunk := handle.read(READ_BLOCK):
                if _ENCRYPTED_PACKAGE in tail + chunk:
                    raise _password_protected(name)
                tail = chunk[-len(_ENCRYPTED_PACKAGE) :]
    raise _unreadable_workbook(name)


def open_workbook(path: Path, name: str) -> CalamineWorkbook:
    _check_workbook_signature(path, name)
    try:
        return CalamineWorkbook.from_path(str(path))
    except CalamineError as error:
        raise _unreadable_workbook(name, error) from None


# Cells a sheet may span (rows × columns from A1) before it is refused unread; see `extent`.
DEFAULT_MAX_CELLS = 25_000_000
# Cells from which a sheet is streamed row by row (`stream`) rather than loaded whole by
# calamine (fast, but it holds the whole sheet): about 40,000 rows of a census template, some
# 60 MB in calamine; above it memory no longer grows with the rows.
DEFAULT_STREAM_CELLS = 1_000_000


_WORKSHEET_PART = re.compile(r"(?i)worksheets/[^/]+\.xml$")


def max_cells() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS))


def stream_cells() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_STREAM_CELLS", DEFAULT_STREAM_CELLS))


@dataclass
class LoadedSheet:
    """A sheet calamine has read, with what calamine does not give: its error cells.

    A sheet whose extent is beyond `max_cells()` is not given to calamine: `worksheet` is
    None and its rows are streamed by their cells from `member` (`sparse`). So is a sheet
    beyond `stream_cells()` whose cells carry their references (`streamed`: `stream`, the
    faster reader), so memory does not grow with a large file's rows.
    """

    worksheet: CalamineSheet | None
    errors: dict[tuple[int, int], str]
    member: str = ""
    height: int = 0
    streamed: bool = False


def _sheet_extent(path: Path, name: str, sheet: str) -> tuple[Extent, str]:
    """Return the sheet's extent and XML part, before calamine reads it.

    A sheet beyond `max_cells()` whose part cannot be found is refused (it cannot be read
    by its cells either)."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = sheet_members(archive).get(sheet)
            sheet_members_found = member is not None
            if member is None:
                # The sheet's part is not where the relations say: bound every worksheet
                # part instead (their error cells cannot be placed, so none are kept).
                candidates = [
                    name_ for name_ in archive.namelist() if _WORKSHEET_PART.search(name_)
                ]
                extents = [sheet_extent(archive, candidate) for candidate in candidates]
                extent = max(extents, key=lambda found: found.cells, default=Extent())
                extent.errors = {}
                extent.references = False  # a guessed part is never streamed
                member = candidates[extents.index(extent)] if extents else ""
            else:
                extent = sheet_extent(archive, member)
            limit = max_cells()
            if member and extent.cells > limit and extent.narrow and extent.columns < 26:
                extent.columns = max(extent.columns, widest_single_letter(archive, member))
                extent.narrow = False
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        KeyError,
        ElementTree.ParseError,
        expat.ExpatError,
    ):
        raise _unreadable_workbook(name) from None
    if extent.cells > limit and not (member and sheet_members_found):
        raise InvalidInput(
            Problem(
                _(
                    "Sheet “%(sheet)s” has values as far as cell %(cell)s: %(rows)s rows × "
                    "%(columns)s columns, more than the %(limit)s cells an import reads. Delete "
                    "the rows and columns beyond your data (select them, Delete, save), or "
                    "split the file."
                )
                % {
                    "sheet": sheet,
                    "cell": f"{column_letter(extent.columns - 1)}{extent.rows}",
                    "rows": format_number(extent.rows),
                    "columns": format_number(extent.columns),
                    "limit": format_number(limit),
                },
                Location(file=name, sheet=sheet),
            )
        )
    return extent, member


def _error_cells_problems(
    name: str, sheet: str, errors: dict[tuple[int, int], str]
) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                excel_error_message(error),
                Location(file=name, sheet=sheet, row=row, column=column_letter(column - 1)),
            )
            for (row, column), error in sorted(errors.items())
        ]
    )


def load_sheet(path: Path, name: str, sheet: str) -> LoadedSheet:
    """Read one sheet with calamine once its extent is known to fit; a sheet beyond it is
    left to be read by its cells."""
    extent, member = _sheet_extent(path, name, sheet)
    if extent.cells > max_cells():
        return LoadedSheet(None, {}, member=member, height=extent.rows)
    if extent.cells > stream_cells() and extent.references and member:
        return LoadedSheet(None, {}, member=member, height=extent.rows, streamed=True)
    workbook = open_workbook(path, name)
    try:
        worksheet = workbook.get_sheet_by_name(sheet)
    except CalamineError as error:
        # calamine refuses the newer error values (#SPILL!, #CALC!): name them instead.
        if extent.errors:
            raise _error_cells_problems(name, sheet, extent.errors) from None
        raise _unreadable_workbook(name, error) from None
    finally:
        workbook.close()
    return LoadedSheet(worksheet, extent.errors)


def xlsx_rows(
    path: Path,
    name: str,
    sheet: str,
    on_sheet_height: Callable[[str, int], None] | None = None,
    loaded: dict[str, LoadedSheet] | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """Yield a sheet's rows; `loaded` hands over (and keeps) sheets already read.

    Cells holding an Excel error come as `ExcelError` ("#N/A"), not blank as calamine gives
    them; a merged range's value is in every cell of the range, on rows that hold anything
    else (a village merged down over its households' rows).
    """
    entry = loaded.pop(sheet, None) if loaded is not None else None
    if entry is None:
        entry = load_sheet(path, name, sheet)
    if loaded is not None and on_sheet_height is None:
        # The header search reads a sheet first; the data pass takes it from here instead of
        # parsing the whole sheet a second time.
        loaded[sheet] = entry
    worksheet = entry.worksheet
    if worksheet is None:
        if on_sheet_height is not None:
            on_sheet_height(sheet, entry.height)
        yield from _sparse_rows(path, name, sheet, entry.member, streamed=entry.streamed)
        return
    if on_sheet_height is not None:
        on_sheet_height(sheet, worksheet.total_height)
    rows = _plain_rows(worksheet)
    merges = worksheet.merged_cell_ranges or []
    if entry.errors or merges:
        rows = _fixed_rows(rows, entry.errors, merges)
    yield from rows


def _sparse_rows(
    path: Path, name: str, sheet: str, member: str, *, streamed: bool = False
) -> Iterator[tuple[int, list[Any]]]:
    """Yield a far-reaching or large sheet's rows by its cells (`sparse`, or `stream` when
    `streamed`), merged ranges carried."""
    try:
        with zipfile.ZipFile(path) as archive:
            merges = sheet_merges(archive, member)
            rows = (stream_rows if streamed else sparse_rows)(archive, member)
            yield from _fixed_rows(rows, {}, merges) if merges else rows
    except RowsOutOfOrder as error:
        raise InvalidInput(
            Problem(
                _(
                    "Row %(row)s of sheet “%(sheet)s” is stored after row %(after)s, and the "
                    "sheet reaches far beyond its data: open the file in Excel, delete the rows "
                    "and columns beyond your data and save it again."
                )
                % {"row": error.row, "after": error.after, "sheet": sheet},
                Location(file=name, sheet=sheet, row=error.row),
            )
        ) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        KeyError,
        ElementTree.ParseError,
        expat.ExpatError,
    ):
        raise _unreadable_workbook(name) from None


def _plain_rows(worksheet: CalamineSheet) -> Iterator[tuple[int, list[Any]]]:
    start = worksheet.start
    if start is None:
        return
    first_row, first_column = start
    rows = iter(worksheet.iter_rows())
    # python-calamine pads the rows above the used range with blank rows (so the n-th row
    # yielded is spreadsheet row n) but starts each row at the used range's first column.
    # Both are checked rather than assumed, so an upgrade cannot shift row numbers.
    offset = 0
    first = next(rows, None)
    if first is None:
        return
    if first_row > 0 and any(not is_blank(cell) for cell in first):
        offset = first_row
    padding = [None] * first_column
    yield 1 + offset, padding + list(first)
    if first_column:
        for index, values in enumerate(rows, start=2):
            yield index + offset, padding + list(values)
    else:
        for index, values in enumerate(rows, start=2):
            yield index + offset, values if type(values) is list else list(values)


def _fixed_rows(
    rows: Iterator[tuple[int, list[Any]]],
    errors: dict[tuple[int, int], str],
    merges: list[tuple[tuple[int, int], tuple[int, int]]],
) -> Iterator[tuple[int, list[Any]]]:
    """Put error values and merged ranges' values into the rows calamine yields."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, column), error in errors.items():
        by_row.setdefault(row, []).append((column - 1, error))
    # (first row, last row) as the spreadsheet numbers them; columns 0-based.
    pending = sorted((top + 1, bottom + 1, left, right) for (top, left), (bottom, right) in merges)
    active: list[tuple[int, int, int, int, Any]] = []
    position = 0
    for number, values in rows:
        if number in by_row:
            values = list(values)
            for index, error in by_row[number]:
                if index >= len(values):
                    values.extend([None] * (index + 1 - len(values)))
                values[index] = ExcelError(error)
        while position < len(pending) and pending[position][0] <= number:
            top, bottom, left, right = pending[position]
            position += 1
            if top == number and left < len(values) and not is_blank(values[left]):
                active.append((top, bottom, left, right, values[left]))
        if active:
            active = [merge for merge in active if merge[1] >= number]
            if active and any(not is_blank(value) for value in values):
                values = list(values)
                for _top, _bottom, left, right, value in active:
                    if right >= len(values):
                        values.extend([None] * (right + 1 - len(values)))
                    for index in range(left, right + 1):
                        values[index] = value
        yield number, values


def sheet_percent_cells(
    path: Path, name: str, sheet: str, columns: list[int]
) -> dict[int, PercentRows]:
    """Return, per 0-based column of `columns`, the rows whose cell is percent-formatted."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = sheet_members(archive).get(sheet)
            if member is None:
                return {column: PercentRows() for column in columns}
            return percent_cells(archive, member, columns)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        KeyError,
        ElementTree.ParseError,
        expat.ExpatError,
    ):
        raise _unreadable_workbook(name) from None


def mark_percent_cells(
    rows: Iterator[tuple[int, list[Any]]], marked: dict[int, PercentRows]
) -> Iterator[tuple[int, list[Any]]]:
    """Yield `rows` with the numbers of percent-formatted cells as `PercentNumber`."""
    columns = [(column, found) for column, found in marked.items() if len(found)]
    if not columns:
        yield from rows
        return
    for number, values in rows:
        for column, found in columns:
            if column < len(values) and number in found:
                value = values[column]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values = values if type(values) is list else list(values)
                    values[column] = PercentNumber(value)
        yield number, values


def workbook_sheets(path: str | Path, *, name: str | None = None) -> list[str]:
    """Return the visible worksheets of a workbook, in order; [] for a CSV file."""
    path = Path(path)
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return []
    workbook = open_workbook(path, name or path.name)
    try:
        return [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
    finally:
        workbook.close()
