"""Finding a table's header: the wanted columns, matched to the file's headers whatever
their diacritics, case, spacing or alias, among the first non-blank rows (a title block
may sit above them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.errors import Location, Problem
from ketnghia.core.text import fold
from ketnghia.imports.readers.cells import cell_text, is_blank

# How many non-blank rows to look through for the header: templates put a title, the
# issuing office and a blank line above it, never pages of text.
HEADER_SEARCH_ROWS = 20


_NON_WORD = re.compile(r"[^0-9a-z]+")


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
    # A column of percentages (0–100): its workbook cells formatted as a percentage come as
    # `PercentNumber` (97 % is stored 0.97), for `cell_percent` to read as the percent shown.
    percent: bool = False

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


@dataclass
class Layout:
    """Where a sheet's header is and which file column holds each wanted column."""

    sheet: str
    header_row: int
    positions: dict[str, int]
    headers: dict[str, str]
    # The header's extent: the columns left of `width` are the table's, except those whose
    # header cell is blank (`unheaded`); a value elsewhere in a data row is a stray cell.
    width: int = 0
    unheaded: tuple[int, ...] = ()


def looks_like_data(problems: list[Problem]) -> bool:
    """Tell a data sheet with a faulty header from a sheet that is not data (instructions)."""
    return any(getattr(problem, "partial_header", False) for problem in problems)


@dataclass(frozen=True)
class _HeaderProblem(Problem):
    partial_header: bool = field(default=False)


def find_layout(
    rows: Iterator[tuple[int, list[Any]]], columns: tuple[Column, ...], name: str, sheet: str
) -> Layout | list[Problem]:
    """Find the header among the first non-blank rows; return the layout or what is wrong."""
    best: tuple[int, int, dict[str, list[int]], list[Any]] | None = None
    seen = 0
    examined: dict[int, dict[str, list[int]]] = {}
    try:
        for number, values in rows:
            if all(is_blank(value) for value in values):
                continue
            seen += 1
            matched = _match_header(values, columns)
            examined[number] = matched
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
    split = _split_header(examined, number, columns)
    if split is not None:
        first, second = split
        return [
            _HeaderProblem(
                _(
                    "The header is written over two rows (%(first)s and %(second)s): put every "
                    "column's header in one row, the row right above the data."
                )
                % {"first": first, "second": second},
                Location(file=name, sheet=sheet, row=first),
                partial_header=True,
            )
        ]
    return [
        _HeaderProblem(
            _("Missing column “%(column)s”: no header of the first rows matches it.")
            % {"column": label},
            Location(file=name, sheet=sheet, row=number),
            partial_header=len(matched) >= 2,
        )
        for label in missing
    ]


def _split_header(
    examined: dict[int, dict[str, list[int]]], number: int, columns: tuple[Column, ...]
) -> tuple[int, int] | None:
    """Return the two rows that hold the required headers between them, if two do."""
    required = {column.key for column in columns if column.required}
    for first, second in ((number - 1, number), (number, number + 1)):
        if (
            examined.get(first)
            and examined.get(second)
            and required <= set(examined[first]) | set(examined[second])
        ):
            return first, second
    return None


def _match_header(values: list[Any], columns: tuple[Column, ...]) -> dict[str, list[int]]:
    matched: dict[str, list[int]] = {}
    for index, value in enumerate(values):
        if is_blank(value):
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
) -> Layout | list[Problem]:
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
    width = max((index + 1 for index, value in enumerate(values) if not is_blank(value)), default=0)
    unheaded = tuple(index for index in range(width) if is_blank(values[index]))
    return Layout(sheet, number, positions, headers, width=width, unheaded=unheaded)
