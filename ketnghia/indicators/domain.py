"""Indicators as data and the arithmetic over them: pure functions over plain rows, no ORM.

A definition names two facts (numerator and denominator) known per base unit (a commune, or
a village for a village-level indicator), year and variant (official or including rounds in
progress; a disaggregation key). `base_figure` turns one base unit's facts into its
numerator and denominator; `roll_up` adds base rows into a district, province or program
figure; `over_period` folds a series of yearly figures into one "over the period" figure as
the definition declares (the sum of a `sum` indicator, the last value of a `last` one).
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ketnghia.core.errors import InvalidInput, Location, Problem

UNIT_AGGREGATIONS = ("weighted", "count", "sum", "estimate")
TIME_AGGREGATIONS = ("last", "sum", "average")
DISAGGREGATIONS = ("group", "district", "region", "ethnicity", "source")
BASE_LEVELS = ("commune", "village")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": op.lt,
    "<=": op.le,
    ">": op.gt,
    ">=": op.ge,
    "==": op.eq,
    "!=": op.ne,
}
# The disaggregation keys each declared disaggregation gives (besides the total "").
# "district" gives the district rows (unit rows), not a key.
KEY_GROUP = "group:key"
ETHNICITY_KEYS = ("ethnicity:minority", "ethnicity:kinh")
REGION_PREFIX = "region:"  # "region:III": the communes of that region in the year
# "source:central": the part of a commune's figure that came from one fund source (the facts
# give these keys; the sources are the support app's, not known here).
SOURCE_PREFIX = "source:"
ONE = "one"  # the fact that is 1 for every base unit with any fact


@dataclass(frozen=True)
class Condition:
    operator: str
    threshold: float
    factor: float = 1

    def holds(self, numerator: float, denominator: float) -> bool:
        return OPERATORS[self.operator](numerator / denominator * self.factor, self.threshold)


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    label_vi: str
    label_en: str
    numerator: str
    denominator: str
    factor: int
    unit_aggregation: str
    time_aggregation: str
    disaggregations: tuple[str, ...] = ()
    condition: Condition | None = None
    base_level: str = "commune"
    criteria_set: str = ""
    # `estimate`: the name of the registered estimator (`estimates.register_estimator`).
    estimator: str = ""
    unit_vi: str = ""
    unit_en: str = ""

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") and self.label_en else self.label_vi

    def unit(self, language: str) -> str:
        return self.unit_en if language.startswith("en") and self.unit_en else self.unit_vi

    @property
    def is_estimate(self) -> bool:
        """An estimate per unit (with its interval), not a sum of base-unit facts."""
        return self.unit_aggregation == "estimate"

    @property
    def disaggregation_keys(self) -> tuple[str, ...]:
        """Return the keys this indicator is stored under: "" and the declared ones."""
        keys = [""]
        if "group" in self.disaggregations:
            keys.append(KEY_GROUP)
        if "ethnicity" in self.disaggregations:
            keys.extend(ETHNICITY_KEYS)
        return tuple(keys)

    def stores(self, key: str) -> bool:
        """Return whether this indicator has rows under disaggregation `key`."""
        if key == "" or key in self.disaggregation_keys:
            return True
        return key.startswith(SOURCE_PREFIX) and "source" in self.disaggregations

    def groups_commune(self, key: str) -> bool:
        """Return whether rows under `key` are a filter on communes (key communes, region)."""
        return (key == KEY_GROUP and "group" in self.disaggregations) or (
            key.startswith(REGION_PREFIX) and "region" in self.disaggregations
        )


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for one unit, year and variant (what every page reads)."""

    code: str
    label_vi: str
    label_en: str
    factor: int
    numerator: float
    denominator: float
    value: float | None
    unit_code: str
    unit_name: str
    unit_level: str
    year: int
    disaggregation: str
    official: bool
    refreshed_at: datetime | None
    # An estimate's 95 % interval (in the value's unit), or the reason it has no value.
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") and self.label_en else self.label_vi


@dataclass(frozen=True)
class BreakInSeries:
    year: int
    standard_code: str
    label_vi: str
    label_en: str
    previous_standard_code: str


@dataclass(frozen=True)
class BaseRow:
    """One base unit's numerator and denominator for one indicator, year and variant."""

    indicator: str
    unit_id: int
    commune_id: int
    year: int
    official: bool
    disaggregation: str
    numerator: float
    denominator: float


@dataclass(frozen=True)
class AggregateRow:
    indicator: str
    program_id: int
    unit_id: int
    unit_level: str
    year: int
    official: bool
    disaggregation: str
    numerator: float
    denominator: float
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class UnitEstimate:
    """What an estimator gives for one program unit (a district or province): the estimate
    as a fraction (0.12 = 12 points) with its 95 % interval, or None and the reason."""

    program_id: int
    unit_id: int
    unit_level: str
    year: int
    disaggregation: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str = ""


def estimate_rows(
    definition: IndicatorDefinition, estimates: Iterable[UnitEstimate]
) -> list[AggregateRow]:
    """Return the stored rows of an `estimate` indicator, in both variants.

    An estimate: numerator = the estimate, denominator 1, value and interval × factor (so
    `value = numerator / denominator × factor` holds as for every row). No estimate:
    numerator and denominator 0, value and interval None, the reason in `note`.
    """
    rows = []
    for e in estimates:
        for official in (True, False):
            if e.value is None:
                pair: tuple[float, float] = (0.0, 0.0)
                low = high = None
            else:
                pair = (e.value, 1.0)
                low = None if e.ci_low is None else e.ci_low * definition.factor
                high = None if e.ci_high is None else e.ci_high * definition.factor
            rows.append(
                AggregateRow(
                    definition.code,
                    e.program_id,
                    e.unit_id,
                    e.unit_level,
                    e.year,
                    official,
                    e.disaggregation,
                    *pair,
                    value_of(definition, *pair),
                    low,
                    high,
                    "" if e.value is not None else e.reason,
                )
            )
    return rows


@dataclass(frozen=True)
class Difference:
    """A stored aggregate that differs from a fresh computation (or is missing on one side)."""

    indicator: str
    program_id: int
    unit_id: int
    year: int
    official: bool
    disaggregation: str
    stored: tuple[float, float] | None
    computed: tuple[float, float] | None


def value_of(definition: IndicatorDefinition, numerator: float, denominator: float) -> float | None:
    """Return numerator / denominator × factor, or None without a denominator."""
    if denominator == 0:
        return None
    return numerator / denominator * definition.factor


def base_figure(
    definition: IndicatorDefinition, facts: Mapping[str, float]
) -> tuple[float, float] | None:
    """Return one base unit's (numerator, denominator), or None when it has no data."""
    if not facts:
        return None
    numerator = float(facts.get(definition.numerator, 0.0))
    if definition.denominator == ONE:
        denominator = 1.0
    elif definition.denominator not in facts:
        return None
    else:
        denominator = float(facts[definition.denominator])
    if definition.unit_aggregation == "count":
        if denominator <= 0:
            return (0.0, 0.0)
        assert definition.condition is not None
        return (float(definition.condition.holds(numerator, denominator)), 1.0)
    if definition.unit_aggregation == "sum" and definition.numerator not in facts:
        return None
    return (numerator, denominator)


def roll_up(
    definition: IndicatorDefinition, rows: Iterable[tuple[float, float]]
) -> tuple[float, float] | None:
    """Return the (numerator, denominator) of a unit above the rows (None if no row)."""
    numerator = denominator = 0.0
    seen = False
    for n, d in rows:
        seen = True
        numerator += n
        denominator += d
    if not seen:
        return None
    if definition.unit_aggregation == "sum":
        return (numerator, 1.0)
    return (numerator, denominator)


def over_period(definition: IndicatorDefinition, figures: Sequence[Figure]) -> Figure | None:
    """Return the figure "over the period" of yearly `figures`, as the definition declares.

    `last`: the latest year's figure; `sum`: numerators added (a `sum` indicator), the
    denominators added for a ratio; `average`: the mean of the yearly values. The figure
    returned carries the last year.
    """
    ordered = sorted((f for f in figures if f.code == definition.code), key=lambda f: f.year)
    if not ordered:
        return None
    last = ordered[-1]
    if definition.time_aggregation == "last":
        return last
    if definition.time_aggregation == "sum":
        numerator = sum(f.numerator for f in ordered)
        denominator = (
            1.0 if definition.unit_aggregation == "sum" else sum(f.denominator for f in ordered)
        )
        return replace(
            last,
            numerator=numerator,
            denominator=denominator,
            value=value_of(definition, numerator, denominator),
        )
    values = [f.value for f in ordered if f.value is not None]
    return replace(
        last,
        numerator=sum(f.numerator for f in ordered) / len(ordered),
        denominator=sum(f.denominator for f in ordered) / len(ordered),
        value=sum(values) / len(values) if values else None,
    )


# --- definitions from data -------------------------------------------------------------------


@dataclass
class _Checker:
    source: str
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, message: str, code: str, key: str) -> None:
        self.problems.append(Problem(message, Location(file=self.source, sheet=code, field=key)))


def definitions_from_data(
    data: Mapping[str, Any], *, source: str, facts: Iterable[str]
) -> list[IndicatorDefinition]:
    """Return the definitions of a parsed file; InvalidInput listing every problem."""
    known = set(facts) | {ONE}
    check = _Checker(source)
    found: list[IndicatorDefinition] = []
    seen: set[str] = set()
    for raw in data.get("indicators", []):
        code = str(raw.get("code", ""))
        if not code:
            check.refuse("Chỉ số thiếu mã (code).", "?", "code")
            continue
        if code in seen:
            check.refuse(f"Mã chỉ số “{code}” bị trùng.", code, "code")
        seen.add(code)
        unit_aggregation = raw.get("unit_aggregation", "weighted")
        # An estimate names its estimator, not two facts.
        needed = ("estimator",) if unit_aggregation == "estimate" else ("numerator", "denominator")
        for key in ("label_vi", "label_en", *needed):
            if not raw.get(key):
                check.refuse(f"Chỉ số “{code}” thiếu “{key}”.", code, key)
        for key in ("numerator", "denominator"):
            if raw.get(key) and raw[key] not in known:
                check.refuse(f"Chỉ số “{code}”: không có dữ kiện “{raw[key]}”.", code, key)
        if unit_aggregation not in UNIT_AGGREGATIONS:
            check.refuse(f"Chỉ số “{code}”: cách gộp “{unit_aggregation}” không có.", code, "unit")
        time_aggregation = raw.get("time_aggregation", "last")
        if time_aggregation not in TIME_AGGREGATIONS:
            check.refuse(f"Chỉ số “{code}”: cách gộp “{time_aggregation}” không có.", code, "time")
        disaggregations = tuple(raw.get("disaggregations", ()))
        for name in disaggregations:
            if name not in DISAGGREGATIONS:
                check.refuse(f"Chỉ số “{code}”: phân tổ “{name}” không có.", code, "disagg")
        base_level = raw.get("base_level", "commune")
        if base_level not in BASE_LEVELS:
            check.refuse(f"Chỉ số “{code}”: cấp “{base_level}” không có.", code, "base_level")
        condition = None
        if "condition" in raw:
            c = raw["condition"]
            if c.get("operator") not in OPERATORS or not isinstance(
                c.get("threshold"), int | float
            ):
                check.refuse(f"Chỉ số “{code}”: điều kiện không hợp lệ.", code, "condition")
            else:
                condition = Condition(c["operator"], float(c["threshold"]), c.get("factor", 1))
        if unit_aggregation == "count" and condition is None:
            check.refuse(f"Chỉ số “{code}” đếm đơn vị nhưng thiếu điều kiện.", code, "condition")
        factor = raw.get("factor", 1)
        if not isinstance(factor, int) or factor <= 0:
            check.refuse(f"Chỉ số “{code}”: hệ số phải là số nguyên dương.", code, "factor")
        found.append(
            IndicatorDefinition(
                code=code,
                label_vi=str(raw.get("label_vi", "")),
                label_en=str(raw.get("label_en", "")),
                numerator=str(raw.get("numerator", "")),
                denominator=str(raw.get("denominator", "")),
                factor=factor if isinstance(factor, int) else 1,
                unit_aggregation=unit_aggregation,
                time_aggregation=time_aggregation,
                disaggregations=disaggregations,
                condition=condition,
                base_level=base_level,
                criteria_set=str(raw.get("criteria_set", "")),
                estimator=str(raw.get("estimator", "")),
                unit_vi=str(raw.get("unit_vi", "")),
                unit_en=str(raw.get("unit_en", "")),
            )
        )
    if check.problems:
        raise InvalidInput(check.problems)
    return found


# --- the computation -------------------------------------------------------------------------

# (unit id, year, official, disaggregation) → fact name → value
Facts = Mapping[tuple[int, int, bool, str], Mapping[str, float]]


def base_rows(
    definitions: Sequence[IndicatorDefinition],
    facts: Facts,
    commune_of: Mapping[int, int],
    base_level_of: Mapping[int, str],
) -> list[BaseRow]:
    """Return every base unit's row of every definition (a unit without data gives none)."""
    rows: list[BaseRow] = []
    # The definitions that store each (level, key): worked out once, not per unit (the
    # facts of a national rebuild are tens of thousands of units).
    applicable: dict[tuple[str, str], list[IndicatorDefinition]] = {}
    for (unit_id, year, official, key), unit_facts in facts.items():
        level = base_level_of.get(unit_id, "commune")
        wanted = applicable.get((level, key))
        if wanted is None:
            wanted = applicable[(level, key)] = [
                d
                for d in definitions
                if d.base_level == level and not d.is_estimate and d.stores(key)
            ]
        for definition in wanted:
            pair = base_figure(definition, unit_facts)
            if pair is None:
                continue
            rows.append(
                BaseRow(
                    definition.code,
                    unit_id,
                    commune_of.get(unit_id, unit_id),
                    year,
                    official,
                    key,
                    *pair,
                )
            )
    return rows


def aggregate_rows(
    definitions: Sequence[IndicatorDefinition],
    rows: Iterable[BaseRow],
    members: Mapping[tuple[int, int], Mapping[int, bool]],
    ancestors: Mapping[int, Sequence[tuple[int, str]]],
    regions: Mapping[tuple[int, int], str] | None = None,
) -> list[AggregateRow]:
    """Return the stored rows of every program: base units, communes and every level above.

    `members[(program id, year)]` maps each program commune that year to whether it is a
    key commune; `ancestors[commune id]` lists (unit id, level) above the commune;
    `regions[(commune id, year)]` its region. A "group:key" row adds the key communes only,
    a "region:III" row the communes of region III.
    """
    regions = regions or {}
    by_code = {d.code: d for d in definitions}
    # Whether an indicator's total rows also go to the key communes' and the region's rows,
    # asked once per indicator rather than per row (a national rebuild has many thousands).
    by_key = {d.code: d.groups_commune(KEY_GROUP) for d in definitions}
    by_region = {d.code: d.groups_commune(REGION_PREFIX) for d in definitions}
    by_commune: dict[tuple[int, int], list[BaseRow]] = {}
    for row in rows:
        by_commune.setdefault((row.commune_id, row.year), []).append(row)
    out: list[AggregateRow] = []
    for (program_id, year), communes in members.items():
        sums: dict[tuple[str, int, str, bool, str], list[tuple[float, float]]] = {}
        for commune_id, is_key in communes.items():
            region = regions.get((commune_id, year))
            for row in by_commune.get((commune_id, year), ()):
                keys = [row.disaggregation]
                if row.disaggregation == "":
                    if is_key and by_key[row.indicator]:
                        keys.append(KEY_GROUP)
                    if region and by_region[row.indicator]:
                        keys.append(REGION_PREFIX + region)
                levels: list[tuple[int, str]] = []
                if row.unit_id != commune_id:
                    levels.append((row.unit_id, "village"))
                levels.append((commune_id, "commune"))
                levels.extend(ancestors.get(commune_id, ()))
                for key in keys:
                    for unit_id, level in levels:
                        sums.setdefault(
                            (row.indicator, unit_id, level, row.official, key), []
                        ).append((row.numerator, row.denominator))
        for (code, unit_id, level, official, key), pairs in sums.items():
            definition = by_code[code]
            total = roll_up(definition, pairs)
            if total is None:
                continue
            out.append(
                AggregateRow(
                    code,
                    program_id,
                    unit_id,
                    level,
                    year,
                    official,
                    key,
                    total[0],
                    total[1],
                    value_of(definition, *total),
                )
            )
    return out


def differences(
    stored: Iterable[AggregateRow], computed: Iterable[AggregateRow], *, tolerance: float = 1e-9
) -> list[Difference]:
    """Return the rows that differ between what is stored and a fresh computation."""

    def key(row: AggregateRow) -> tuple[str, int, int, int, bool, str]:
        return (
            row.indicator,
            row.program_id,
            row.unit_id,
            row.year,
            row.official,
            row.disaggregation,
        )

    def close(x: float | None, y: float | None) -> bool:
        if x is None or y is None:
            return x is None and y is None
        return abs(x - y) <= tolerance

    left = {key(r): r for r in stored}
    right = {key(r): r for r in computed}
    found = []
    for k in sorted(left.keys() | right.keys()):
        a, b = left.get(k), right.get(k)
        if (
            a is not None
            and b is not None
            and close(a.numerator, b.numerator)
            and close(a.denominator, b.denominator)
            and close(a.ci_low, b.ci_low)
            and close(a.ci_high, b.ci_high)
            and a.note == b.note
        ):
            continue
        found.append(
            Difference(
                *k,
                stored=None if a is None else (a.numerator, a.denominator),
                computed=None if b is None else (b.numerator, b.denominator),
            )
        )
    return found


def breaks(
    standards_by_year: Mapping[int, str], years: Sequence[int]
) -> list[tuple[int, str, str]]:
    """Return (year, standard, previous standard) for each year in `years` whose standard
    differs from the one of the previous year with data."""
    found = []
    previous = None
    for year in sorted(standards_by_year):
        standard = standards_by_year[year]
        if previous is not None and standard != previous and year in years:
            found.append((year, standard, previous))
        previous = standard
    return found
