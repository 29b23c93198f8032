"""Classify households under a poverty standard: pure functions, no ORM, no I/O.

A standard's rule kind and income lines compile into an ordered list of clauses; the first
clause a household satisfies decides its status, and its code names the rule that decided
("income<=1000000 and deprived>=3"). The scalar `classify` and the vectorised `classify_many`
walk the same clauses; a property test holds them to the same answer on every input.

Income bands are half-open at the bottom: "near-poor 700,001–1,000,000" in the legal text is
700,000 < income ≤ 1,000,000 here, so a fractional income between two whole lines has a band.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_count
from ketnghia.poverty.domain import Area, RuleKind, Standard

Income = int | Decimal | float


class Status(models.TextChoices):
    # Same values and labels as `census.models.Status`, which stores what this computes.
    POOR = "poor", gettext_lazy("poor")
    NEAR_POOR = "near_poor", gettext_lazy("near-poor")
    AVERAGE = "average", gettext_lazy("average living standard")
    NOT_POOR = "not_poor", gettext_lazy("not poor")


@dataclass(frozen=True)
class Clause:
    """One line of a rule: a status for incomes up to a line, maybe with a deprivation test."""

    status: Status
    # None only for the last clause, which takes every income above `income_above`.
    income_max: int | None
    deprived_at_least: int | None = None
    deprived_fewer_than: int | None = None
    income_above: int | None = None
    indicator_count: int = 0

    @property
    def code(self) -> str:
        """Return the machine code of the clause, stable across languages and releases."""
        if self.income_max is None:
            code = f"income>{self.income_above}"
        else:
            code = f"income<={self.income_max}"
        if self.deprived_at_least is not None:
            code += f" and deprived>={self.deprived_at_least}"
        if self.deprived_fewer_than is not None:
            code += f" and deprived<{self.deprived_fewer_than}"
        return code

    def text(self) -> str:
        """Return the clause in words, in the active language."""
        if self.income_max is None:
            return _("income above %(line)s VND") % {"line": format_count(self.income_above or 0)}
        line = format_count(self.income_max)
        if self.deprived_at_least is not None:
            return _(
                "income at most %(line)s VND and deprived on at least %(count)s of "
                "%(total)s indicators"
            ) % {"line": line, "count": self.deprived_at_least, "total": self.indicator_count}
        if self.deprived_fewer_than is not None:
            return _(
                "income at most %(line)s VND and deprived on fewer than %(count)s of "
                "%(total)s indicators"
            ) % {"line": line, "count": self.deprived_fewer_than, "total": self.indicator_count}
        return _("income at most %(line)s VND") % {"line": line}

    def matches(self, income: Income, deprivation_count: int) -> bool:
        if self.income_max is not None and income > self.income_max:
            return False
        if self.deprived_at_least is not None and deprivation_count < self.deprived_at_least:
            return False
        return self.deprived_fewer_than is None or deprivation_count < self.deprived_fewer_than

    def mask(self, incomes: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Return where the clause matches, for arrays of incomes and deprivation counts."""
        result = np.ones(incomes.shape, dtype=bool)
        if self.income_max is not None:
            result &= incomes <= self.income_max
        if self.deprived_at_least is not None:
            result &= counts >= self.deprived_at_least
        if self.deprived_fewer_than is not None:
            result &= counts < self.deprived_fewer_than
        return result


@lru_cache(maxsize=256)
def clauses(standard: Standard, area: str) -> tuple[Clause, ...]:
    """Return the ordered clauses of `standard` for `area`; the first that matches decides."""
    lines = standard.thresholds(area)
    k = standard.deprivation_threshold
    n = len(standard.indicators)
    result: list[Clause] = []
    if standard.rule == RuleKind.INCOME_ONLY:
        result.append(Clause(Status.POOR, lines.poor))
        if lines.near_poor is not None:
            result.append(Clause(Status.NEAR_POOR, lines.near_poor))
    elif standard.rule == RuleKind.INCOME_OR_DEPRIVATION_2016:
        # Decision 59/2015: low income alone makes a household poor; between the two lines
        # the deprivation count splits poor from near-poor.
        assert lines.near_poor is not None
        result += [
            Clause(Status.POOR, lines.poor),
            Clause(Status.POOR, lines.near_poor, deprived_at_least=k, indicator_count=n),
            Clause(Status.NEAR_POOR, lines.near_poor, deprived_fewer_than=k, indicator_count=n),
        ]
    elif standard.rule == RuleKind.INCOME_AND_DEPRIVATION_2022:
        # Decree 07/2021: income alone never makes a household poor; within the poor line the
        # deprivation count splits poor from near-poor.
        result += [
            Clause(Status.POOR, lines.poor, deprived_at_least=k, indicator_count=n),
            Clause(Status.NEAR_POOR, lines.poor, deprived_fewer_than=k, indicator_count=n),
        ]
    else:  # pragma: no cover - RuleKind is closed and standard_from_dict checks it
        raise ValueError(standard.rule)
    if lines.average is not None:
        result.append(Clause(Status.AVERAGE, lines.average))
    top = max(line for line in (lines.poor, lines.near_poor, lines.average) if line is not None)
    result.append(Clause(Status.NOT_POOR, None, income_above=top))
    return tuple(result)


@dataclass(frozen=True)
class Classification:
    """A household's status under a standard, with the rule that decided it."""

    status: Status
    deprivation_count: int
    # Machine code of the deciding clause, e.g. "income<=1000000 and deprived>=3".
    rule: str
    # The same rule in words, in the language active when it was classified.
    rule_text: str


def income_problem(value: Any, ceiling: int) -> str | None:
    """Return what is wrong with an income, or None; raise TypeError for a non-number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise TypeError(f"monthly income must be int, Decimal or float, not {type(value)!r}")
    if isinstance(value, Decimal | float) and not math.isfinite(value):
        return _("The monthly income per person is not a number.")
    if value < 0:
        return _("The monthly income per person is negative.")
    if value > ceiling:  # type: ignore[operator]  # a real number here (checked above)
        return _(
            "The monthly income per person is above %(ceiling)s VND, which is not plausible; "
            "check the figure."
        ) % {"ceiling": format_count(ceiling)}
    return None


def area_problem(area: Any) -> str | None:
    """Return what is wrong with an area code, or None."""
    if area in Area.values:
        return None
    return _("Unknown area “%(area)s”; use rural or urban.") % {"area": area}


def _deprived_codes(
    standard: Standard, deprivations: Mapping[str, Any] | Iterable[str]
) -> tuple[set[str], list[Problem]]:
    problems: list[Problem] = []
    if isinstance(deprivations, str):
        raise TypeError("deprivations must be a mapping or a set of indicator codes, not str")
    if isinstance(deprivations, Mapping):
        deprived = set()
        for code, flag in deprivations.items():
            if flag is True or flag is False or flag in (0, 1):
                if flag:
                    deprived.add(code)
            else:
                problems.append(
                    Problem(
                        _("An indicator must be 0 or 1 (true or false)."),
                        Location(field=f"deprivations.{code}"),
                    )
                )
        given = set(deprivations)
    else:
        deprived = given = set(deprivations)
    known = set(standard.indicator_codes)
    for code in sorted(given - known, key=str):
        problems.append(
            Problem(
                _("Unknown indicator “%(code)s” for standard %(standard)s.")
                % {"code": code, "standard": standard.code},
                Location(field=f"deprivations.{code}"),
            )
        )
    return deprived & known, problems


def classify(
    standard: Standard,
    *,
    area: str,
    monthly_income_per_person: Income,
    deprivations: Mapping[str, Any] | Iterable[str] = frozenset(),
) -> Classification:
    """Return a household's status under `standard`, or raise InvalidInput listing every problem.

    `deprivations` names the indicators the household is deprived on: a set of indicator
    codes, or a mapping from code to 0/1 (codes left out count as not deprived).
    """
    problems: list[Problem] = []
    if (message := area_problem(area)) is not None:
        problems.append(Problem(message, Location(field="area")))
    income_message = income_problem(monthly_income_per_person, standard.income_ceiling)
    if income_message is not None:
        problems.append(Problem(income_message, Location(field="monthly_income_per_person")))
    deprived, deprivation_problems = _deprived_codes(standard, deprivations)
    problems += deprivation_problems
    if problems:
        raise InvalidInput(problems)
    count = len(deprived)
    for clause in clauses(standard, area):
        if clause.matches(monthly_income_per_person, count):
            return Classification(clause.status, count, clause.code, clause.text())
    raise AssertionError("the last clause matches every income")  # pragma: no cover


@dataclass(frozen=True)
class BulkClassification:
    """Statuses of many households, one array entry per household in input order."""

    status: np.ndarray  # str: Status values
    deprivation_count: np.ndarray  # int64
    rule: np.ndarray  # str: clause codes, as `Classification.rule`

    def __len__(self) -> int:
        return len(self.status)


def _income_array(incomes: Any, ceiling: int) -> tuple[np.ndarray, list[Problem]]:
    """Return incomes as an int64 or float64 array, and the rows whose income is not plausible.

    Decimals and Python ints are rounded up to whole đồng: every line is a whole number, so
    `x <= line` holds exactly when `ceil(x) <= line`, and the comparison stays exact where a
    float conversion would not be.
    """
    array = np.asarray(incomes)
    if array.ndim != 1:
        raise ValueError("incomes must be one-dimensional")
    problems: list[Problem] = []
    if array.dtype.kind in "iu":
        bad = (array < 0) | (array > ceiling)
        if array.dtype.kind == "u":
            array = np.minimum(array, ceiling + 1).astype(np.int64)
        values = array.astype(np.int64, copy=False)
    elif array.dtype.kind == "f":
        values = array.astype(np.float64, copy=False)
        bad = ~np.isfinite(values) | (values < 0) | (values > ceiling)
    elif array.dtype.kind == "O":
        values = np.zeros(len(array), dtype=np.int64)
        bad = np.zeros(len(array), dtype=bool)
        for index, value in enumerate(array):
            if income_problem(value, ceiling) is not None:
                bad[index] = True
            else:
                values[index] = math.ceil(value)
    else:
        raise TypeError(f"incomes must be numbers, not an array of {array.dtype}")
    for flagged in np.flatnonzero(bad):
        index = int(flagged)
        value = array[index]
        message = income_problem(value.item() if hasattr(value, "item") else value, ceiling) or _(
            "The monthly income per person is not a number."
        )
        problems.append(Problem(message, Location(field=f"monthly_income_per_person[{index}]")))
    return values, problems


def _deprivation_counts(
    standard: Standard, matrix: Any, rows: int
) -> tuple[np.ndarray, list[Problem]]:
    columns = len(standard.indicators)
    if matrix is None:
        if columns:
            return np.zeros(rows, dtype=np.int64), [
                Problem(
                    _("Standard %(standard)s needs the %(count)s indicator columns.")
                    % {"standard": standard.code, "count": columns},
                    Location(field="deprivation_matrix"),
                )
            ]
        return np.zeros(rows, dtype=np.int64), []
    array = np.asarray(matrix)
    if array.shape != (rows, columns):
        return np.zeros(rows, dtype=np.int64), [
            Problem(
                _("The deprivation matrix must have %(rows)s rows and %(columns)s columns.")
                % {"rows": rows, "columns": columns},
                Location(field="deprivation_matrix"),
            )
        ]
    if array.dtype.kind not in "biuf":
        raise TypeError(f"deprivation matrix must be 0/1 numbers, not {array.dtype}")
    problems = [
        Problem(
            _("An indicator must be 0 or 1 (true or false)."),
            Location(field=f"deprivation_matrix[{row}, {standard.indicator_codes[column]}]"),
        )
        for row, column in np.argwhere((array != 0) & (array != 1))
    ]
    return (array == 1).sum(axis=1, dtype=np.int64), problems


def deprivation_matrix_from_bits(bits: Sequence[int] | np.ndarray, indicators: int) -> np.ndarray:
    """Return the 0/1 matrix of deprivation bit masks (bit 0 = first indicator of the standard).

    The census stores a household's deprivations as one integer; this unpacks a column of
    them for `classify_many` without a Python loop.
    """
    values = np.asarray(bits, dtype=np.int64).reshape(-1)
    if (values < 0).any() or (values >> indicators).any():
        raise ValueError(f"deprivation bit masks must fit in {indicators} bits")
    return ((values[:, None] >> np.arange(indicators, dtype=np.int64)) & 1).astype(bool)


def classify_many(
    standard: Standard,
    areas: Sequence[str] | np.ndarray,
    incomes: Sequence[Income] | np.ndarray,
    deprivation_matrix: Any = None,
) -> BulkClassification:
    """Classify many households at once, exactly as `classify` does one by one.

    `areas` holds "rural" or "urban", `incomes` the monthly income per person, and
    `deprivation_matrix` one row per household and one 0/1 column per indicator of the
    standard, in the standard's order (None for an income-only standard). Problems are
    reported with the 0-based position of the household.
    """
    area_array = np.asarray(areas, dtype=object)
    rows = len(area_array)
    income_values, problems = _income_array(incomes, standard.income_ceiling)
    if len(income_values) != rows:
        raise ValueError("areas and incomes must have the same length")
    is_rural = area_array == Area.RURAL.value
    is_urban = area_array == Area.URBAN.value
    for index in np.flatnonzero(~(is_rural | is_urban)):
        problems.append(
            Problem(area_problem(area_array[index]) or "", Location(field=f"areas[{index}]"))
        )
    counts, matrix_problems = _deprivation_counts(standard, deprivation_matrix, rows)
    problems += matrix_problems
    if problems:
        raise InvalidInput(problems)

    # One lookup table for both areas: the clauses of rural, then those of urban.
    statuses: list[str] = []
    codes: list[str] = []
    decided = np.zeros(rows, dtype=np.intp)
    for area, mask in ((Area.RURAL, is_rural), (Area.URBAN, is_urban)):
        area_clauses = clauses(standard, area)
        if mask.any():
            area_incomes, area_counts = income_values[mask], counts[mask]
            conditions = [clause.mask(area_incomes, area_counts) for clause in area_clauses]
            # np.select takes the first condition that holds, as `classify` takes the first
            # clause; the last clause holds for every income left.
            decided[mask] = len(statuses) + np.select(
                conditions, np.arange(len(area_clauses)), default=len(area_clauses) - 1
            )
        statuses += [clause.status.value for clause in area_clauses]
        codes += [clause.code for clause in area_clauses]
    return BulkClassification(
        status=np.asarray(statuses)[decided],
        deprivation_count=counts,
        rule=np.asarray(codes)[decided],
    )
