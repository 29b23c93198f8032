"""Criteria evaluation: 20 criteria over 100,000 synthetic villages, vectorised against scalar.

No database: a synthetic facts table (10 facts, 5 % missing, regions I/II/III, a share of
especially difficult communes) and a 20-criterion set built with `criteria_set_from_dict`.
The vectorised path (`evaluate_many`) runs on every village; the scalar one (`evaluate_one`)
on every village too unless `--criteria-scalar-units` says fewer, and the two are compared
unit by unit on what both evaluated. Target: the vectorised path ≥ 20× faster per village.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

TARGET_RATIO = 20
FACT_NAMES = (
    "poverty_rate",
    "near_poverty_rate",
    "households",
    "households_short_of_food",
    "households_land_or_work",
    "party_cell_rating",
    "serious_crimes",
    "drug_cases",
    "electricity_percent",
    "road_all_season",
)
FORMULAS: tuple[tuple[str, str, Any], ...] = (
    (
        "poverty_rate",
        "<",
        {
            "default": 35,
            "by_region": {"I": 15, "II": 25, "III": 35},
            "by_class": {"especially_difficult": 40},
        },
    ),
    ("near_poverty_rate", "<", 20),
    ("households_short_of_food == 0", "", None),
    ("households_land_or_work / households * 100", ">=", 80),
    ("party_cell_rating >= 3", "", None),
    ("serious_crimes == 0", "", None),
    ("drug_cases == 0 and serious_crimes == 0", "", None),
    ("electricity_percent", ">=", {"by_region": {"I": 98, "II": 95, "III": 90}}),
    ("road_all_season == 1", "", None),
    ("poverty_rate + near_poverty_rate", "<", 50),
    ("households", ">=", 20),
    ("not (party_cell_rating < 2)", "", None),
    ("(households - households_short_of_food) / households * 100", ">=", 95),
    ("electricity_percent > 50 or road_all_season == 1", "", None),
    ("poverty_rate * households / 100", "<=", 40),
    ("drug_cases", "<=", 1),
    ("serious_crimes + drug_cases", "<", 2),
    ("households_land_or_work", ">", 10),
    ("near_poverty_rate - poverty_rate", "<", 10),
    ("party_cell_rating == 4 or electricity_percent >= 99", "", None),
)


def criteria_set() -> Any:
    from ketnghia.criteria.facts import Fact
    from ketnghia.criteria.sets import criteria_set_from_dict

    criteria = []
    for index, (formula, operator, threshold) in enumerate(FORMULAS):
        item: dict[str, Any] = {
            "code": f"c{index + 1:02d}",
            "group": "g",
            "vi": formula,
            "formula": formula,
            "mandatory": index % 4 == 0,
            "missing": "skip" if index % 3 == 0 else "never_skip",
        }
        if operator:
            item["operator"], item["threshold"] = operator, threshold
        criteria.append(item)
    return criteria_set_from_dict(
        {
            "code": "bench",
            "level": "village",
            "name": {"vi": "bench"},
            "legal_basis": {"vi": "-"},
            "first_year": 2000,
            "last_year": 2030,
            "regions": ["I", "II", "III"],
            "classes": ["especially_difficult"],
            "basically_meets": {"min_share_percent": 75},
            "groups": [{"code": "g", "vi": "g"}],
            "criteria": criteria,
        },
        facts={name: Fact(name, ("village",), name, name) for name in FACT_NAMES},
    )


def facts_table(units: int, seed: int = 9) -> Any:
    from ketnghia.criteria.rules import FactsTable

    rng = np.random.default_rng(seed)
    columns = {
        "poverty_rate": rng.uniform(0, 80, units),
        "near_poverty_rate": rng.uniform(0, 30, units),
        "households": rng.integers(0, 200, units).astype(float),
        "households_short_of_food": rng.poisson(0.5, units).astype(float),
        "households_land_or_work": rng.integers(0, 200, units).astype(float),
        "party_cell_rating": rng.integers(1, 5, units).astype(float),
        "serious_crimes": rng.poisson(0.1, units).astype(float),
        "drug_cases": rng.poisson(0.1, units).astype(float),
        "electricity_percent": rng.uniform(30, 100, units),
        "road_all_season": rng.integers(0, 2, units).astype(float),
    }
    for column in columns.values():
        column[rng.random(units) < 0.05] = np.nan
    regions = rng.choice(np.array(["", "I", "II", "III"], dtype=object), units)
    classes = rng.choice(np.array(["", "especially_difficult"], dtype=object), units)
    return FactsTable([str(i) for i in range(units)], columns, regions, classes)


def measure(units: int = 100_000, scalar_units: int | None = None) -> dict[str, Any]:
    """Return the timings of both paths and whether they agree."""
    from ketnghia.criteria.rules import evaluate_many, evaluate_one

    the_set, table = criteria_set(), facts_table(units)
    started = time.perf_counter()
    many = evaluate_many(the_set, table)
    vector_seconds = time.perf_counter() - started
    scalar_units = units if scalar_units is None else min(scalar_units, units)
    rows = [table.row(i) for i in range(scalar_units)]
    started = time.perf_counter()
    results = [
        evaluate_one(the_set, rows[i], region=table.regions[i], unit_class=table.classes[i])
        for i in range(scalar_units)
    ]
    scalar_seconds = time.perf_counter() - started
    agree = all(many.result(i) == results[i] for i in range(scalar_units))
    vector_rate, scalar_rate = units / vector_seconds, scalar_units / scalar_seconds
    return {
        "units": units,
        "criteria": len(the_set.criteria),
        "vector_seconds": vector_seconds,
        "scalar_units": scalar_units,
        "scalar_seconds": scalar_seconds,
        "ratio": vector_rate / scalar_rate,
        "agree": agree,
    }


def add_lines(report: Any, result: dict[str, Any]) -> None:
    """Add the criteria lines to `bench.run`'s table."""
    rows = f"{result['units']:,}"
    report.add(
        "criteria, vectorised (20 criteria)", "—", rows, f"{result['vector_seconds']:.2f} s", ""
    )
    report.add(
        "criteria, scalar",
        "—",
        f"{result['scalar_units']:,}",
        f"{result['scalar_seconds']:.2f} s",
        "",
    )
    verdict = ("ok" if result["ratio"] >= TARGET_RATIO else "below target") + (
        "" if result["agree"] else ", PATHS DISAGREE"
    )
    report.add(
        "criteria, speed-up",
        "—",
        rows,
        "",
        f"{result['ratio']:.0f}×",
        f"≥ {TARGET_RATIO}×",
        verdict,
    )
