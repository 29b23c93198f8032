"""The formula language: what parses, what does not, and missing values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnghia.criteria.expressions import ParseError, evaluate, evaluate_many, names, parse


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 / 4", 2.5),
        ("-a + 1", -1.0),
        ("a >= 2 and not b", 1.0),
        ("a == 1 or b == 1", 0.0),
        ("not a < 3", 0.0),
        ("android + order", 5.0),
    ],
)
def test_values(formula, value):
    assert evaluate(parse(formula), {"a": 2, "b": 0, "android": 2, "order": 3}) == value


@pytest.mark.parametrize(
    ("formula", "position"),
    [("a +", 4), ("a ** b", 4), ("__import__('os')", 1), ("a.b.c", 4), ("f(x)", 2), ("a $ b", 3)],
)
def test_anything_else_is_refused_with_its_position(formula, position):
    with pytest.raises(ParseError) as caught:
        parse(formula)
    assert caught.value.position == position


def test_missing_and_division_by_zero_give_missing():
    assert evaluate(parse("a + 1"), {}) is None
    assert evaluate(parse("a / b"), {"a": 1, "b": 0}) is None
    assert evaluate(parse("a > 1 or b"), {"a": 2}) is None
    assert names(parse("a / b + 2 * c")) == {"a", "b", "c"}


_LEAVES = st.one_of(
    st.sampled_from(["a", "b", "c"]), st.integers(0, 5).map(str), st.sampled_from(["0.5", "2.25"])
)


def _formulas():
    return st.recursive(
        _LEAVES,
        lambda inner: st.one_of(
            st.tuples(
                inner,
                st.sampled_from(["+", "-", "*", "/", "<", ">=", "==", "!=", "and", "or"]),
                inner,
            ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda f: f"(not ({f}))"),
            inner.map(lambda f: f"-({f})"),
        ),
        max_leaves=8,
    )


_VALUE = st.one_of(st.none(), st.integers(-3, 3).map(float), st.floats(-100, 100, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(
    _formulas(),
    st.lists(
        st.fixed_dictionaries({"a": _VALUE, "b": _VALUE, "c": _VALUE}), min_size=1, max_size=8
    ),
)
def test_the_vectorised_path_agrees_with_the_scalar_one(formula, rows):
    tree = parse(formula)
    columns = {
        name: np.array([np.nan if r[name] is None else r[name] for r in rows]) for name in "abc"
    }
    many = evaluate_many(tree, columns, len(rows))
    for index, row in enumerate(rows):
        one = evaluate(tree, row)
        if one is None:
            assert math.isnan(many[index]), (formula, row)
        else:
            assert many[index] == pytest.approx(one, nan_ok=False) or (
                math.isinf(one) and many[index] == one
            )
