"""Criteria set files: the shipped ones load, and bad definitions are refused with a location."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.criteria.domain import ROLLUP_CODE, Kind, Level
from ketnghia.criteria.sets import builtin_sets, criteria_set_from_dict, set_for


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _village_example() -> dict:
    return copy.deepcopy(set_for(builtin_sets(), code="nvv-example", level=Level.VILLAGE).as_dict())


def _refusal(data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        criteria_set_from_dict(data, source="test.toml")
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_sets_load_with_their_structure():
    sets = builtin_sets()
    village = set_for(sets, code="nvv-example", level=Level.VILLAGE, year=2015)
    commune = set_for(sets, code="nvv-example", level=Level.COMMUNE, year=2015)
    ntm = set_for(sets, code="ntm-2021", level=Level.COMMUNE, year=2022)
    assert village.example and not village.verified
    assert [g.code for g in village.groups] == ["prosperous", "strong", "safe"]
    assert commune.village_set == "nvv-example" and commune.criteria[0].code == ROLLUP_CODE
    assert len(ntm.criteria) == 19 and len(ntm.groups) == 5
    assert {c.kind for c in ntm.criteria} == {Kind.COMPUTED, Kind.ASSESSED}
    assert "thresholds" in ntm.unverified
    assert ntm.criteria[10].threshold.for_unit("III", "") == 13


def test_a_definition_round_trips_through_as_dict():
    data = _village_example()
    assert criteria_set_from_dict(data).as_dict() == data


def test_a_formula_that_does_not_parse_is_refused_with_set_criterion_and_position():
    data = _village_example()
    data["criteria"][1]["formula"] = "households_short_of_food == == 0"
    (message,) = _refusal(data)
    assert "nvv-example" in message and "no_hunger" in message
    assert "position 29" in message and "criteria[2].formula" in message


def test_an_unknown_fact_is_refused_with_its_position():
    data = _village_example()
    data["criteria"][0]["formula"] = "poverty_rate + rice_harvest"
    (message,) = _refusal(data)
    assert "unknown fact “rice_harvest” at position 16" in message
    assert "poverty_rate" in message


def test_a_threshold_missing_for_a_region_is_refused():
    data = _village_example()
    data["criteria"][0]["threshold"] = {"by_region": {"I": 15, "II": 25}}
    (message,) = _refusal(data)
    assert "region III" in message and "criteria[1].threshold.by_region.III" in message


def test_a_share_above_100_percent_is_refused():
    data = _village_example()
    data["basically_meets"]["min_share_percent"] = 120
    (message,) = _refusal(data)
    assert "between 0 and 100" in message and "basically_meets.min_share_percent" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"kind": "assessed"}, "has no formula"),
        ({"operator": "<", "threshold": None}, "needs a threshold"),
        ({"formula": "households", "operator": ""}, "gives a number"),
        ({"missing": "sometimes"}, "missing-value strategy"),
        ({"group": "rich"}, "Unknown group"),
        (
            {"threshold": {"by_region": {"IV": 1}, "default": 3}, "operator": "<"},
            "“IV” is not among",
        ),
    ],
)
def test_other_bad_criteria_are_refused(change, expected):
    data = _village_example()
    criterion = data["criteria"][1]
    for key, value in change.items():
        if value is None:
            criterion.pop(key, None)
        else:
            criterion[key] = value
    if change.get("operator") == "<" and "threshold" not in change:
        criterion.pop("threshold", None)
    messages = _refusal(data)
    assert any(expected in m for m in messages), messages


def test_every_problem_is_listed_at_once():
    data = _village_example()
    data["criteria"][0]["formula"] = "poverty_rate +"
    data["criteria"][1]["formula"] = "unknown_thing == 0"
    data["basically_meets"]["min_share_percent"] = -1
    assert len(_refusal(data)) == 3
