"""One formatting path: counts, rates and money per language, rounded half up alike."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ketnghia.core import formatting
from ketnghia.core.formatting import (
    format_count,
    format_money,
    format_percent,
    format_rate,
    round_half_up,
)
from ketnghia.core.text import format_number

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("call", "vi", "en"),
    [
        (lambda lang: format_count(1148, language=lang), "1.148", "1,148"),
        (lambda lang: format_count(0, language=lang), "0", "0"),
        (lambda lang: format_count(1_234_567, language=lang), "1.234.567", "1,234,567"),
        (lambda lang: format_count(None, language=lang), "—", "—"),
        (lambda lang: format_rate(482, 1129, language=lang), f"42,7{NBSP}%", "42.7%"),
        (lambda lang: format_rate(1, 8, language=lang), f"12,5{NBSP}%", "12.5%"),
        # 0.25 % of the way: half up, not half even (Python's format gives 0.2).
        (lambda lang: format_rate(1, 400, language=lang), f"0,3{NBSP}%", "0.3%"),
        (lambda lang: format_rate(0, 0, language=lang), "—", "—"),
        (lambda lang: format_percent(100, language=lang), f"100,0{NBSP}%", "100.0%"),
        (
            lambda lang: format_money(1_200_000, language=lang),
            f"1.200.000{NBSP}đ",
            f"1,200,000{NBSP}VND",
        ),
        (lambda lang: format_money(-1500, language=lang), f"-1.500{NBSP}đ", f"-1,500{NBSP}VND"),
    ],
)
def test_each_figure_reads_the_same_in_both_languages(call, vi, en):
    assert call("vi") == vi
    assert call("en") == en


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("en"):
        assert format_rate(482, 1129) == "42.7%"
    with translation.override("vi"):
        assert format_rate(482, 1129) == f"42,7{NBSP}%"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.45, 1, "2.5"),
        (2.25, 1, "2.3"),
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (2.5, 0, "3"),
        (-2.45, 1, "-2.5"),
        (Decimal("12.25"), 1, "12.3"),
    ],
)
def test_rounding_is_half_up_on_the_decimal_value(value, decimals, expected):
    assert str(round_half_up(value, decimals)) == expected


def test_a_tiny_negative_rounds_to_plain_zero():
    assert formatting.format_decimal(-0.01, 1, language="vi") == "0,0"


@given(
    numerator=st.integers(min_value=0, max_value=10**7),
    extra=st.integers(min_value=0, max_value=10**7),
)
def test_rates_differ_between_languages_only_by_their_marks(numerator, extra):
    denominator = numerator + extra
    vi = format_rate(numerator, denominator, language="vi")
    en = format_rate(numerator, denominator, language="en")
    if denominator == 0:
        assert vi == en == "—"
        return
    assert vi.replace(".", "").replace(",", ".").replace(f"{NBSP}%", "%") == en.replace(",", "")
    exact = Decimal(100) * numerator / denominator
    shown = Decimal(en.replace(",", "").rstrip("%"))
    assert abs(shown - exact) <= Decimal("0.05")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_counts_read_back_as_the_same_integer(value):
    assert int(format_count(value, language="vi").replace(".", "")) == value
    assert int(format_count(value, language="en").replace(",", "")) == value
    assert format_number(value) == format_count(value, language="vi")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", f"1.148 · 42,7{NBSP}% · 1.200.000{NBSP}đ"),
        ("en", f"1,148 · 42.7% · 1,200,000{NBSP}VND"),
    ],
)
def test_template_filters_use_the_same_path(language, expected):
    template = Template("{% load census_format %}{{ n|number }} · {{ r|percent }} · {{ m|money }}")
    context = Context({"n": 1148, "r": formatting.rate(482, 1129), "m": 1_200_000})
    with translation.override(language):
        assert template.render(context) == expected
