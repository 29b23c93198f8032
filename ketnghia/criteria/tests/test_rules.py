"""Evaluation: the rule's cases, and the vectorised path against the scalar one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.criteria.domain import Outcome, State
from ketnghia.criteria.facts import Fact
from ketnghia.criteria.rules import FactsTable, evaluate_many, evaluate_one, needed_facts
from ketnghia.criteria.sets import builtin_sets, criteria_set_from_dict

FACTS = {name: Fact(name, ("village",), name, name) for name in ("a", "b", "c")}


def _set(criteria: list[dict], share: float = 50) -> object:
    return criteria_set_from_dict(
        {
            "code": "t",
            "level": "village",
            "name": {"vi": "t"},
            "legal_basis": {"vi": "t"},
            "first_year": 2000,
            "last_year": 2030,
            "regions": ["I", "II", "III"],
            "classes": ["especially_difficult"],
            "basically_meets": {"min_share_percent": share},
            "groups": [{"code": "g", "vi": "g"}],
            "criteria": [{"group": "g", "vi": c["code"], **c} for c in criteria],
        },
        facts=FACTS,
    )


RULES = _set(
    [
        {
            "code": "m",
            "formula": "a",
            "operator": "<",
            "threshold": {
                "default": 30,
                "by_region": {"III": 40},
                "by_class": {"especially_difficult": 45},
            },
            "mandatory": True,
        },
        {"code": "x", "formula": "b == 0"},
        {"code": "y", "formula": "c >= 1", "missing": "skip"},
    ],
    share=60,
)


@pytest.mark.parametrize(
    ("facts", "region", "unit_class", "outcome", "states"),
    [
        ({"a": 10, "b": 0, "c": 1}, "", "", Outcome.MEETS, "111"),
        ({"a": 10, "b": 1, "c": 1}, "", "", Outcome.BASICALLY_MEETS, "101"),
        ({"a": 35, "b": 0, "c": 1}, "", "", Outcome.NOT_MET, "011"),  # mandatory fails
        ({"a": 35, "b": 0, "c": 1}, "III", "", Outcome.MEETS, "111"),  # region III line is 40
        ({"a": 42, "b": 0, "c": 1}, "III", "especially_difficult", Outcome.MEETS, "111"),
        ({"a": 10, "b": 1}, "", "", Outcome.NOT_MET, "102"),  # c skipped: 1 of 2 < 60 %
        ({"a": 10, "b": 0}, "", "", Outcome.BASICALLY_MEETS, "112"),  # skipped: not "meets"
        ({"b": 0, "c": 1}, "", "", Outcome.NOT_MET, "011"),  # a missing, never skipped
    ],
)
def test_the_rule(facts, region, unit_class, outcome, states):
    result = evaluate_one(RULES, facts, region=region, unit_class=unit_class)
    assert result.outcome == outcome
    assert "".join(str(int(s)) for s in result.states) == states
    assert result.failing == [c for c, s in zip("mxy", states, strict=True) if s == "0"]


def test_the_threshold_used_is_reported():
    result = evaluate_one(RULES, {"a": 42, "b": 0, "c": 1}, region="III")
    assert (
        result.thresholds[0] == 40 and result.values[0] == 42 and result.states[0] == State.NOT_MET
    )


_CRITERION = st.fixed_dictionaries(
    {
        "formula": st.sampled_from(["a", "a + b", "a / b * 100", "b - c"]),
        "operator": st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
        "threshold": st.one_of(
            st.integers(-5, 5),
            st.fixed_dictionaries(
                {
                    "by_region": st.fixed_dictionaries(
                        {
                            "I": st.integers(-5, 5),
                            "II": st.integers(-5, 5),
                            "III": st.integers(-5, 5),
                        }
                    )
                },
                optional={
                    "by_class": st.fixed_dictionaries({"especially_difficult": st.integers(-5, 5)})
                },
            ),
        ),
        "mandatory": st.booleans(),
        "missing": st.sampled_from(["skip", "never_skip"]),
    }
) | st.fixed_dictionaries(
    {
        "formula": st.sampled_from(["a > b", "not (c == 0)", "a >= 1 and b < 2", "a == 1 or c"]),
        "mandatory": st.booleans(),
        "missing": st.sampled_from(["skip", "never_skip"]),
    }
)
_VALUE = st.one_of(st.none(), st.integers(-5, 5).map(float), st.floats(-10, 10, allow_nan=False))
_UNIT = st.tuples(
    st.fixed_dictionaries({"a": _VALUE, "b": _VALUE, "c": _VALUE}),
    st.sampled_from(["", "I", "II", "III"]),
    st.sampled_from(["", "especially_difficult"]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_CRITERION, min_size=1, max_size=6),
    st.integers(0, 100),
    st.lists(_UNIT, min_size=1, max_size=20),
)
def test_the_vectorised_path_agrees_with_the_scalar_one(criteria, share, units):
    criteria_set = _set([{"code": f"k{i}", **c} for i, c in enumerate(criteria)], share=share)
    table = FactsTable.from_rows(
        [str(i) for i in range(len(units))],
        [facts for facts, _r, _c in units],
        [r for _f, r, _c in units],
        [c for _f, _r, c in units],
        ["a", "b", "c"],
    )
    many = evaluate_many(criteria_set, table)
    for index, (facts, region, unit_class) in enumerate(units):
        one = evaluate_one(criteria_set, facts, region=region, unit_class=unit_class)
        assert many.result(index) == one


def test_the_same_engine_runs_both_shipped_sets():
    for criteria_set in builtin_sets().values():
        names = sorted(needed_facts(criteria_set))
        good = {n: 100.0 if "percent" in n or n in {"poverty_rate"} else 1.0 for n in names}
        good.update(
            {
                "poverty_rate": 1.0,
                "households_short_of_food": 0.0,
                "serious_crimes": 0.0,
                "public_order_incidents": 0.0,
                "drug_cases": 0.0,
                "illegal_migration_cases": 0.0,
                "party_cell_rating": 4.0,
                "households": 100.0,
                "households_land_or_work": 90.0,
                "households_hygienic_latrine": 90.0,
                "households_clean_water": 90.0,
            }
        )
        result = evaluate_one(criteria_set, good, region="III")
        assert result.outcome == Outcome.MEETS, (criteria_set.key, result.failing)
        table = FactsTable.from_rows(["u"], [good], ["III"], [""], names)
        assert evaluate_many(criteria_set, table).result(0) == result
        assert np.all(evaluate_many(criteria_set, table).states == State.MET)
