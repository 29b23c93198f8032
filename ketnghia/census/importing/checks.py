"""Check and classify one chunk of a census file, column by column (no ORM, no I/O).

Each column is checked over the whole chunk with a fast path for what files nearly always
hold ("0"/"1" flags, plain digits), and only the cells the fast path cannot read go through
the careful parsers (below, their answer cached per distinct value). What the database
knows (the commune's villages, which commune a code prefix names) comes in through
`CensusContext`, built by the service.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from ketnghia.census.importing import columns as cols
from ketnghia.census.models import entry_search_text
from ketnghia.core.text import fold, parse_amount
from ketnghia.imports import values as cells
from ketnghia.imports.readers import CellError, Chunk, ProblemList, cell_date, excel_error_message
from ketnghia.imports.values import Village, VillageLookup
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.rules import classify_many, income_problem

MAX_CODE_LENGTH = 40
MAX_NAME_LENGTH = 150
# A household code that starts with a commune code ("23500-0012") names its commune.
_COMMUNE_PREFIX = re.compile(r"(\d{5})[-./_]")

# The columns of the staging table, in the order `check_chunk` fills its tuples.
STAGE_COLUMNS = (
    ("line", "bigint"),
    ("sheet", "text"),
    ("row_number", "integer"),
    ("code", "text"),
    ("head_name", "text"),
    ("village_id", "bigint"),
    ("village_code", "text"),
    ("unit_path", "text"),
    ("area", "text"),
    ("area_overridden", "boolean"),
    ("member_count", "integer"),
    ("surveyed_on", "date"),
    ("income", "bigint"),
    ("deprivations", "integer"),
    ("deprivation_count", "integer"),
    ("status", "text"),
    ("rule", "text"),
    # The entry's folded search text (`entry_search_text`), made here in Python once per row
    # so the write stores it with the entry: folding afterwards rewrote every entry again.
    ("search_folded", "text"),
)


@dataclass
class CensusContext:
    """What the checks need to know beyond the file."""

    commune_code: str
    commune_name: str
    commune_path: str
    commune_area: str
    year: int
    standard: Standard
    villages: VillageLookup
    # Commune code → name for codes that are communes; called with the prefixes found.
    find_communes: Callable[[set[str]], Mapping[str, str]]
    _communes: dict[str, str | None] = field(default_factory=dict)

    def commune_named_by(self, prefixes: set[str]) -> dict[str, str]:
        """Return which of `prefixes` are other communes' codes (code → name), cached."""
        unknown = {p for p in prefixes if p not in self._communes}
        if unknown:
            found = self.find_communes(unknown)
            for prefix in unknown:
                self._communes[prefix] = found.get(prefix)
        return {p: name for p in prefixes if (name := self._communes.get(p)) is not None}


def _is_total_row(code: str, values: list[Any]) -> bool:
    if code:
        return code[:1] in "TtCc" and cols.is_total_label(code)
    return any(cols.is_total_label(value) for value in values)


def _drop_rows(chunk: Chunk, skip: set[int]) -> Chunk:
    keep = [i for i in range(len(chunk)) if i not in skip]
    return Chunk(
        chunk.file,
        chunk.sheet,
        [chunk.numbers[i] for i in keep],
        [chunk.rows[i] for i in keep],
        chunk.positions,
        chunk.headers,
    )


def check_chunk(
    chunk: Chunk, context: CensusContext, problems: ProblemList, first_line: int
) -> tuple[list[tuple[Any, ...]], Counter[str], int]:
    """Check every cell of `chunk`, classify its good rows and return its staging rows, the
    statuses of its good rows and how many total rows it skipped.

    Problems go to `problems`; a row with any problem is staged with its code only (its
    facts left empty), so the check for codes used twice still sees it. `first_line`
    numbers rows across chunks.
    """
    read = len(chunk)
    codes = [cells.code(value) for value in chunk.column(cols.HOUSEHOLD_CODE)]
    skip = {
        index
        for index, code in enumerate(codes)
        if (not code or code[:1] in "TtCc") and _is_total_row(code, chunk.rows[index])
    }
    if skip:
        chunk = _drop_rows(chunk, skip)
        codes = [code for index, code in enumerate(codes) if index not in skip]
    size = len(chunk)
    bad = bytearray(size)
    # A cell holding an Excel error (#N/A, #DIV/0!) is refused with the error named, and
    # only with that: its column's own check would call it empty or not a number.
    errors = chunk.excel_errors()
    for (index, key), error in sorted(errors.items()):
        bad[index] = 1
        problems.add(chunk.problem(index, key, excel_error_message(error)))

    def report(index: int, key: str, message: str) -> None:
        bad[index] = 1
        if errors and (index, key) in errors:
            return
        problems.add(chunk.problem(index, key, message))

    _check_codes(chunk, codes, context, report)
    heads = _check_heads(chunk, report)
    villages = _check_villages(chunk, context, report)
    areas, overridden = _check_areas(chunk, villages, context, report)
    members = _check_column(chunk, cols.MEMBER_COUNT, _member_count, report)
    # Survey dates as ISO text (what the staging table takes), None when blank.
    surveyed = _check_column(
        chunk, cols.SURVEYED_ON, partial(_survey_date, year=context.year), report
    )
    incomes = _check_incomes(chunk, context.standard, report)
    bits, matrix = _check_indicators(chunk, context.standard, report)

    good = [index for index in range(size) if not bad[index]]
    statuses: Counter[str] = Counter()
    status_of: list[str | None] = [None] * size
    rule_of: list[str | None] = [None] * size
    count_of: list[int | None] = [None] * size
    if good:
        every = len(good) == size
        result = classify_many(
            context.standard,
            areas if every else [areas[i] for i in good],
            incomes if every else incomes[good],
            None if matrix is None else (matrix if every else matrix[good]),
        )
        status_list = result.status.tolist()
        statuses.update(status_list)
        for index, status, rule, count in zip(
            good,
            status_list,
            result.rule.tolist(),
            result.deprivation_count.tolist(),
            strict=True,
        ):
            status_of[index], rule_of[index], count_of[index] = status, rule, count

    income_list = incomes.tolist()
    bit_list = bits.tolist()
    rows: list[tuple[Any, ...]] = []
    sheet, numbers = chunk.sheet, chunk.numbers
    for index in range(size):
        line = first_line + index
        if bad[index]:
            rows.append((line, sheet, numbers[index], codes[index] or None) + (None,) * 14)
            continue
        village = villages[index]
        rows.append(
            (
                line,
                sheet,
                numbers[index],
                codes[index],
                heads[index],
                village.id if village else None,
                village.code if village else "",
                village.path if village else context.commune_path,
                areas[index],
                overridden[index],
                members[index],
                surveyed[index],
                income_list[index],
                bit_list[index],
                count_of[index],
                status_of[index],
                rule_of[index],
                entry_search_text(codes[index], heads[index]),
            )
        )
    return rows, statuses, read - size


def _member_count(value: Any) -> tuple[int | None, str | None]:
    """Return (a member count or None when blank, message or None)."""
    try:
        count = cells.whole_number(value)
    except CellError as error:
        return None, str(error)
    if count is not None and not 1 <= count <= cols.MAX_MEMBERS:
        message = _("A household has between 1 and %(max)s members.")
        return None, message % {"max": cols.MAX_MEMBERS}
    return count, None


def _survey_date(value: Any, year: int) -> tuple[str | None, str | None]:
    """Return (ISO date or None when blank, message or None) for a survey date cell."""
    if not isinstance(value, dt.date | int | float) and not cells.cell_str(value):
        return None, None
    try:
        day = cell_date(value)
    except CellError as error:
        return None, str(error)
    # A census of year Y is collected from the last months of Y-1 into Y+1 at the latest.
    if not year - 1 <= day.year <= year + 1:
        return None, _("The survey date %(date)s is far from the census year %(year)s.") % {
            "date": day.strftime("%d/%m/%Y"),
            "year": year,
        }
    return day.isoformat(), None


def _income_cell(value: Any, ceiling: int) -> int | str:
    """Return an income in whole đồng (rounded up), or the message saying what is wrong."""
    if type(value) is int:
        amount: Any = value
    elif not cells.cell_str(value):
        return _("The monthly income per person is empty.")
    else:
        try:
            amount = parse_amount(value if not isinstance(value, str) else cells.cell_str(value))
        except ValueError as error:
            return str(error)
    message = income_problem(amount, ceiling)
    if message is not None:
        return message
    # Every poverty line is a whole number of đồng, so rounding up keeps every comparison.
    return math.ceil(amount)


def _flag(value: Any) -> int | str | None:
    """Return 1 or 0 for a deprivation cell, None when blank, "bad" otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if value in (0, 1) else "bad"
    text = cells.cell_str(value)
    if not text:
        return None
    return cols.FLAG_WORDS.get(fold(text), "bad")


Report = Callable[[int, str, str], None]


def _check_codes(chunk: Chunk, codes: list[str], context: CensusContext, report: Report) -> None:
    key = cols.HOUSEHOLD_CODE
    prefixes: dict[int, str] = {}
    for index, code in enumerate(codes):
        if not code:
            report(index, key, _("The household code is empty."))
        elif len(code) > MAX_CODE_LENGTH:
            report(
                index,
                key,
                _("The household code is longer than %(count)s characters.")
                % {"count": MAX_CODE_LENGTH},
            )
        elif (
            code[:1].isdigit()
            and (match := _COMMUNE_PREFIX.match(code))
            and match.group(1) != context.commune_code
        ):
            prefixes[index] = match.group(1)
    if prefixes:
        others = context.commune_named_by(set(prefixes.values()))
        for index, prefix in prefixes.items():
            if prefix in others:
                report(
                    index,
                    key,
                    _(
                        "Household %(code)s belongs to commune %(other)s (%(name)s), not to "
                        "%(commune)s: import it with that commune's census."
                    )
                    % {
                        "code": codes[index],
                        "other": prefix,
                        "name": others[prefix],
                        "commune": context.commune_name,
                    },
                )
    if chunk.has(cols.COMMUNE_CODE):
        _check_commune_column(chunk, context, report)


def _check_commune_column(chunk: Chunk, context: CensusContext, report: Report) -> None:
    def read(value: Any) -> tuple[None, str | None]:
        text = cells.code(value)
        if not text or (text.zfill(5) if text.isdigit() else text) == context.commune_code:
            return None, None
        return None, _(
            "This row is for commune %(other)s, but the file is imported into commune "
            "%(code)s (%(name)s)."
        ) % {"other": text, "code": context.commune_code, "name": context.commune_name}

    _check_column(chunk, cols.COMMUNE_CODE, read, report)


def _check_heads(chunk: Chunk, report: Report) -> list[str]:
    key = cols.HEAD_NAME
    heads = [" ".join(cells.cell_str(value).split()) for value in chunk.column(key)]
    for index, head in enumerate(heads):
        if not head:
            report(index, key, _("The name of the head of household is empty."))
        elif len(head) > MAX_NAME_LENGTH:
            report(
                index,
                key,
                _("The name is longer than %(count)s characters.") % {"count": MAX_NAME_LENGTH},
            )
    return heads


def _check_villages(chunk: Chunk, context: CensusContext, report: Report) -> list[Village | None]:
    def read(value: Any) -> tuple[Village | None, str | None]:
        text = cells.cell_str(value)
        if not text:
            return None, _("The village is empty.") if context.villages else None
        found = context.villages.find(text)
        if found == "ambiguous":
            return None, _(
                "“%(value)s” matches several villages of the commune; write the village code."
            ) % {"value": text}
        if found is None:
            return None, _("Commune %(commune)s has no village “%(value)s”.") % {
                "commune": context.commune_name,
                "value": text,
            }
        return found, None

    return _check_column(chunk, cols.VILLAGE, read, report)


def _check_areas(
    chunk: Chunk,
    villages: list[Village | None],
    context: CensusContext,
    report: Report,
) -> tuple[list[str], list[bool]]:
    """Return each row's area (the village's, or the commune's, where the cell is blank or
    wrong) and whether the cell overrides it."""

    def read(value: Any) -> tuple[str | None, str | None]:
        text = cells.cell_str(value)
        area = cols.AREA_WORDS.get(fold(text)) if text else ""
        if area is None:
            return None, _(
                "Area “%(value)s” is not known; write nông thôn (rural) or thành thị (urban)."
            ) % {"value": text}
        return area, None

    given = _check_column(chunk, cols.AREA, read, report)
    defaults = [village.area if village else context.commune_area for village in villages]
    areas = [area or default for area, default in zip(given, defaults, strict=True)]
    overridden = [bool(a) and a != default for a, default in zip(given, defaults, strict=True)]
    return areas, overridden


def _check_column(
    chunk: Chunk, key: str, read: Callable[[Any], tuple[Any, str | None]], report: Report
) -> list[Any]:
    """Return a column's cells read by `read` (value, message) once per distinct value (a
    column holds few distinct villages, dates or member counts); an absent column's cells
    are blank."""
    verdicts: dict[Any, tuple[Any, str | None]] = {}
    found: list[Any] = []
    for index, value in enumerate(chunk.column(key)):
        verdict = verdicts.get(value)
        if verdict is None:
            verdict = verdicts[value] = read(value)
        if verdict[1] is not None:
            report(index, key, verdict[1])
        found.append(verdict[0])
    return found


def _check_incomes(chunk: Chunk, standard: Standard, report: Report) -> np.ndarray:
    key = cols.INCOME
    column = chunk.column(key)
    ceiling = standard.income_ceiling
    values: list[int] = []
    append = values.append
    for index, value in enumerate(column):
        # The fast path: plain digits as text. int() also takes " 12 " and "-5" (the range
        # is checked below); a float from a workbook would be truncated, hence text only.
        if type(value) is str:
            try:
                append(int(value))
                continue
            except ValueError:
                pass
        elif type(value) is float and value.is_integer():
            # A workbook's number: whole đồng as nearly every income is.
            append(int(value))
            continue
        result = _income_cell(value, ceiling)
        if isinstance(result, str):
            report(index, key, result)
            append(0)
        else:
            append(result)
    try:
        array = np.array(values, dtype=np.int64)
    except OverflowError:
        array = np.array([min(v, ceiling + 1) for v in values], dtype=np.int64)
    bad = np.flatnonzero((array < 0) | (array > ceiling))
    for index in bad.tolist():
        report(index, key, income_problem(values[index], ceiling) or "")
    array[bad] = 0
    return array


_FAST_FLAGS = frozenset({"0", "1"})
_FAST_NUMBERS = frozenset({0, 1})


def _check_indicators(
    chunk: Chunk, standard: Standard, report: Report
) -> tuple[np.ndarray, np.ndarray | None]:
    size = len(chunk)
    codes = standard.indicator_codes
    if not codes:
        return np.zeros(size, dtype=np.int64), None
    matrix = np.zeros((size, len(codes)), dtype=bool)
    blank = np.zeros((size, len(codes)), dtype=bool)
    bad_cells: list[tuple[int, str, Any]] = []
    for position, code in enumerate(codes):
        key = cols.indicator_key(code)
        column = chunk.column(key)
        distinct = set(column)
        if distinct <= _FAST_FLAGS:
            matrix[:, position] = [value == "1" for value in column]
            continue
        if distinct <= _FAST_NUMBERS:
            # A workbook's 0 and 1 (numbers; True and 1.0 are equal to 1 as well).
            matrix[:, position] = [value == 1 for value in column]
            continue
        verdicts: dict[Any, int | str | None] = {}
        for index, value in enumerate(column):
            try:
                verdict = verdicts[value]
            except KeyError:
                verdict = verdicts[value] = _flag(value)
            except TypeError:  # an unhashable cell cannot come from a file, but be safe
                verdict = _flag(value)
            if verdict == 1:
                matrix[index, position] = True
            elif verdict is None:
                blank[index, position] = True
            elif verdict == "bad":
                bad_cells.append((index, key, value))
    for index, key, value in bad_cells:
        report(
            index,
            key,
            _(
                "“%(value)s” is not a deprivation mark: write 1 (or x) if the household is deprived, 0 if not."
            )
            % {"value": cells.cell_str(value)},
        )
    for index in np.flatnonzero(blank.all(axis=1)).tolist():
        report(
            index,
            cols.indicator_key(codes[0]),
            _(
                "Every deprivation cell of this row is empty: write 1 (or x) where the household "
                "is deprived and 0 where it is not."
            ),
        )
    weights = np.left_shift(np.int64(1), np.arange(len(codes), dtype=np.int64))
    bits = (matrix.astype(np.int64) * weights).sum(axis=1)
    return bits, matrix
