"""A table file whose header was found (`open_table`), read row by row (`Table.rows`) or in
raw chunks for column-wise checks (`Table.chunks`), and the capped list of problems an
import collects (`ProblemList`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import SheetTypeEnum, SheetVisibleEnum

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import format_number
from ketnghia.imports.readers.cells import (
    EXCEL_ERROR_TEXTS,
    ExcelError,
    cell_text,
    clean_cell,
    is_blank,
)
from ketnghia.imports.readers.csv_files import (
    CSV_SUFFIXES,
    READ_BLOCK,
    csv_delimiter,
    csv_encoding,
    csv_records,
)
from ketnghia.imports.readers.header import (
    Column,
    Layout,
    column_letter,
    find_layout,
    looks_like_data,
)
from ketnghia.imports.readers.xlsx_files import (
    XLSX_SUFFIXES,
    LoadedSheet,
    mark_percent_cells,
    open_workbook,
    sheet_percent_cells,
    xlsx_rows,
)

# Beyond this many problems an import stops listing them: nobody reads 100,000 lines, and
# a wrong file must not exhaust memory.
MAX_PROBLEMS = 500
# Stray values listed (a note beside the table), and counted beyond that.
MAX_WARNINGS = 50
MAX_STRAY_COUNTED = 100_000


def stray_problem(file: str, sheet: str, row: int, index: int, value: Any) -> Problem:
    """Return the warning for a value outside the table's columns (it is not imported)."""
    text = cell_text(value) if not isinstance(value, ExcelError) else str(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return Problem(
        _(
            "A value outside the table's columns, “%(value)s”, is not imported: no column "
            "header is above it. Move it into its column, or delete it if it is only a note."
        )
        % {"value": text},
        Location(file=file, sheet=sheet, row=row, column=column_letter(index)),
    )


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
        return is_blank(self.cells.get(key))

    def location(self, key: str = "") -> Location:
        return Location(
            file=self.file, sheet=self.sheet, row=self.number, column=self.headers.get(key, "")
        )

    def problem(self, key: str, message: str) -> Problem:
        return Problem(message, self.location(key))


@dataclass
class Table:
    """A table file whose header has been found; `rows()` reads it again lazily each time."""

    path: Path
    name: str
    columns: tuple[Column, ...]
    layouts: list[Layout]
    encoding: str = ""
    delimiter: str = ","
    # Workbook sheets already parsed by `open_table`, used once by the first pass over rows.
    loaded: dict[str, LoadedSheet] = field(default_factory=dict, repr=False)
    # Values found outside the table's columns while reading (`stray_problem`): not read,
    # listed so the user can move or delete them. Filled by `rows()` and `chunks()`.
    warnings: ProblemList = field(default_factory=lambda: ProblemList(MAX_WARNINGS))

    @property
    def sheets(self) -> list[str]:
        return [layout.sheet for layout in self.layouts]

    def rows(self) -> Iterator[Row]:
        """Yield every non-blank data row below the header, sheet by sheet."""
        for layout in self.layouts:
            for number, values in self._raw_rows(layout.sheet):
                if number <= layout.header_row:
                    continue
                if len(values) > layout.width or layout.unheaded:
                    self._find_stray(layout, number, values)
                cells = {
                    key: clean_cell(values[index]) if index < len(values) else None
                    for key, index in layout.positions.items()
                }
                if all(is_blank(value) for value in cells.values()):
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
            width, unheaded = layout.width, layout.unheaded
            numbers: list[int] = []
            rows: list[list[Any]] = []
            records = self._raw_rows(layout.sheet, on_sheet_height)
            for number, _values in records:
                if number >= layout.header_row:
                    break
            for number, values in records:
                if len(values) > width or unheaded:
                    self._find_stray(layout, number, values)
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

    def _find_stray(self, layout: Layout, number: int, values: list[Any]) -> None:
        """Warn of the values of a data row outside the table's columns (none read)."""
        if self.warnings.full and self.warnings.dropped > MAX_STRAY_COUNTED:
            return
        tail = values[layout.width :]
        if layout.unheaded or tail.count(None) + tail.count("") != len(tail):
            indexes = [*layout.unheaded, *range(layout.width, len(values))]
            for index in indexes:
                if index < len(values) and not is_blank(values[index]):
                    self.warnings.add(
                        stray_problem(self.name, layout.sheet, number, index, values[index])
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
            while block := handle.read(READ_BLOCK):
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
            rows = xlsx_rows(
                self.path, self.name, sheet, on_sheet_height, loaded={sheet: worksheet}
            )
        else:
            rows = xlsx_rows(self.path, self.name, sheet, on_sheet_height)
        percent = self._percent_positions(sheet)
        if percent:
            return mark_percent_cells(
                rows, sheet_percent_cells(self.path, self.name, sheet, percent)
            )
        return rows

    def _percent_positions(self, sheet: str) -> list[int]:
        """Return the file columns of `sheet` holding a column of percentages."""
        layout = next((layout for layout in self.layouts if layout.sheet == sheet), None)
        if layout is None:
            return []
        return [
            layout.positions[column.key]
            for column in self.columns
            if column.percent and column.key in layout.positions
        ]


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

    def excel_errors(self) -> dict[tuple[int, str], str]:
        """Return the cells holding an Excel error ("#N/A"), by (row index, column key).

        A workbook's error cells come as `ExcelError`; a CSV cell holding exactly such a
        text is the same error saved as text. One set test per column in C keeps this cheap.
        """
        found: dict[tuple[int, str], str] = {}
        for key in self.positions:
            column = self.column(key)
            if EXCEL_ERROR_TEXTS.isdisjoint(column):
                continue
            for index, value in enumerate(column):
                if value in EXCEL_ERROR_TEXTS:
                    found[(index, key)] = str(value)
        return found

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
                    % {"count": format_number(self.dropped)}
                )
            )
        raise InvalidInput(problems, count=len(self))


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
        layout = find_layout(rows, columns, name, "")
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


def _open_workbook_table(
    path: Path,
    name: str,
    columns: tuple[Column, ...],
    sheet: str | None,
    skip_sheets: frozenset[str] = frozenset(),
) -> Table:
    workbook = open_workbook(path, name)
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
    layouts: list[Layout] = []
    problems: list[Problem] = []
    first_problems: list[Problem] = []
    loaded: dict[str, LoadedSheet] = {}
    for sheet_name in names:
        found = find_layout(
            xlsx_rows(path, name, sheet_name, loaded=loaded), columns, name, sheet_name
        )
        if isinstance(found, Layout):
            layouts.append(found)
        elif sheet is not None or looks_like_data(found):
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
