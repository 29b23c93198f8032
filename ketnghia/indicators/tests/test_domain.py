"""The pure arithmetic of indicators: base figures, roll-ups, time aggregation, definitions."""

from __future__ import annotations

import pytest

from ketnghia.core.errors import InvalidInput
from ketnghia.indicators import domain
from ketnghia.indicators.definitions import FACTS, builtin_definitions, definition_get
from ketnghia.indicators.domain import Figure


def _figure(code: str, year: int, numerator: float, denominator: float) -> Figure:
    definition = definition_get(code)
    return Figure(
        code=code,
        label_vi=definition.label_vi,
        label_en=definition.label_en,
        factor=definition.factor,
        numerator=numerator,
        denominator=denominator,
        value=domain.value_of(definition, numerator, denominator),
        unit_code="62",
        unit_name="Tỉnh Kon Tum",
        unit_level="province",
        year=year,
        disaggregation="",
        official=True,
        refreshed_at=None,
    )


def test_the_contracts_codes_are_defined():
    codes = {d.code for d in builtin_definitions()}
    assert {
        "poverty_rate",
        "near_poverty_rate",
        "communes_below_30",
        "road_access_share",
        "communes_meeting_criteria",
        "villages_meeting_criteria",
        "poor_households_with_party_member",
        "twinning_activities",
    } <= codes
    assert definition_get("twinning_activities").time_aggregation == "sum"
    assert definition_get("poverty_rate").time_aggregation == "last"


def test_a_sum_indicator_is_summed_over_the_period_and_a_last_one_is_not():
    activities = [_figure("twinning_activities", y, n, 1) for y, n in ((2013, 40), (2014, 50))]
    rates = [_figure("poverty_rate", y, n, 100) for y, n in ((2013, 40), (2014, 50))]
    summed = domain.over_period(definition_get("twinning_activities"), activities)
    assert summed is not None
    assert (summed.numerator, summed.value, summed.year) == (90, 90, 2014)
    last = domain.over_period(definition_get("poverty_rate"), rates)
    assert last is not None
    assert (last.numerator, last.value) == (50, 50)  # not 90, not 45 %


def test_average_time_aggregation_is_the_mean_of_the_values():
    average = domain.IndicatorDefinition(
        code="poverty_rate",
        label_vi="x",
        label_en="x",
        numerator="poor_households",
        denominator="households",
        factor=100,
        unit_aggregation="weighted",
        time_aggregation="average",
    )
    rates = [_figure("poverty_rate", y, n, 100) for y, n in ((2013, 40), (2014, 50))]
    found = domain.over_period(average, rates)
    assert found is not None and found.value == pytest.approx(45)
    assert domain.over_period(average, []) is None


def test_count_indicators_count_units_meeting_their_condition():
    below = definition_get("communes_below_30")
    assert domain.base_figure(below, {"poor_households": 29, "households": 100}) == (1.0, 1.0)
    assert domain.base_figure(below, {"poor_households": 30, "households": 100}) == (0.0, 1.0)
    assert domain.base_figure(below, {"poor_households": 0, "households": 0}) == (0.0, 0.0)
    assert domain.base_figure(below, {"road_known": 1}) is None
    assert domain.roll_up(below, [(1, 1), (0, 1), (1, 1)]) == (2, 3)


def test_weighted_and_sum_roll_ups():
    rate = definition_get("poverty_rate")
    assert domain.roll_up(rate, [(10, 100), (30, 50)]) == (40, 150)
    assert domain.value_of(rate, 40, 150) == pytest.approx(26.666, rel=1e-3)
    assert domain.value_of(rate, 0, 0) is None
    activities = definition_get("twinning_activities")
    assert domain.roll_up(activities, [(3, 1), (4, 1)]) == (7, 1)
    assert domain.roll_up(activities, []) is None


def test_definitions_refuse_unknown_facts_and_aggregations_listing_each_problem():
    data = {
        "indicators": [
            {
                "code": "x",
                "label_vi": "X",
                "label_en": "X",
                "numerator": "nothing",
                "denominator": "households",
                "unit_aggregation": "median",
                "time_aggregation": "cumulative",
            },
            {
                "code": "x",
                "label_vi": "Y",
                "label_en": "Y",
                "numerator": "households",
                "denominator": "households",
                "unit_aggregation": "count",
            },
        ]
    }
    with pytest.raises(InvalidInput) as error:
        domain.definitions_from_data(data, source="bad.toml", facts=FACTS)
    messages = " | ".join(str(p) for p in error.value.problems)
    assert "nothing" in messages and "median" in messages and "cumulative" in messages
    assert "trùng" in messages and "điều kiện" in messages
    assert all(p.location.file == "bad.toml" for p in error.value.problems)


def test_differences_name_rows_missing_on_either_side_or_changed():
    row = domain.AggregateRow("poverty_rate", 1, 2, "commune", 2015, True, "", 3, 10, 30.0)
    other = domain.AggregateRow("poverty_rate", 1, 3, "commune", 2015, True, "", 1, 10, 10.0)
    changed = domain.AggregateRow("poverty_rate", 1, 2, "commune", 2015, True, "", 4, 10, 40.0)
    assert domain.differences([row], [row]) == []
    found = domain.differences([row, other], [changed])
    assert [(d.unit_id, d.stored, d.computed) for d in found] == [
        (2, (3, 10), (4, 10)),
        (3, (1, 10), None),
    ]


def test_breaks_are_where_the_standard_changes():
    standards = {2010: "vn-2006", 2011: "vn-2011", 2015: "vn-2011", 2016: "vn-2016"}
    assert domain.breaks(standards, [2010, 2011, 2015, 2016]) == [
        (2011, "vn-2011", "vn-2006"),
        (2016, "vn-2016", "vn-2011"),
    ]
    assert domain.breaks(standards, [2015, 2016]) == [(2016, "vn-2016", "vn-2011")]


def test_aggregate_rows_add_key_communes_and_levels_from_base_rows():
    definitions = [definition_get("poverty_rate")]
    base = [
        domain.BaseRow("poverty_rate", 11, 11, 2015, True, "", 5, 10),
        domain.BaseRow("poverty_rate", 12, 12, 2015, True, "", 1, 10),
    ]
    members = {(1, 2015): {11: True, 12: False}}
    ancestors = {11: [(100, "district"), (1000, "province")], 12: [(1000, "province")]}
    rows = {
        (r.unit_id, r.disaggregation): (r.numerator, r.denominator)
        for r in domain.aggregate_rows(definitions, base, members, ancestors)
    }
    assert rows[(1000, "")] == (6, 20)
    assert rows[(1000, "group:key")] == (5, 10)
    assert rows[(100, "")] == (5, 10)
    assert (12, "group:key") not in rows


def test_region_rows_add_the_communes_of_that_region_in_the_year():
    definitions = [definition_get("poverty_rate"), definition_get("twinning_activities")]
    base = [
        domain.BaseRow("poverty_rate", 11, 11, 2016, True, "", 5, 10),
        domain.BaseRow("poverty_rate", 12, 12, 2016, True, "", 1, 10),
        domain.BaseRow("twinning_activities", 12, 12, 2016, True, "", 3, 1),
    ]
    members = {(1, 2016): {11: False, 12: False}}
    ancestors = {11: [(1000, "province")], 12: [(1000, "province")]}
    regions = {(11, 2016): "III", (12, 2016): "II"}
    rows = {
        (r.indicator, r.unit_id, r.disaggregation): (r.numerator, r.denominator)
        for r in domain.aggregate_rows(definitions, base, members, ancestors, regions)
    }
    assert rows[("poverty_rate", 1000, "region:III")] == (5, 10)
    assert rows[("poverty_rate", 1000, "region:II")] == (1, 10)
    # Activities declare no region disaggregation.
    assert ("twinning_activities", 1000, "region:II") not in rows
