"""Evaluate a criteria set over units: pure functions, no ORM.

`evaluate_many(criteria_set, table)` is the bulk path (numpy, one pass per criterion over
every unit); `evaluate_one(criteria_set, facts, region=..., unit_class=...)` is the scalar
reference it must agree with (a hypothesis test holds them to the same answer).

Per criterion and unit: the formula's value, the threshold that applies (by commune class,
else by region, else the default), and a state — met, not met, or missing. A value is missing
when a fact it reads is missing (or it divides by zero) or no threshold applies; what that
means is the criterion's strategy: `skip` leaves it out (state missing), `never_skip` counts
it as not met. Overall:

* meets — every criterion met;
* basically meets — every mandatory criterion not skipped is met, and at least the set's
  share (`basically_meets.min_share_percent`) of the criteria counted (not skipped) are met;
* not met — anything else, including a unit with no criterion counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ketnghia.criteria import expressions
from ketnghia.criteria.domain import (
    ROLLUP_FACT,
    CriteriaSet,
    Criterion,
    Missing,
    Outcome,
    State,
)


@dataclass
class FactsTable:
    """The facts of many units: one float column per fact (NaN = missing), region and class."""

    codes: list[str]
    columns: dict[str, np.ndarray]
    regions: np.ndarray  # str, "" when unknown
    classes: np.ndarray  # str, "" when none

    @property
    def size(self) -> int:
        return len(self.codes)

    def row(self, index: int) -> dict[str, float | None]:
        return {
            name: (None if np.isnan(column[index]) else float(column[index]))
            for name, column in self.columns.items()
        }

    @classmethod
    def from_rows(
        cls,
        codes: Sequence[str],
        rows: Sequence[Mapping[str, float | None]],
        regions: Sequence[str],
        classes: Sequence[str],
        names: Sequence[str],
    ) -> FactsTable:
        columns = {
            name: np.array(
                [np.nan if row.get(name) is None else float(row[name]) for row in rows],  # type: ignore[arg-type]
                dtype=np.float64,
            )
            for name in names
        }
        return cls(
            list(codes), columns, np.array(regions, dtype=object), np.array(classes, dtype=object)
        )


@dataclass
class Evaluation:
    """The result of one set over many units (arrays indexed [unit, criterion])."""

    criteria_set: CriteriaSet
    codes: list[str]
    states: np.ndarray  # int8 State
    values: np.ndarray  # float64, NaN when missing
    thresholds: np.ndarray  # float64, NaN when none applies or the criterion has none
    outcomes: np.ndarray  # int8 Outcome
    met: np.ndarray  # int count
    counted: np.ndarray  # int count

    def result(self, index: int) -> UnitResult:
        criteria = self.criteria_set.criteria
        return UnitResult(
            outcome=Outcome(int(self.outcomes[index])),
            states=tuple(State(int(s)) for s in self.states[index]),
            values=tuple(_none(v) for v in self.values[index]),
            thresholds=tuple(_none(t) for t in self.thresholds[index]),
            met=int(self.met[index]),
            counted=int(self.counted[index]),
            codes=tuple(c.code for c in criteria),
        )

    def counts(self) -> dict[str, int]:
        return {
            outcome.code: int(np.count_nonzero(self.outcomes == outcome)) for outcome in Outcome
        }


@dataclass(frozen=True)
class UnitResult:
    outcome: Outcome
    states: tuple[State, ...]
    values: tuple[float | None, ...]
    thresholds: tuple[float | None, ...]
    met: int
    counted: int
    codes: tuple[str, ...] = field(default=())

    @property
    def failing(self) -> list[str]:
        """The criteria that hold the unit back: not met (including missing, never skipped)."""
        return [
            code
            for code, state in zip(self.codes, self.states, strict=True)
            if state == State.NOT_MET
        ]

    @property
    def skipped(self) -> list[str]:
        return [
            code
            for code, state in zip(self.codes, self.states, strict=True)
            if state == State.MISSING
        ]


def _none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def needed_facts(criteria_set: CriteriaSet) -> frozenset[str]:
    """Return every fact the set's formulas read."""
    return frozenset().union(*(expressions.names(c.tree) for c in criteria_set.criteria))


def _thresholds_many(criterion: Criterion, table: FactsTable) -> np.ndarray:
    size = table.size
    threshold = criterion.threshold
    if threshold is None:
        return np.full(size, np.nan)
    out = np.full(size, np.nan if threshold.default is None else threshold.default)
    for region, figure in threshold.by_region.items():
        out[table.regions == region] = figure
    for unit_class, figure in threshold.by_class.items():
        out[table.classes == unit_class] = figure
    return out


def evaluate_many(criteria_set: CriteriaSet, table: FactsTable) -> Evaluation:
    """Return every unit's result under `criteria_set` (the vectorised path)."""
    size, count = table.size, len(criteria_set.criteria)
    states = np.empty((size, count), dtype=np.int8)
    values = np.empty((size, count), dtype=np.float64)
    thresholds = np.empty((size, count), dtype=np.float64)
    mandatory_failed = np.zeros(size, dtype=bool)
    for index, criterion in enumerate(criteria_set.criteria):
        value = expressions.evaluate_many(criterion.tree, table.columns, size)
        if criterion.operator:
            limit = _thresholds_many(criterion, table)
            missing = np.isnan(value) | np.isnan(limit)
            with np.errstate(invalid="ignore"):
                ok = expressions.COMPARISONS[criterion.operator](value, limit)
        else:
            limit = np.full(size, np.nan)
            missing = np.isnan(value)
            ok = value != 0
        state = np.where(ok, State.MET, State.NOT_MET).astype(np.int8)
        if criterion.missing == Missing.SKIP:
            state[missing] = State.MISSING
        else:
            state[missing] = State.NOT_MET
        if criterion.mandatory:
            mandatory_failed |= state == State.NOT_MET
        states[:, index], values[:, index], thresholds[:, index] = state, value, limit
    met = np.count_nonzero(states == State.MET, axis=1)
    counted = np.count_nonzero(states != State.MISSING, axis=1)
    basic = (
        ~mandatory_failed
        & (counted > 0)
        & (met * 100 >= criteria_set.basic_share_percent * counted)
    )
    outcomes = np.where(
        met == count, Outcome.MEETS, np.where(basic, Outcome.BASICALLY_MEETS, Outcome.NOT_MET)
    ).astype(np.int8)
    return Evaluation(criteria_set, table.codes, states, values, thresholds, outcomes, met, counted)


def evaluate_one(
    criteria_set: CriteriaSet,
    facts: Mapping[str, float | None],
    *,
    region: str = "",
    unit_class: str = "",
) -> UnitResult:
    """Return one unit's result under `criteria_set` (the scalar reference path)."""
    states: list[State] = []
    values: list[float | None] = []
    limits: list[float | None] = []
    mandatory_failed = False
    for criterion in criteria_set.criteria:
        value = expressions.evaluate(criterion.tree, facts)
        limit = None
        if criterion.operator:
            assert criterion.threshold is not None
            limit = criterion.threshold.for_unit(region, unit_class)
            missing = value is None or limit is None
            ok = not missing and bool(expressions.COMPARISONS[criterion.operator](value, limit))
        else:
            missing = value is None
            ok = not missing and value != 0
        if missing:
            state = State.MISSING if criterion.missing == Missing.SKIP else State.NOT_MET
        else:
            state = State.MET if ok else State.NOT_MET
        mandatory_failed |= criterion.mandatory and state == State.NOT_MET
        states.append(state)
        values.append(value)
        limits.append(limit)
    met = sum(1 for s in states if s == State.MET)
    counted = sum(1 for s in states if s != State.MISSING)
    if met == len(states):
        outcome = Outcome.MEETS
    elif (
        not mandatory_failed
        and counted > 0
        and met * 100 >= criteria_set.basic_share_percent * counted
    ):
        outcome = Outcome.BASICALLY_MEETS
    else:
        outcome = Outcome.NOT_MET
    return UnitResult(
        outcome,
        tuple(states),
        tuple(values),
        tuple(limits),
        met,
        counted,
        tuple(c.code for c in criteria_set.criteria),
    )


def rollup_percent(
    village_outcomes: Sequence[int], village_communes: Sequence[int], communes: Sequence[int]
) -> dict[int, float | None]:
    """Return, per commune id, the share (%) of its villages that meet or basically meet."""
    totals: dict[int, list[int]] = {commune: [0, 0] for commune in communes}
    for outcome, commune in zip(village_outcomes, village_communes, strict=True):
        if commune in totals:
            totals[commune][0] += 1
            totals[commune][1] += int(outcome) >= Outcome.BASICALLY_MEETS
    return {commune: (100 * good / n if n else None) for commune, (n, good) in totals.items()}


__all__ = ["ROLLUP_FACT", "Evaluation", "FactsTable", "UnitResult", "evaluate_many", "evaluate_one"]
