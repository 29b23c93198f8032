"""Transitions between rounds, as the census procedure names them."""

from __future__ import annotations

import pytest

from ketnghia.census.rules import (
    Transition,
    poverty_rate,
    series_breaks,
    transition,
    transition_counts,
    transitions,
)


@pytest.mark.parametrize(
    ("previous", "current", "earlier_poor", "expected"),
    [
        ("poor", "poor", False, Transition.REMAINED_POOR),
        ("poor", "near_poor", False, Transition.EXITED_POVERTY),
        ("poor", "not_poor", True, Transition.EXITED_POVERTY),
        ("near_poor", "poor", False, Transition.NEWLY_POOR),
        ("not_poor", "poor", True, Transition.FELL_BACK),
        ("average", "poor", True, Transition.FELL_BACK),
        ("near_poor", "average", True, Transition.REMAINED_NOT_POOR),
        (None, "poor", False, Transition.NEW_HOUSEHOLD),
        ("poor", None, False, Transition.LEFT),
    ],
)
def test_transition(previous, current, earlier_poor, expected):
    assert transition(previous, current, poor_before_previous=earlier_poor) == expected


def test_absent_from_both_rounds_is_a_bug():
    with pytest.raises(ValueError):
        transition(None, None)


def test_transitions_over_a_commune():
    previous = {1: "poor", 2: "near_poor", 3: "not_poor", 4: "poor"}
    current = {1: "poor", 2: "poor", 3: "poor", 5: "near_poor"}
    moves = transitions(previous, current, poor_before_previous={3})
    assert moves == {
        1: Transition.REMAINED_POOR,
        2: Transition.NEWLY_POOR,
        3: Transition.FELL_BACK,
        4: Transition.LEFT,
        5: Transition.NEW_HOUSEHOLD,
    }
    counts = transition_counts(moves)
    assert counts["exited_poverty"] == 0
    assert sum(counts.values()) == 5


def test_series_break_and_rate():
    assert series_breaks("vn-2011", "vn-2016")
    assert not series_breaks("vn-2011", "vn-2011")
    assert not series_breaks(None, "vn-2006")
    assert poverty_rate(57, 100) == 57.0
    assert poverty_rate(0, 0) is None
