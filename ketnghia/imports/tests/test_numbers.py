"""One number parser for the whole project: money the Vietnamese way, ambiguity refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from ketnghia.core.text import AmbiguousNumber, parse_amount
from ketnghia.imports.readers import CellError, cell_decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("1.500.000", Decimal(1_500_000)),
        ("1 500 000", Decimal(1_500_000)),
        ("1500000", Decimal(1_500_000)),
        ("1.500.000 đ", Decimal(1_500_000)),
        ("1.500.000đ", Decimal(1_500_000)),
        ("1\u202f500\u202f000 VNĐ", Decimal(1_500_000)),
        ("700.000", Decimal(700_000)),
        ("0,5", Decimal("0.5")),
        ("1.500.000,5", Decimal("1500000.5")),
        ("1,500,000", Decimal(1_500_000)),
        ("1,234.5", Decimal("1234.5")),
        ("−200.000", Decimal(-200_000)),
        (1500000.0, Decimal(1_500_000)),
        (1500000, Decimal(1_500_000)),
        (Decimal("12.5"), Decimal("12.5")),
    ],
)
def test_amounts_read_the_vietnamese_way(value, amount):
    assert parse_amount(value) == amount


def test_a_comma_before_three_digits_is_ambiguous_and_says_how_to_write_it():
    with pytest.raises(AmbiguousNumber, match=r"1500 or 1\.500"):
        parse_amount("1,500")


@pytest.mark.parametrize("value", ["", "abc", "1.5e6", "1.500.00", "1..500", True, float("nan")])
def test_non_numbers_are_refused(value):
    with pytest.raises(ValueError):
        parse_amount(value)


def test_the_reader_uses_the_same_parser():
    assert cell_decimal("700.000") == Decimal(700_000)
    assert cell_decimal(1500000.0) == Decimal(1_500_000)
    with pytest.raises(CellError, match="ambiguous"):
        cell_decimal("1,500")
    with pytest.raises(CellError, match="Expected a number"):
        cell_decimal("một nửa")
