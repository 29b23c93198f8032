"""Masking personal ID numbers: a pure rule, checked on examples and on every input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ketnghia.households.rules import mask_personal_id


def test_a_citizen_id_keeps_its_first_digit_and_last_two():
    assert mask_personal_id("001234567889") == "0*********89"


def test_an_old_nine_digit_card_keeps_its_length():
    assert mask_personal_id("230123456") == "2******56"


def test_blank_and_very_short_numbers():
    assert mask_personal_id("") == ""
    assert mask_personal_id("  ") == ""
    assert mask_personal_id("1234") == "****"
    assert mask_personal_id("12345") == "1**45"


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_masking_keeps_the_length_and_reveals_at_most_three_digits(number):
    masked = mask_personal_id(number)
    assert len(masked) == len(number)
    assert sum(ch != "*" for ch in masked) <= min(3, max(len(number) - 2, 0))
    assert all(m in ("*", n) for m, n in zip(masked, number, strict=True))
