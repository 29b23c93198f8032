"""Cases written from the legal text of each standard (domain.md §5), not from its file.

For every standard and area: at, just below and just above every line, with 2 and with 3
deprivations where the standard has indicators. Incomes are VND per person per month.
"""

from __future__ import annotations

import pytest

from ketnghia.poverty.rules import Status, classify
from ketnghia.poverty.standards import get_standard

POOR, NEAR, AVERAGE, NOT = Status.POOR, Status.NEAR_POOR, Status.AVERAGE, Status.NOT_POOR

# Income-only standards: (standard, area, income, expected status, deciding rule).
INCOME_ONLY_CASES = [
    # Decision 170/2005/QĐ-TTg, 2006–2010: poor ≤ 200,000 rural, ≤ 260,000 urban; no
    # national near-poor band.
    ("vn-2006", "rural", 0, POOR, "income<=200000"),
    ("vn-2006", "rural", 199_999, POOR, "income<=200000"),
    ("vn-2006", "rural", 200_000, POOR, "income<=200000"),
    ("vn-2006", "rural", 200_001, NOT, "income>200000"),
    ("vn-2006", "urban", 259_999, POOR, "income<=260000"),
    ("vn-2006", "urban", 260_000, POOR, "income<=260000"),
    ("vn-2006", "urban", 260_001, NOT, "income>260000"),
    # Decision 09/2011/QĐ-TTg, 2011–2015: rural poor ≤ 400,000, near-poor 400,001–520,000;
    # urban poor ≤ 500,000, near-poor 500,001–650,000.
    ("vn-2011", "rural", 399_999, POOR, "income<=400000"),
    ("vn-2011", "rural", 400_000, POOR, "income<=400000"),
    ("vn-2011", "rural", 400_001, NEAR, "income<=520000"),
    ("vn-2011", "rural", 519_999, NEAR, "income<=520000"),
    ("vn-2011", "rural", 520_000, NEAR, "income<=520000"),
    ("vn-2011", "rural", 520_001, NOT, "income>520000"),
    ("vn-2011", "urban", 499_999, POOR, "income<=500000"),
    ("vn-2011", "urban", 500_000, POOR, "income<=500000"),
    ("vn-2011", "urban", 500_001, NEAR, "income<=650000"),
    ("vn-2011", "urban", 649_999, NEAR, "income<=650000"),
    ("vn-2011", "urban", 650_000, NEAR, "income<=650000"),
    ("vn-2011", "urban", 650_001, NOT, "income>650000"),
]

# Standards with indicators: (income, status with 2 deprivations, status with 3).
VN_2016_RURAL = [
    # Decision 59/2015/QĐ-TTg: poor if ≤ 700,000, or ≤ 1,000,000 and deprived ≥ 3 of 10;
    # near-poor if 700,001–1,000,000 and deprived < 3.
    (0, POOR, POOR),
    (699_999, POOR, POOR),
    (700_000, POOR, POOR),
    (700_001, NEAR, POOR),
    (999_999, NEAR, POOR),
    (1_000_000, NEAR, POOR),
    (1_000_001, NOT, NOT),
]
VN_2016_URBAN = [
    # Same rule with 900,000 and 1,300,000.
    (899_999, POOR, POOR),
    (900_000, POOR, POOR),
    (900_001, NEAR, POOR),
    (1_299_999, NEAR, POOR),
    (1_300_000, NEAR, POOR),
    (1_300_001, NOT, NOT),
]
VN_2022_RURAL = [
    # Decree 07/2021/NĐ-CP: poor ≤ 1,500,000 and deprived ≥ 3 of 12; near-poor ≤ 1,500,000
    # and deprived < 3; average standard 1,500,001–2,250,000.
    (0, NEAR, POOR),
    (1_499_999, NEAR, POOR),
    (1_500_000, NEAR, POOR),
    (1_500_001, AVERAGE, AVERAGE),
    (2_249_999, AVERAGE, AVERAGE),
    (2_250_000, AVERAGE, AVERAGE),
    (2_250_001, NOT, NOT),
]
VN_2022_URBAN = [
    # Urban: 2,000,000; average standard 2,000,001–3,000,000.
    (1_999_999, NEAR, POOR),
    (2_000_000, NEAR, POOR),
    (2_000_001, AVERAGE, AVERAGE),
    (2_999_999, AVERAGE, AVERAGE),
    (3_000_000, AVERAGE, AVERAGE),
    (3_000_001, NOT, NOT),
]
VN_2027_RURAL = [
    # 2026–2030 standard (decree number unverified): poor ≤ 2,200,000 and deprived ≥ 3;
    # near-poor ≤ 2,200,000 and deprived < 3; no average band is given.
    (2_199_999, NEAR, POOR),
    (2_200_000, NEAR, POOR),
    (2_200_001, NOT, NOT),
]
VN_2027_URBAN = [
    (2_799_999, NEAR, POOR),
    (2_800_000, NEAR, POOR),
    (2_800_001, NOT, NOT),
]

DEPRIVATION_CASES = [
    (code, area, income, deprived, expected)
    for code, area, table in [
        ("vn-2016", "rural", VN_2016_RURAL),
        ("vn-2016", "urban", VN_2016_URBAN),
        ("vn-2022", "rural", VN_2022_RURAL),
        ("vn-2022", "urban", VN_2022_URBAN),
        ("vn-2027", "rural", VN_2027_RURAL),
        ("vn-2027", "urban", VN_2027_URBAN),
    ]
    for income, with_two, with_three in table
    for deprived, expected in ((2, with_two), (3, with_three))
]


@pytest.mark.parametrize(("code", "area", "income", "expected", "rule"), INCOME_ONLY_CASES)
def test_income_only_standards_follow_the_legal_lines(code, area, income, expected, rule):
    result = classify(get_standard(code), area=area, monthly_income_per_person=income)
    assert (result.status, result.rule) == (expected, rule)
    assert result.deprivation_count == 0


@pytest.mark.parametrize(("code", "area", "income", "deprived", "expected"), DEPRIVATION_CASES)
def test_multidimensional_standards_follow_the_legal_lines(code, area, income, deprived, expected):
    standard = get_standard(code)
    # Which indicators are deprived must not matter, only how many: take them from the end.
    deprivations = set(standard.indicator_codes[-deprived:])
    result = classify(
        standard, area=area, monthly_income_per_person=income, deprivations=deprivations
    )
    assert result.status == expected
    assert result.deprivation_count == deprived


@pytest.mark.parametrize(
    ("code", "income", "deprived", "rule"),
    [
        ("vn-2016", 700_000, 2, "income<=700000"),
        ("vn-2016", 700_000, 3, "income<=700000"),
        ("vn-2016", 700_001, 3, "income<=1000000 and deprived>=3"),
        ("vn-2016", 1_000_000, 2, "income<=1000000 and deprived<3"),
        ("vn-2016", 1_000_001, 3, "income>1000000"),
        ("vn-2022", 1_500_000, 3, "income<=1500000 and deprived>=3"),
        ("vn-2022", 1_500_000, 2, "income<=1500000 and deprived<3"),
        ("vn-2022", 1_500_001, 3, "income<=2250000"),
        ("vn-2022", 2_250_001, 12, "income>2250000"),
        ("vn-2027", 2_200_001, 3, "income>2200000"),
    ],
)
def test_the_rule_that_decided_is_named(code, income, deprived, rule):
    standard = get_standard(code)
    result = classify(
        standard,
        area="rural",
        monthly_income_per_person=income,
        deprivations=set(standard.indicator_codes[:deprived]),
    )
    assert result.rule == rule
    assert result.rule_text


def test_every_indicator_counts_alike_under_2016_and_2022():
    for code in ("vn-2016", "vn-2022"):
        standard = get_standard(code)
        line = standard.rural.poor if code == "vn-2022" else standard.rural.near_poor
        for indicator in standard.indicator_codes:
            others = [c for c in standard.indicator_codes if c != indicator][:2]
            result = classify(
                standard,
                area="rural",
                monthly_income_per_person=line,
                deprivations={indicator, *others},
            )
            assert result.status == POOR, (code, indicator)
