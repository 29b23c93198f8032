"""Pure rules of the unit tree, classifications and successions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.geo import rules
from ketnghia.geo.models import ClassificationScheme, UnitKind, UnitLevel
from ketnghia.geo.rules import SuccessionEdge, reaggregate, succession_problems

D2015 = date(2015, 1, 1)
D2020 = date(2020, 1, 1)
D2025 = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_parent_levels_allow_both_trees_before_and_after_the_reform() -> None:
    assert rules.parent_problem(UnitLevel.COMMUNE, UnitLevel.DISTRICT) is None
    assert rules.parent_problem(UnitLevel.COMMUNE, UnitLevel.PROVINCE) is None
    assert rules.parent_problem(UnitLevel.PROVINCE, None) is None
    assert "cannot be placed under" in rules.parent_problem(UnitLevel.VILLAGE, UnitLevel.DISTRICT)
    assert "cannot be placed under" in rules.parent_problem(UnitLevel.VILLAGE, UnitLevel.VILLAGE)
    assert "needs a parent" in rules.parent_problem(UnitLevel.COMMUNE, None)
    assert "cannot be placed under" in rules.parent_problem(UnitLevel.PROVINCE, UnitLevel.PROVINCE)


def test_codes_cannot_break_paths() -> None:
    assert rules.code_problem("23500-01") is None
    assert rules.code_problem("") is not None
    assert rules.code_problem("23/500") is not None
    assert rules.code_problem("thôn 1") is not None


def test_moved_path_replaces_the_prefix_only() -> None:
    assert rules.moved_path("/62/615/23500/23500-01/", "/62/615/23500/", "/51/23500/") == (
        "/51/23500/23500-01/"
    )
    with pytest.raises(ValueError):
        rules.moved_path("/62/610/", "/62/615/", "/51/")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Thôn 1", UnitKind.THON),
        ("Làng Kon Stiu", UnitKind.LANG),
        ("LÀNG KON KLOR", UnitKind.LANG),
        ("Bản Nà Hì", UnitKind.BAN),
        ("Tổ dân phố 3", UnitKind.TO_DAN_PHO),
        ("TDP 4", UnitKind.TO_DAN_PHO),
        ("Kon Trang", UnitKind.THON),
        ("Bàn Thạch", UnitKind.THON),
    ],
)
def test_village_kind_from_name(name: str, kind: str) -> None:
    assert rules.village_kind_from_name(name) == kind


def test_village_kind_from_text_and_codes() -> None:
    assert rules.village_kind_from_text("Tổ dân phố") == UnitKind.TO_DAN_PHO
    assert rules.village_kind_from_text("to_dan_pho") == UnitKind.TO_DAN_PHO
    assert rules.village_kind_from_text("làng") == UnitKind.LANG
    assert rules.village_kind_from_text("ấp") is None
    assert rules.village_code("23500", 3) == "23500-03"
    assert rules.next_village_number("23500", ["23500-01", "23500-07", "23488-09", "X"]) == 8


def test_classification_values() -> None:
    region = ClassificationScheme.COMMUNE_REGION
    village = ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE
    assert rules.classification_value(region, "Khu vực III") == "III"
    assert rules.classification_value(region, "kv2") == "II"
    assert rules.classification_value(region, "1") == "I"
    assert rules.classification_value(village, "x") == rules.ESPECIALLY_DIFFICULT
    with pytest.raises(ValueError):
        rules.classification_value(region, "IV")
    assert rules.scheme_from_text("Thôn ĐBKK") == village
    assert rules.scheme_from_text("Khu vực") == region
    assert rules.classification_level_problem(region, UnitLevel.VILLAGE) is not None
    assert rules.classification_level_problem(village, UnitLevel.VILLAGE) is None
    assert rules.period_problem(2021, 2016) is not None
    assert rules.periods_overlap((2016, 2020), (2020, 2025))
    assert not rules.periods_overlap((2016, 2020), (2021, 2025))


# --- Re-aggregation ------------------------------------------------------------------------


def test_chains_are_followed_and_only_successions_in_the_window_apply() -> None:
    edges = [
        SuccessionEdge("A", "B", D2015, 1),
        SuccessionEdge("B", "C", D2020, 1),
        SuccessionEdge("C", "D", D2025, 1),
    ]
    values = {"A": 10.0, "X": 5.0}
    assert reaggregate(values, edges, as_of=D2025, data_date=date(2014, 12, 31)) == {
        "D": 10.0,
        "X": 5.0,
    }
    # Data measured after the 2015 change is already under B; A's edge is not applied again.
    assert reaggregate({"B": 7.0}, edges, as_of=date(2024, 1, 1), data_date=date(2016, 1, 1)) == {
        "C": 7.0
    }
    # A succession dated after `as_of` is not yet in force.
    assert reaggregate(values, edges, as_of=date(2019, 12, 31), data_date=date(2014, 1, 1)) == {
        "B": 10.0,
        "X": 5.0,
    }


def test_splits_divide_by_share_and_partial_ones_leave_the_rest() -> None:
    edges = [
        SuccessionEdge("A", "B", D2025, 0.6),
        SuccessionEdge("A", "C", D2025, 0.4),
        SuccessionEdge("E", "F", D2025, 0.25),
    ]
    result = reaggregate({"A": 100, "E": 40, "C": 1}, edges, as_of=D2025, data_date=D2020)
    assert result == pytest.approx({"B": 60.0, "C": 41.0, "E": 30.0, "F": 10.0})


def test_same_day_edges_read_the_values_of_the_day_before() -> None:
    edges = [SuccessionEdge("A", "B", D2025, 1), SuccessionEdge("B", "C", D2025, 1)]
    assert reaggregate({"A": 1, "B": 2}, edges, as_of=D2025, data_date=D2020) == {
        "B": 1.0,
        "C": 2.0,
    }


@st.composite
def _succession_sets(draw: st.DrawFn) -> tuple[dict[str, float], list[SuccessionEdge]]:
    """Random successions in generations (units of one generation pass to the next)."""
    generations = draw(st.integers(min_value=1, max_value=4))
    layers = [[f"g0u{i}" for i in range(draw(st.integers(1, 5)))]]
    edges: list[SuccessionEdge] = []
    for g in range(1, generations + 1):
        layer = [f"g{g}u{i}" for i in range(draw(st.integers(1, 5)))]
        day = date(2000, 1, 1) + timedelta(days=365 * g)
        for old in layers[-1]:
            if not draw(st.booleans()):
                continue
            targets = draw(st.lists(st.sampled_from(layer), min_size=1, max_size=3, unique=True))
            weights = draw(
                st.lists(st.integers(1, 100), min_size=len(targets), max_size=len(targets))
            )
            for target, weight in zip(targets, weights, strict=True):
                edges.append(SuccessionEdge(old, target, day, weight / sum(weights)))
        layers.append(layer + layers[-1])
    values = {
        code: draw(st.floats(min_value=0, max_value=1e6)) for layer in layers for code in layer
    }
    return values, edges


@settings(max_examples=200, deadline=None)
@given(_succession_sets(), st.integers(min_value=0, max_value=5))
def test_totals_are_conserved_when_every_old_unit_passes_wholly(
    case: tuple[dict[str, float], list[SuccessionEdge]], years: int
) -> None:
    values, edges = case
    as_of = date(2000, 1, 1) + timedelta(days=365 * years)
    result = reaggregate(values, edges, as_of=as_of, data_date=date(2000, 1, 1))
    assert sum(result.values()) == pytest.approx(sum(values.values()), rel=1e-9, abs=1e-6)
    gone = {e.old for e in edges if e.date <= as_of}
    assert not gone & set(result)


@settings(max_examples=200, deadline=None)
@given(_succession_sets(), st.integers(min_value=0, max_value=5))
def test_carried_ratios_agree_with_reaggregate_and_conserve_totals(
    case: tuple[dict[str, float], list[SuccessionEdge]], years: int
) -> None:
    """`carry_ratio` carries numerator and denominator as `reaggregate` carries each count,
    conserves both totals, and its sources say exactly where each new unit's part came from."""
    values, edges = case
    as_of = date(2000, 1, 1) + timedelta(days=365 * years)
    start = date(2000, 1, 1)
    figures = {code: (value / 2, value) for code, value in values.items()}
    carried = rules.carry_ratio(figures, edges, as_of=as_of, data_date=start)
    numerators = reaggregate(
        {c: f[0] for c, f in figures.items()}, edges, as_of=as_of, data_date=start
    )
    denominators = reaggregate(values, edges, as_of=as_of, data_date=start)
    assert set(carried) == set(denominators)
    for code, item in carried.items():
        assert item.numerator == pytest.approx(numerators[code], rel=1e-9, abs=1e-6)
        assert item.denominator == pytest.approx(denominators[code], rel=1e-9, abs=1e-6)
        assert item.denominator == pytest.approx(
            sum(values[old] * fraction for old, fraction in item.sources.items()),
            rel=1e-9,
            abs=1e-6,
        )
    assert sum(c.numerator for c in carried.values()) == pytest.approx(
        sum(f[0] for f in figures.values()), rel=1e-9, abs=1e-6
    )
    # Each old unit is distributed wholly: its fractions over all new units add up to 1.
    spread: dict[str, float] = {}
    for item in carried.values():
        for old, fraction in item.sources.items():
            spread[old] = spread.get(old, 0.0) + fraction
    assert spread == pytest.approx(dict.fromkeys(values, 1.0))


def test_a_carried_rate_is_its_parts_divided_not_an_average_of_rates() -> None:
    edges = [SuccessionEdge("A", "M", D2025, 1), SuccessionEdge("B", "M", D2025, 1)]
    carried = rules.carry_ratio(
        {"A": (90, 100), "B": (10, 900)}, edges, as_of=D2025, data_date=D2020
    )
    assert carried["M"].value(100) == pytest.approx(10.0)  # 100 / 1000, not (90 % + 1.1 %) / 2
    assert carried["M"].sources == {"A": 1.0, "B": 1.0}


def test_reform_codes() -> None:
    assert rules.reform_2025_code("23302") == "23302-2025"
    assert rules.national_code_of("23302-2025") == "23302"
    assert rules.national_code_of("23302") == "23302"
    assert rules.code_problem(rules.reform_2025_code("23302")) is None


# --- Checking successions ------------------------------------------------------------------


def _messages(edges: list[SuccessionEdge]) -> list[tuple[object, str, str]]:
    return [(edge.source, field, message) for edge, field, message in succession_problems(edges)]


def test_a_valid_merger_and_split_have_no_problems() -> None:
    edges = [
        SuccessionEdge("A", "M", D2025, 1, source=1),
        SuccessionEdge("B", "M", D2025, 1, source=2),
        SuccessionEdge("C", "P", D2025, 0.5, source=3),
        SuccessionEdge("C", "Q", D2025, 0.5, source=4),
        # A partial split earlier, then the rest merges: the unit lived on between.
        SuccessionEdge("E", "F", D2015, 0.3, source=5),
        SuccessionEdge("E", "M", D2025, 1, source=6),
    ]
    assert _messages(edges) == []


def test_self_succession_and_bad_shares() -> None:
    problems = _messages(
        [
            SuccessionEdge("A", "A", D2025, 1, source=1),
            SuccessionEdge("B", "C", D2025, 1.5, source=2),
        ]
    )
    assert [(s, f) for s, f, _m in problems] == [(1, "new"), (2, "share"), (2, "share")]


def test_shares_above_one_on_a_date() -> None:
    problems = _messages(
        [
            SuccessionEdge("A", "B", D2025, 0.7, source=1),
            SuccessionEdge("A", "C", D2025, 0.4, source=2),
        ]
    )
    assert {(s, f) for s, f, _m in problems} == {(1, "share"), (2, "share")}
    assert "1.1" in problems[0][2]


def test_overlapping_successions_are_refused() -> None:
    problems = _messages(
        [SuccessionEdge("A", "B", D2020, 1, source=1), SuccessionEdge("A", "C", D2025, 1, source=2)]
    )
    assert {(s, f) for s, f, _m in problems} == {(1, "date"), (2, "date")}
    assert "Overlapping" in problems[0][2]
    # A stored edge is not blamed, the file's row is.
    problems = _messages(
        [SuccessionEdge("A", "B", D2020, 1), SuccessionEdge("A", "C", D2025, 0.5, source=2)]
    )
    assert [(s, f) for s, f, _m in problems] == [(2, "date")]


def test_cycles_are_refused_directly_and_through_others() -> None:
    problems = _messages(
        [SuccessionEdge("A", "B", D2015, 1, source=1), SuccessionEdge("B", "A", D2020, 1, source=2)]
    )
    assert {(s, f) for s, f, _m in problems} == {(1, "new"), (2, "new")}
    chain = [
        SuccessionEdge("A", "B", D2015, 1),
        SuccessionEdge("B", "C", D2020, 1),
        SuccessionEdge("C", "A", D2025, 1, source=9),
        SuccessionEdge("X", "Y", D2025, 1, source=10),
    ]
    assert [(s, "cycle" in m) for s, _f, m in _messages(chain)] == [(9, True)]
