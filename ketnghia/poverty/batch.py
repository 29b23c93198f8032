"""Classify a CSV file of households under a standard, for auditors: no database involved.

The file is read as a stream and classified in chunks through `classify_many`, so memory
stays bounded whatever its size. Rows are validated all the way to the end even after the
first problem, so every bad cell is reported at once; the output is written to a temporary
file beside the destination and only moved into place when the whole file was clean.
"""

from __future__ import annotations

import csv
import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.outputs import csv_row
from ketnghia.core.text import fold, nfc, parse_amount
from ketnghia.imports.readers import csv_delimiter, csv_encoding, csv_records
from ketnghia.poverty.domain import Area, Standard
from ketnghia.poverty.rules import classify_many, income_problem

REQUIRED_COLUMNS = ("household_code", "area", "monthly_income_per_person")
OUTPUT_COLUMNS = ("status", "deprivation_count", "rule")
# Rows classified per numpy call: large enough to amortise the call, small enough that a
# chunk of a 12-indicator standard stays a few megabytes.
CHUNK_ROWS = 50_000
# Beyond this the listing stops with a count: a wrong file (another standard, a shifted
# column) must not fill the memory with millions of identical messages.
MAX_PROBLEMS = 10_000

# Values officers write for the area, compared without diacritics or case.
_AREAS = {
    "rural": Area.RURAL,
    "nong thon": Area.RURAL,
    "urban": Area.URBAN,
    "thanh thi": Area.URBAN,
    "do thi": Area.URBAN,
}


def column_key(header: str) -> str:
    """Return the form a header is matched in: "Household code" and "household_code" agree."""
    return "_".join(fold(header).replace("-", " ").replace("_", " ").split())


@dataclass
class BatchSummary:
    """What a clean run classified."""

    rows: int = 0
    by_status: Counter[str] = field(default_factory=Counter)


@dataclass
class _Chunk:
    cells: list[list[str]] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    incomes: list[int] = field(default_factory=list)
    deprivations: list[list[int]] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, problem: Problem) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        problems = list(self.items)
        if self.dropped:
            problems.append(
                Problem(
                    _("%(count)s more problems are not listed; fix the ones above first.")
                    % {"count": self.dropped}
                )
            )
        raise InvalidInput(problems, count=len(self.items) + self.dropped)


class _Layout:
    """Which position holds each column the standard needs, and where the outputs go."""

    def __init__(self, header: list[str], standard: Standard, name: str) -> None:
        self.header = [nfc(cell) for cell in header]
        self.width = len(self.header)
        self.problems: list[Problem] = []
        positions: dict[str, int] = {}
        for index, cell in enumerate(self.header):
            key = column_key(cell)
            if not key:
                continue
            if key in positions:
                self.problems.append(
                    Problem(
                        _("Column “%(column)s” appears more than once.") % {"column": cell},
                        Location(file=name, row=1, column=cell),
                    )
                )
            positions.setdefault(key, index)
        wanted = (*REQUIRED_COLUMNS, *standard.indicator_codes)
        for column in wanted:
            if column not in positions:
                self.problems.append(
                    Problem(
                        _("Missing column “%(column)s” (standard %(standard)s).")
                        % {"column": column, "standard": standard.code},
                        Location(file=name, row=1, column=column),
                    )
                )
        self.positions = positions
        self.indicators = [positions.get(code, -1) for code in standard.indicator_codes]
        # Output columns already present (a re-run on an output file) are overwritten in
        # place rather than repeated.
        self.outputs = []
        for column in OUTPUT_COLUMNS:
            if column not in positions:
                positions[column] = len(self.header)
                self.header.append(column)
            self.outputs.append(positions[column])

    def label(self, column: str) -> str:
        return self.header[self.positions[column]]


def _read_row(
    number: int,
    cells: list[str],
    layout: _Layout,
    standard: Standard,
    seen: dict[str, int],
    name: str,
    problems: _Problems,
) -> tuple[str, int, list[int]] | None:
    """Return a row's area, income (rounded up to whole đồng) and 0/1 flags, or None if bad."""
    found: list[Problem] = []

    def bad(column: str, message: str) -> None:
        found.append(Problem(message, Location(file=name, row=number, column=layout.label(column))))

    if any(cell.strip() for cell in cells[layout.width :]):
        found.append(
            Problem(
                _("The row has more cells than the header has columns."),
                Location(file=name, row=number),
            )
        )
    # Short rows (trailing empty cells left out) are padded; the output cells are added.
    del cells[layout.width :]
    cells += [""] * (len(layout.header) - len(cells))

    code = nfc(cells[layout.positions["household_code"]])
    if not code:
        bad("household_code", _("The household code is empty."))
    elif code in seen:
        bad(
            "household_code",
            _("Household code “%(code)s” already appears in row %(row)s.")
            % {"code": code, "row": seen[code]},
        )
    else:
        seen[code] = number

    area_text = cells[layout.positions["area"]]
    area = _AREAS.get(fold(area_text))
    if area is None:
        bad(
            "area",
            _("Area “%(value)s” is not known; write rural (nông thôn) or urban (thành thị).")
            % {"value": area_text.strip()},
        )

    income: int | None = None
    income_text = cells[layout.positions["monthly_income_per_person"]]
    if not income_text.strip():
        bad("monthly_income_per_person", _("The monthly income per person is empty."))
    else:
        try:
            amount = parse_amount(income_text)
        except ValueError as error:
            bad("monthly_income_per_person", str(error))
        else:
            message = income_problem(amount, standard.income_ceiling)
            if message is not None:
                bad("monthly_income_per_person", message)
            else:
                # Every line is a whole number of đồng, so rounding up keeps every comparison.
                income = math.ceil(amount)

    flags: list[int] = []
    for code_, position in zip(standard.indicator_codes, layout.indicators, strict=True):
        value = cells[position].strip()
        if value in {"0", "1"}:
            flags.append(int(value))
        else:
            bad(code_, _("Write 1 if the household is deprived on this indicator, else 0."))

    for problem in found:
        problems.add(problem)
    if found or area is None or income is None:
        return None
    return area, income, flags


def _flush(
    chunk: _Chunk, standard: Standard, layout: _Layout, writer: Any, summary: BatchSummary
) -> None:
    if not chunk.cells:
        return
    columns = len(standard.indicators)
    matrix = np.array(chunk.deprivations, dtype=np.int8).reshape(len(chunk.cells), columns)
    result = classify_many(
        standard, chunk.areas, np.array(chunk.incomes, dtype=np.int64), matrix if columns else None
    )
    status_at, count_at, rule_at = layout.outputs
    for cells, status, count, rule in zip(
        chunk.cells, result.status, result.deprivation_count, result.rule, strict=True
    ):
        cells[status_at], cells[count_at], cells[rule_at] = str(status), str(count), str(rule)
        # The input's own cells go back out: formula-like text is guarded (core.outputs).
        writer.writerow(csv_row(cells))
    summary.rows += len(chunk.cells)
    summary.by_status.update(result.status.tolist())
    for column in (chunk.cells, chunk.areas, chunk.incomes, chunk.deprivations):
        column.clear()


def classify_csv(
    standard: Standard, source: Path, destination: Path, *, name: str | None = None
) -> BatchSummary:
    """Classify every household of `source` into `destination`; InvalidInput lists every problem.

    Nothing is written to `destination` unless the whole file is clean. `name` is how
    messages call the input (its file name by default, never a server path).
    """
    source, destination = Path(source), Path(destination)
    name = name or source.name
    if not source.is_file():
        raise InvalidInput(Problem(_("File not found."), Location(file=name)))
    if not destination.parent.is_dir():
        raise InvalidInput(
            Problem(
                _("The output folder does not exist."),
                Location(file=destination.name),
            )
        )
    encoding = csv_encoding(source, name)
    delimiter = csv_delimiter(source, encoding)
    problems = _Problems()
    summary = BatchSummary()
    # A new file beside the destination (same file system, so the final move is atomic),
    # created with the user's usual permissions.
    partial = destination.parent / f".{destination.name}.{secrets.token_hex(4)}.part"
    try:
        with partial.open("x", encoding="utf-8-sig", newline="") as handle_out:
            records = csv_records(source, name, encoding, delimiter)
            header = next(records, None)
            if header is None or not any(cell.strip() for cell in header[1]):
                raise InvalidInput(
                    Problem(_("The file is empty: no header row."), Location(file=name))
                )
            layout = _Layout(header[1], standard, name)
            if layout.problems:
                raise InvalidInput(layout.problems)
            writer = csv.writer(handle_out, delimiter=delimiter)
            writer.writerow(csv_row(layout.header))
            seen: dict[str, int] = {}
            chunk = _Chunk()
            for number, cells in records:
                if not any(cell.strip() for cell in cells):
                    continue
                row = _read_row(number, cells, layout, standard, seen, name, problems)
                if row is None or problems.items:
                    # Once a problem is found nothing will be written: keep checking only.
                    continue
                chunk.cells.append(cells)
                chunk.areas.append(row[0])
                chunk.incomes.append(row[1])
                chunk.deprivations.append(row[2])
                if len(chunk.cells) >= CHUNK_ROWS:
                    _flush(chunk, standard, layout, writer, summary)
            problems.raise_if_any()
            _flush(chunk, standard, layout, writer, summary)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary
