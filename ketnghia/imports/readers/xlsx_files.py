"""Excel workbooks (.xlsx, .xlsm) read with python-calamine: refuse what is not a readable
workbook (an old .xls, a password-protected or damaged file), list the visible worksheets,
and yield a sheet's rows with their spreadsheet row numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
from ketnghia.imports.readers.cells import is_blank
from ketnghia.imports.readers.csv_files import OLE_MAGIC, READ_BLOCK

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


def _load_sheet(path: Path, name: str, sheet: str) -> CalamineSheet:
    workbook = open_workbook(path, name)
    try:
        return workbook.get_sheet_by_name(sheet)
    except CalamineError as error:
        raise _unreadable_workbook(name, error) from None
    finally:
        workbook.close()


def xlsx_rows(
    path: Path,
    name: str,
    sheet: str,
    on_sheet_height: Callable[[str, int], None] | None = None,
    loaded: dict[str, CalamineSheet] | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """Yield a sheet's rows; `loaded` hands over (and keeps) sheets already read."""
    worksheet = loaded.pop(sheet, None) if loaded is not None else None
    if worksheet is None:
        worksheet = _load_sheet(path, name, sheet)
    if loaded is not None and on_sheet_height is None:
        # The header search reads a sheet first; the data pass takes it from here instead of
        # parsing the whole sheet a second time.
        loaded[sheet] = worksheet
    if on_sheet_height is not None:
        on_sheet_height(sheet, worksheet.total_height)
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
