"""Pure name generation: plausible, unique within a commune, kind matching the prefix."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketnghia.demo.names import KIND_BY_PREFIX, spread, village_names


@given(seed=st.integers(0, 10_000), count=st.integers(1, 30))
def test_village_names_are_unique_and_kind_follows_prefix(seed, count):
    names = village_names(random.Random(seed), count)
    assert len(names) == count
    assert len({village.name for village in names}) == count
    for village in names:
        prefix, _, place = village.name.partition(" ")
        assert village.kind == KIND_BY_PREFIX[prefix]
        assert place


def test_place_names_do_not_repeat_under_another_prefix():
    for seed in range(200):
        places = [v.name.partition(" ")[2] for v in village_names(random.Random(seed), 12)]
        assert len(set(places)) == len(places)


def test_same_seed_same_names():
    assert village_names(random.Random(7), 9) == village_names(random.Random(7), 9)


@given(seed=st.integers(0, 10_000), parts=st.integers(1, 60))
def test_spread_adds_up_within_bounds(seed, parts):
    total = random.Random(seed).randint(4 * parts, 12 * parts)
    counts = spread(random.Random(seed), total, parts, 4, 12)
    assert sum(counts) == total
    assert all(4 <= count <= 12 for count in counts)


def test_spread_refuses_an_impossible_total():
    with pytest.raises(ValueError):
        spread(random.Random(0), 1000, 10, 4, 12)
