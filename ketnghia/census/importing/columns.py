"""The columns of a census file and the words officers write in them (pure, no ORM).

The template writes each column under its first name; the import accepts every name listed,
compared without diacritics, case or punctuation (see `imports.readers.header_key`). An
indicator column is named by the indicator's Vietnamese name, its English name or its code.
"""

from __future__ import annotations

from ketnghia.core.text import fold
from ketnghia.imports.readers import Column
from ketnghia.poverty.domain import Area, Standard

HOUSEHOLD_CODE = "household_code"
HEAD_NAME = "head_name"
VILLAGE = "village"
AREA = "area"
MEMBER_COUNT = "member_count"
SURVEYED_ON = "surveyed_on"
INCOME = "monthly_income_per_person"
COMMUNE_CODE = "commune_code"
# Indicator columns are keyed "indicator:<code>", so no indicator code can shadow a column.
INDICATOR_PREFIX = "indicator:"
MAX_MEMBERS = 99

BASE_COLUMNS = (
    Column(
        HOUSEHOLD_CODE,
        ("Mã hộ", "Mã số hộ", "Mã hộ gia đình", "Mã HGĐ", "household code", HOUSEHOLD_CODE),
    ),
    Column(
        HEAD_NAME,
        (
            "Họ và tên chủ hộ",
            "Họ tên chủ hộ",
            "Tên chủ hộ",
            "Chủ hộ",
            "head of household",
            "head name",
            HEAD_NAME,
        ),
    ),
    Column(
        INCOME,
        (
            "Thu nhập bình quân đầu người/tháng (đồng)",
            "Thu nhập bình quân đầu người/tháng",
            "Thu nhập bình quân đầu người",
            "Thu nhập BQ/người/tháng",
            "Thu nhập bình quân",
            "Thu nhập",
            "monthly income per person",
            "income",
            INCOME,
        ),
    ),
    Column(
        VILLAGE,
        (
            "Thôn, làng",
            "Thôn/làng",
            "Thôn",
            "Làng",
            "Thôn, bản",
            "Thôn, tổ dân phố",
            "Tên thôn",
            "Mã thôn",
            "village",
            "village code",
            "village_code",
        ),
        required=False,
    ),
    Column(AREA, ("Khu vực", "Nông thôn/thành thị", "Địa bàn", "area"), required=False),
    Column(
        MEMBER_COUNT,
        ("Số nhân khẩu", "Số khẩu", "Số người trong hộ", "Nhân khẩu", "members", MEMBER_COUNT),
        required=False,
    ),
    Column(
        SURVEYED_ON,
        ("Ngày điều tra", "Ngày rà soát", "Ngày phỏng vấn", "survey date", SURVEYED_ON),
        required=False,
    ),
    Column(
        COMMUNE_CODE,
        ("Mã xã", "Mã đơn vị hành chính xã", "commune code", COMMUNE_CODE),
        required=False,
    ),
)

# The order of the template's columns.
TEMPLATE_KEYS = (HOUSEHOLD_CODE, HEAD_NAME, VILLAGE, AREA, MEMBER_COUNT, SURVEYED_ON, INCOME)


def indicator_key(code: str) -> str:
    return INDICATOR_PREFIX + code


def census_columns(standard: Standard) -> tuple[Column, ...]:
    """Return the columns a census file under `standard` has: every indicator is required."""
    indicators = tuple(
        Column(
            indicator_key(indicator.code),
            tuple(name for name in (indicator.name.vi, indicator.name.en, indicator.code) if name),
        )
        for indicator in standard.indicators
    )
    return BASE_COLUMNS + indicators


def column_label(standard: Standard, key: str) -> str:
    """Return the header the template writes for column `key`."""
    for column in census_columns(standard):
        if column.key == key:
            return column.label
    raise KeyError(key)


# --- Cell vocabularies (compared folded: no diacritics, lower case) ---------------------------

AREA_WORDS: dict[str, str] = {
    "nong thon": Area.RURAL,
    "rural": Area.RURAL,
    "nt": Area.RURAL,
    "thanh thi": Area.URBAN,
    "do thi": Area.URBAN,
    "urban": Area.URBAN,
    "tt": Area.URBAN,
}
AREA_LABELS = {Area.RURAL: "nông thôn", Area.URBAN: "thành thị"}

# What a deprivation cell may say. A blank cell is "not deprived" only on a row where some
# indicator cell is filled (officers mark deprivations with an x and leave the rest blank);
# a row whose indicator cells are all blank was not surveyed and is refused.
FLAG_WORDS: dict[str, int] = {
    "1": 1,
    "x": 1,
    "co": 1,
    "thieu": 1,
    "thieu hut": 1,
    "yes": 1,
    "true": 1,
    "0": 0,
    "khong": 0,
    "k": 0,
    "du": 0,
    "no": 0,
    "false": 0,
}

# Rows that sum up a table rather than describe a household.
TOTAL_WORDS = frozenset({"tong cong", "cong", "tong", "tong so", "total", "tong cong toan xa"})


def is_total_label(value: object) -> bool:
    """Return whether a cell reads "Tổng cộng", "Cộng" or the like."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    return fold(value).strip(" :.") in TOTAL_WORDS
