"""Classification: bad input is refused with every problem, and the bulk path agrees with the
scalar one on every input (property test over all standards, both areas, every line)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.core.errors import InvalidInput
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.rules import (
    Status,
    classify,
    classify_many,
    deprivation_matrix_from_bits,
)
from ketnghia.poverty.standards import builtin_standards, get_standard, standard_from_dict

STANDARDS = list(builtin_standards().values())


def _fields(error: InvalidInput) -> set[str]:
    return {problem.location.field for problem in error.problems}


def test_unknown_indicator_negative_income_and_bad_area_are_listed_together():
    with pytest.raises(InvalidInput) as error:
        classify(
            get_standard("vn-2016"),
            area="mountain",
            monthly_income_per_person=-1,
            deprivations={"latrine", "nutrition"},
        )
    assert _fields(error.value) == {"area", "monthly_income_per_person", "deprivations.nutrition"}


def test_an_income_only_standard_has_no_indicator_to_be_deprived_on():
    with pytest.raises(InvalidInput) as error:
        classify(
            get_standard("vn-2011"),
            area="rural",
            monthly_income_per_person=1,
            deprivations={"latrine": False},
        )
    assert _fields(error.value) == {"deprivations.latrine"}


@pytest.mark.parametrize(
    "income", [1_000_000_001, Decimal("1000000000.01"), Decimal("NaN"), float("inf")]
)
def test_absurd_income_is_refused(income):
    with pytest.raises(InvalidInput) as error:
        classify(get_standard("vn-2022"), area="urban", monthly_income_per_person=income)
    assert _fields(error.value) == {"monthly_income_per_person"}


def test_the_ceiling_itself_is_accepted():
    result = classify(get_standard("vn-2022"), area="urban", monthly_income_per_person=10**9)
    assert result.status == Status.NOT_POOR


@pytest.mark.parametrize("income", ["1500000", True, None])
def test_an_income_that_is_not_a_number_is_a_bug_of_the_caller(income):
    with pytest.raises(TypeError):
        classify(get_standard("vn-2022"), area="urban", monthly_income_per_person=income)


def test_deprivations_as_a_mapping_count_only_the_true_ones():
    standard = get_standard("vn-2022")
    flags = dict.fromkeys(standard.indicator_codes, 0) | {"employment": 1, "latrine": True}
    result = classify(standard, area="rural", monthly_income_per_person=1, deprivations=flags)
    assert result.deprivation_count == 2
    assert result.status == Status.NEAR_POOR


def test_a_mapping_value_other_than_0_or_1_is_refused():
    with pytest.raises(InvalidInput) as error:
        classify(
            get_standard("vn-2022"),
            area="rural",
            monthly_income_per_person=1,
            deprivations={"employment": 2},
        )
    assert _fields(error.value) == {"deprivations.employment"}


def test_a_fractional_income_above_a_line_is_in_the_next_band():
    standard = get_standard("vn-2016")
    result = classify(standard, area="rural", monthly_income_per_person=Decimal("700000.01"))
    assert result.status == Status.NEAR_POOR


def test_bulk_refuses_bad_rows_with_their_positions():
    standard = get_standard("vn-2016")
    matrix = np.zeros((3, 10), dtype=np.int8)
    matrix[2, 4] = 7
    with pytest.raises(InvalidInput) as error:
        classify_many(standard, ["rural", "town", "urban"], [-5, 10, 10], matrix)
    assert _fields(error.value) == {
        "monthly_income_per_person[0]",
        "areas[1]",
        "deprivation_matrix[2, housing_quality]",
    }


def test_bulk_needs_the_indicator_columns_of_a_multidimensional_standard():
    with pytest.raises(InvalidInput):
        classify_many(get_standard("vn-2022"), ["rural"], [1])
    with pytest.raises(InvalidInput):
        classify_many(get_standard("vn-2022"), ["rural"], [1], np.zeros((1, 10)))


def test_bulk_of_nothing_is_nothing():
    result = classify_many(get_standard("vn-2022"), [], [], np.zeros((0, 12)))
    assert len(result) == 0


def test_bulk_classifies_many_households_in_one_call():
    standard = get_standard("vn-2022")
    rng = np.random.default_rng(7)
    rows = 100_000
    areas = np.where(rng.random(rows) < 0.8, "rural", "urban")
    incomes = rng.integers(0, 4_000_000, rows)
    matrix = rng.random((rows, 12)) < 0.2
    result = classify_many(standard, areas, incomes, matrix)
    assert len(result) == rows
    assert set(np.unique(result.status)) <= set(Status.values)


def test_bit_masks_unpack_in_the_standard_order():
    matrix = deprivation_matrix_from_bits([0, 1, 0b101, 2**12 - 1], 12)
    assert matrix.shape == (4, 12)
    assert matrix.sum(axis=1).tolist() == [0, 1, 2, 12]
    assert matrix[2, :3].tolist() == [True, False, True]
    with pytest.raises(ValueError):
        deprivation_matrix_from_bits([2**12], 12)


# --- The property: bulk == scalar --------------------------------------------------------


def _lines(standard: Standard) -> list[int]:
    return [
        line
        for thresholds in (standard.rural, standard.urban)
        for line in (thresholds.poor, thresholds.near_poor, thresholds.average)
        if line is not None
    ]


@st.composite
def local_standards(draw: st.DrawFn) -> Standard:
    """Draw a valid administrator-defined standard of any rule kind."""
    rule = draw(
        st.sampled_from(
            ["income_only", "income_or_deprivation_2016", "income_and_deprivation_2022"]
        )
    )
    indicators = 0 if rule == "income_only" else draw(st.integers(1, 15))

    def area_lines() -> dict[str, int]:
        lines = sorted(draw(st.sets(st.integers(1, 10_000_000), min_size=3, max_size=3)))
        result = {"poor": lines[0]}
        if rule == "income_or_deprivation_2016" or (rule == "income_only" and draw(st.booleans())):
            result["near_poor"] = lines[1]
        if draw(st.booleans()):
            result["average"] = lines[2]
        return result

    data = {
        "code": "local",
        "name": {"vi": "Chuẩn địa phương"},
        "legal_basis": {"vi": "Nghị quyết"},
        "first_year": 2020,
        "last_year": 2030,
        "rule": rule,
        "thresholds": {"rural": area_lines(), "urban": area_lines()},
    }
    if indicators:
        data["deprivation_threshold"] = draw(st.integers(1, indicators))
        data["dimensions"] = [{"code": "d", "vi": "D"}]
        data["indicators"] = [
            {"code": f"i{n}", "dimension": "d", "vi": f"Chỉ số {n}"} for n in range(indicators)
        ]
    return standard_from_dict(data)


@st.composite
def households(draw: st.DrawFn, standard: Standard) -> tuple[str, int | Decimal, list[bool]]:
    area = draw(st.sampled_from(["rural", "urban"]))
    near_line = st.sampled_from(_lines(standard)).flatmap(
        lambda line: st.sampled_from([line - 1, line, line + 1])
    )
    income = draw(
        st.one_of(
            near_line,
            near_line.map(lambda v: Decimal(v) + Decimal("0.5")),
            near_line.map(lambda v: Decimal(v) - Decimal("0.000001")),
            st.just(0),
            st.just(standard.income_ceiling),
            st.integers(0, standard.income_ceiling),
        ).filter(lambda v: 0 <= v <= standard.income_ceiling)
    )
    deprived = draw(
        st.lists(
            st.booleans(), min_size=len(standard.indicators), max_size=len(standard.indicators)
        )
    )
    return area, income, deprived


@st.composite
def batches(draw: st.DrawFn) -> tuple[Standard, list[tuple[str, int | Decimal, list[bool]]]]:
    standard = draw(st.one_of(st.sampled_from(STANDARDS), local_standards()))
    return standard, draw(st.lists(households(standard), min_size=1, max_size=40))


@settings(max_examples=300, deadline=None)
@given(batches(), st.sampled_from(["int", "object", "float"]))
def test_bulk_path_agrees_with_scalar_classification(batch, income_kind):
    standard, rows = batch
    if income_kind == "int":
        # Whole đồng in an int64 array, the import's own path.
        rows = [(a, int(i) if i == int(i) else int(i) + 1, d) for a, i, d in rows]
        incomes = np.array([i for _, i, _ in rows], dtype=np.int64)
    elif income_kind == "float":
        rows = [(a, float(i), d) for a, i, d in rows]
        incomes = np.array([i for _, i, _ in rows], dtype=np.float64)
    else:
        incomes = np.array([i for _, i, _ in rows], dtype=object)
    areas = [a for a, _, _ in rows]
    columns = len(standard.indicators)
    matrix = np.array([d for _, _, d in rows], dtype=bool).reshape(len(rows), columns)

    bulk = classify_many(standard, areas, incomes, matrix if columns else None)

    for index, (area, income, deprived) in enumerate(rows):
        one = classify(
            standard,
            area=area,
            monthly_income_per_person=income,
            deprivations={
                code for code, flag in zip(standard.indicator_codes, deprived, strict=True) if flag
            },
        )
        assert (bulk.status[index], bulk.deprivation_count[index], bulk.rule[index]) == (
            one.status.value,
            one.deprivation_count,
            one.rule,
        ), (standard.code, area, income, deprived)
