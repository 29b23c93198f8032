"""Read CSV and XLSX tables row by row, with the location a user can find in their spreadsheet.

`open_table(path, columns)` finds the header (it may sit below a title block), matches the
file's column headers to the wanted columns whatever their diacritics, case, spacing or alias,
and returns a `Table` whose `rows()` streams the data rows with their real row number and sheet
name. Blank rows are skipped. Any file the reader cannot use is an `InvalidInput` naming it.

The `cell_*` parsers turn a cell into text, an integer, a date or a number the Vietnamese way
("0,5", "50%", "01/07/2025") and raise `CellError` with a translatable message; importers
turn that into a `Problem` with `Row.problem`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
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
from ketnghia.core.text import AmbiguousNumber, fold, parse_amount

CSV_SUFFIXES = frozenset({".csv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

# How many non-blank rows to look through for the header: templates put a title, the
# issuing office and a blank line above it, never pages of text.
HEADER_SEARCH_ROWS = 20
# Beyond this many problems an import stops listing them: nobody reads 100,000 lines, and
# a wrong file must not exhaust memory.
MAX_PROBLEMS = 500

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1 << 20
# Legacy encodings tried, in order, when a CSV is not UTF-8: Vietnamese Windows first.
_FALLBACK_ENCODINGS = ("cp1258", "cp1252")
_NON_WORD = re.compile(r"[^0-9a-z]+")


class CellError(ValueError):
    """A cell that cannot be read as the wanted type; the message is for the user."""


def header_key(text: str) -> str:
    """Return the form headers are compared in: folded, punctuation and spacing ignored.

    "Mã xã (*)", "MÃ  XÃ", "ma_xa" and the NFD spelling of "Mã xã" all give "ma xa".
    """
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


@dataclass(frozen=True)
class Column:
    """A column an import wants: its key in `Row.cells` and the headers accepted for it."""

    key: str
    names: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        """Return the header a template uses for this column (the first accepted name)."""
        return self.names[0]

    def matches(self, key: str) -> bool:
        return key in {header_key(name) for name in self.names}


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class Row:
    """One data row: cell values by column key, and where it is in the file."""

    file: str
    sheet: str
    number: int
    cells: Mapping[str, Any]
    headers: Mapping[str, str]

    def get(self, key: str) -> Any:
        return self.cells.get(key)

    def is_blank(self, key: str) -> bool:
        return _is_blank(self.cells.get(key))

    def location(self, key: str = "") -> Location:
        return Location(
            file=self.file, sheet=self.sheet, row=self.number, column=self.headers.get(key, "")
        )

    def problem(self, key: str, message: str) -> Problem:
        return Problem(message, self.location(key))


@dataclass
class _Layout:
    """Where a sheet's header is and which file column holds each wanted column."""

    sheet: str
    header_row: int
    positions: dict[str, int]
    headers: dict[str, str]


@dataclass
class Table:
    """A table file whose header has been found; `rows()` reads it again lazily each time."""

    path: Path
    name: str
    columns: tuple[Column, ...]
    layouts: list[_Layout]
    encoding: str = ""
    delimiter: str = ","
    # Workbook sheets already parsed by `open_table`, used once by the first pass over rows.
    loaded: dict[str, CalamineSheet] = field(default_factory=dict, repr=False)

    @property
    def sheets(self) -> list[str]:
        return [layout.sheet for layout in self.layouts]

    def rows(self) -> Iterator[Row]:
        """Yield every non-blank data row below the header, sheet by sheet."""
        for layout in self.layouts:
            for number, values in self._raw_rows(layout.sheet):
                if number <= layout.header_row:
                    continue
                cells = {
                    key: _clean(values[index]) if index < len(values) else None
                    for key, index in layout.positions.items()
                }
                if all(_is_blank(value) for value in cells.values()):
                    continue
                yield Row(self.name, layout.sheet, number, cells, layout.headers)

    def chunks(
        self, size: int, *, on_sheet_height: Callable[[str, int], None] | None = None
    ) -> Iterator[Chunk]:
        """Yield the non-blank data rows in chunks of at most `size` rows, cells left raw.

        The fast path of bulk imports: no per-row objects, cells exactly as the file holds
        them (CSV text untrimmed and not normalised, typed workbook values), addressed by
        column with `Chunk.column`. A chunk never spans two sheets. `on_sheet_height` hears a
        workbook sheet's row count once it is loaded (for a progress bar).
        """
        for layout in self.layouts:
            # The required columns come first: a data row has them filled, so the blank test
            # usually stops at the first cell it looks at.
            positions = [
                layout.positions[column.key]
                for column in sorted(self.columns, key=lambda column: not column.required)
                if column.key in layout.positions
            ]
            first = positions[0]
            numbers: list[int] = []
            rows: list[list[Any]] = []
            records = self._raw_rows(layout.sheet, on_sheet_height)
            for number, _values in records:
                if number >= layout.header_row:
                    break
            for number, values in records:
                # Inline fast test on the first required cell; the full test only when it
                # is empty (a blank row, or a row with a required cell missing).
                value = values[first] if first < len(values) else None
                if (not value or (type(value) is str and value.isspace())) and _blank_at(
                    values, positions
                ):
                    continue
                numbers.append(number)
                rows.append(values)
                if len(rows) >= size:
                    yield Chunk(
                        self.name, layout.sheet, numbers, rows, layout.positions, layout.headers
                    )
                    numbers, rows = [], []
            if rows:
                yield Chunk(
                    self.name, layout.sheet, numbers, rows, layout.positions, layout.headers
                )

    def header_row(self, sheet: str) -> int:
        """Return the row number of `sheet`'s header."""
        return next(layout.header_row for layout in self.layouts if layout.sheet == sheet)

    def raw_rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """Yield (row number, every cell as the file holds it) of `sheet`, header included."""
        return self._raw_rows(sheet)

    def count_lines(self) -> int | None:
        """Return about how many data rows a CSV holds (its line count), None for a workbook.

        Counted on the bytes in chunks, so it is cheap; a line break quoted inside a cell
        makes it an overestimate, which a progress bar can live with.
        """
        if self.path.suffix.lower() not in CSV_SUFFIXES:
            return None
        lines = 0
        last = b"\n"
        with self.path.open("rb") as handle:
            while block := handle.read(_CHUNK):
                lines += block.count(b"\n")
                last = block[-1:]
        if last != b"\n":
            lines += 1
        return max(0, lines - self.layouts[0].header_row)

    def _raw_rows(
        self, sheet: str, on_sheet_height: Callable[[str, int], None] | None = None
    ) -> Iterator[tuple[int, list[Any]]]:
        if self.path.suffix.lower() in CSV_SUFFIXES:
            return csv_records(self.path, self.name, self.encoding, self.delimiter)
        worksheet = self.loaded.pop(sheet, None)
        if worksheet is not None:
            return _xlsx_rows(
                self.path, self.name, sheet, on_sheet_height, loaded={sheet: worksheet}
            )
        return _xlsx_rows(self.path, self.name, sheet, on_sheet_height)


@dataclass
class Chunk:
    """Consecutive data rows of one sheet, raw, for column-wise checks (see `Table.chunks`)."""

    file: str
    sheet: str
    numbers: list[int]
    rows: list[list[Any]]
    positions: Mapping[str, int]
    headers: Mapping[str, str]
    _columns: list[tuple[Any, ...]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, key: str) -> bool:
        return key in self.positions

    def column(self, key: str) -> Sequence[Any]:
        """Return the raw cells of column `key`, one per row (None where a row is short)."""
        index = self.positions.get(key)
        if index is None:
            return [None] * len(self.rows)
        if self._columns is None:
            widest = max(self.positions.values())
            # One transposition in C serves every column, when no row is short (CSV rows
            # may leave trailing empty cells out, and zip would cut them all to the shortest).
            self._columns = (
                list(zip(*self.rows, strict=False))
                if self.rows and min(map(len, self.rows)) > widest
                else []
            )
        if self._columns:
            return self._columns[index]
        return [values[index] if index < len(values) else None for values in self.rows]

    def location(self, index: int, key: str = "") -> Location:
        return Location(
            file=self.file,
            sheet=self.sheet,
            row=self.numbers[index],
            column=self.headers.get(key, ""),
        )

    def problem(self, index: int, key: str, message: str) -> Problem:
        return Problem(message, self.location(index, key))


def _blank_at(values: list[Any], positions: list[int]) -> bool:
    """Return whether every cell of `values` at `positions` is blank."""
    width = len(values)
    for index in positions:
        if index < width:
            value = values[index]
            if (
                value is not None
                and value != ""
                and not (isinstance(value, str) and value.isspace())
            ):
                return False
    return True


class ProblemList:
    """Problems an import found, capped at `limit` so a wrong file cannot flood the report."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.items: list[Problem] = []
        self.dropped = 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    def add(self, problem: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)
        else:
            self.dropped += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def raise_if_any(self) -> None:
        """Raise InvalidInput with every problem listed (and a count of those left out)."""
        if not self.items:
            return
        # Checks run in passes (cells, then the database, then across rows), but people fix
        # a file from top to bottom: list by sheet, in the order sheets came, then by row.
        sheets: dict[tuple[str, str], int] = {}
        for problem in self.items:
            sheets.setdefault((problem.location.file, problem.location.sheet), len(sheets))
        problems = sorted(
            self.items,
            key=lambda p: (
                sheets[(p.location.file, p.location.sheet)],
                p.location.row if p.location.row is not None else 0,
                _column_order(p.location.column),
            ),
        )
        if self.dropped:
            problems.append(
                Problem(
                    _("%(count)s more problems are not listed; fix the ones above first.")
                    % {"count": self.dropped}
                )
            )
        raise InvalidInput(problems)


def _column_order(column: str) -> tuple[int, str]:
    """Return a sort key putting "B (…)" before "AA (…)"; columns without a letter first."""
    letters = column.split(" ", 1)[0] if column else ""
    if not (letters.isascii() and letters.isalpha() and letters.isupper()):
        return (0, "")
    return (len(letters), letters)


def open_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    name: str | None = None,
    sheet: str | None = None,
    skip_sheets: Iterable[str] = (),
) -> Table:
    """Open a CSV or XLSX file and find its header; raise InvalidInput if it is unusable.

    `name` is how messages call the file (default: its file name, never the server's path).
    For a workbook, every worksheet whose header holds the required columns is read, so an
    instructions sheet is skipped; `sheet` reads only that one; `skip_sheets` are left to
    another table of the same workbook (a census's members sheet).
    """
    path = Path(path)
    name = name or path.name
    columns = tuple(columns)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InvalidInput(Problem(_("File not found."), Location(file=name)))
    if suffix in CSV_SUFFIXES:
        encoding = csv_encoding(path, name)
        delimiter = csv_delimiter(path, encoding)
        rows = csv_records(path, name, encoding, delimiter)
        layout = _find_layout(rows, columns, name, "")
        if isinstance(layout, list):
            raise InvalidInput(layout)
        return Table(path, name, columns, [layout], encoding=encoding, delimiter=delimiter)
    if suffix in XLSX_SUFFIXES:
        return _open_workbook_table(path, name, columns, sheet, frozenset(skip_sheets))
    raise InvalidInput(
        Problem(
            _("This file type is not supported; save it as .xlsx or .csv (UTF-8)."),
            Location(file=name),
        )
    )


# --- Cells -------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    """Return a cell with text in NFC and trimmed; blank text becomes None."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    return value


def cell_text(value: Any) -> str:
    """Return a cell as text: "" when blank, 23500.0 as "23500", a date as ISO."""
    if _is_blank(value):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def cell_code(value: Any) -> str:
    """Return a code cell as text; Excel's leading apostrophe (forcing text) is dropped."""
    return cell_text(value).lstrip("'").strip()


def cell_int(value: Any) -> int:
    """Return a cell as an integer ("2016", 2016.0); CellError otherwise."""
    if isinstance(value, bool):
        raise CellError(_("Expected a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value).replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(_("Expected a whole number, found “%(value)s”.") % {"value": text})


def cell_decimal(value: Any) -> Decimal:
    """Return a cell as a Decimal, read the Vietnamese way by `core.text.parse_amount`.

    Dots and spaces group thousands ("1.234.567", "700.000" is seven hundred thousand), the
    comma is the decimal mark ("0,5", "1.234,5"); "1,234.5" and "1,234,567" are read as
    English; "1,500" is refused as ambiguous, with a message saying how to write it.
    """
    try:
        return parse_amount(value)
    except AmbiguousNumber as error:
        raise CellError(str(error)) from None
    except ValueError:
        raise CellError(
            _("Expected a number, found “%(value)s”.") % {"value": cell_text(value)}
        ) from None


def cell_fraction(value: Any) -> Decimal:
    """Return a share as a Decimal: 0.5, "0,5" and "50%" all give 0.5 (range not checked)."""
    text = cell_text(value)
    if text.endswith("%"):
        return cell_decimal(text[:-1]) / 100
    return cell_decimal(value)


_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"), ("d", "m", "y")),
)
# Excel counts days from 30 December 1899; a date typed into a cell formatted as a number
# arrives as that count.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def cell_date(value: Any) -> dt.date:
    """Return a cell as a date: a spreadsheet date, "dd/mm/yyyy" (Vietnamese order) or ISO."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = cell_text(value)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise CellError(
        _("Expected a date as dd/mm/yyyy or yyyy-mm-dd, found “%(value)s”.") % {"value": text}
    )


# --- CSV ---------------------------------------------------------------------------------


def csv_encoding(path: Path, name: str) -> str:
    """Return the CSV's encoding: UTF-8 (with or without BOM), else a Windows code page.

    The whole file is scanned in chunks, so the choice holds for its last line too while
    memory stays bounded.
    """
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
        if head.startswith(_OLE_MAGIC) or head.startswith(b"PK\x03\x04") or b"\x00" in head:
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
                chunk = handle.read(_CHUNK)
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
            while chunk := handle.read(_CHUNK):
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


# --- XLSX --------------------------------------------------------------------------------


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
        if head == _OLE_MAGIC:
            handle.seek(0)
            tail = b""
            while chunk := handle.read(_CHUNK):
                if _ENCRYPTED_PACKAGE in tail + chunk:
                    raise _password_protected(name)
                tail = chunk[-len(_ENCRYPTED_PACKAGE) :]
    raise _unreadable_workbook(name)


def _open_workbook(path: Path, name: str) -> CalamineWorkbook:
    _check_workbook_signature(path, name)
    try:
        return CalamineWorkbook.from_path(str(path))
    except CalamineError as error:
        raise _unreadable_workbook(name, error) from None


def _load_sheet(path: Path, name: str, sheet: str) -> CalamineSheet:
    workbook = _open_workbook(path, name)
    try:
        return workbook.get_sheet_by_name(sheet)
    except CalamineError as error:
        raise _unreadable_workbook(name, error) from None
    finally:
        workbook.close()


def _xlsx_rows(
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
    if first_row > 0 and any(not _is_blank(cell) for cell in first):
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
    workbook = _open_workbook(path, name or path.name)
    try:
        return [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
    finally:
        workbook.close()


def _open_workbook_table(
    path: Path,
    name: str,
    columns: tuple[Column, ...],
    sheet: str | None,
    skip_sheets: frozenset[str] = frozenset(),
) -> Table:
    workbook = _open_workbook(path, name)
    try:
        if sheet is not None:
            if sheet not in workbook.sheet_names:
                raise InvalidInput(
                    Problem(
                        _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet},
                        Location(file=name),
                    )
                )
            names = [sheet]
        else:
            names = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.typ == SheetTypeEnum.WorkSheet
                and meta.visible == SheetVisibleEnum.Visible
                and meta.name not in skip_sheets
            ]
    finally:
        workbook.close()
    layouts: list[_Layout] = []
    problems: list[Problem] = []
    first_problems: list[Problem] = []
    loaded: dict[str, CalamineSheet] = {}
    for sheet_name in names:
        found = _find_layout(
            _xlsx_rows(path, name, sheet_name, loaded=loaded), columns, name, sheet_name
        )
        if isinstance(found, _Layout):
            layouts.append(found)
        elif sheet is not None or _looks_like_data(found):
            problems.extend(found)
        elif not first_problems:
            first_problems = found
    if problems:
        raise InvalidInput(problems)
    if not layouts:
        raise InvalidInput(
            first_problems or [Problem(_("The workbook is empty."), Location(file=name))]
        )
    # Keep only the data sheets read during the search, for the first pass over the rows.
    kept = {layout.sheet: loaded[layout.sheet] for layout in layouts if layout.sheet in loaded}
    return Table(path, name, columns, layouts, loaded=kept)


def _looks_like_data(problems: list[Problem]) -> bool:
    """Tell a data sheet with a faulty header from a sheet that is not data (instructions)."""
    return any(getattr(problem, "partial_header", False) for problem in problems)


@dataclass(frozen=True)
class _HeaderProblem(Problem):
    partial_header: bool = field(default=False)


def _find_layout(
    rows: Iterator[tuple[int, list[Any]]], columns: tuple[Column, ...], name: str, sheet: str
) -> _Layout | list[Problem]:
    """Find the header among the first non-blank rows; return the layout or what is wrong."""
    best: tuple[int, int, dict[str, list[int]], list[Any]] | None = None
    seen = 0
    try:
        for number, values in rows:
            if all(_is_blank(value) for value in values):
                continue
            seen += 1
            matched = _match_header(values, columns)
            required_found = all(column.key in matched for column in columns if column.required)
            if required_found:
                return _layout_or_problems(number, values, matched, columns, name, sheet)
            if best is None or len(matched) > best[1]:
                best = (number, len(matched), matched, values)
            if seen >= HEADER_SEARCH_ROWS:
                break
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    if best is None:
        return [Problem(_("The file has no rows."), Location(file=name, sheet=sheet))]
    number, _count, matched, _values = best
    missing = [column.label for column in columns if column.required and column.key not in matched]
    return [
        _HeaderProblem(
            _("Missing column “%(column)s”: no header of the first rows matches it.")
            % {"column": label},
            Location(file=name, sheet=sheet, row=number),
            partial_header=len(matched) >= 2,
        )
        for label in missing
    ]


def _match_header(values: list[Any], columns: tuple[Column, ...]) -> dict[str, list[int]]:
    matched: dict[str, list[int]] = {}
    for index, value in enumerate(values):
        if _is_blank(value):
            continue
        key = header_key(cell_text(value))
        for column in columns:
            if column.matches(key):
                matched.setdefault(column.key, []).append(index)
                break
    return matched


def _layout_or_problems(
    number: int,
    values: list[Any],
    matched: dict[str, list[int]],
    columns: tuple[Column, ...],
    name: str,
    sheet: str,
) -> _Layout | list[Problem]:
    problems = []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for column in columns:
        indexes = matched.get(column.key, [])
        if len(indexes) > 1:
            letters = ", ".join(column_letter(index) for index in indexes)
            problems.append(
                Problem(
                    _("Column “%(column)s” appears more than once (columns %(letters)s).")
                    % {"column": column.label, "letters": letters},
                    Location(file=name, sheet=sheet, row=number),
                )
            )
        if indexes:
            positions[column.key] = indexes[0]
            headers[column.key] = f"{column_letter(indexes[0])} ({cell_text(values[indexes[0]])})"
    if problems:
        return problems
    return _Layout(sheet, number, positions, headers)
