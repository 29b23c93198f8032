"""Standards as data: the shipped files, the default by year, and checking local definitions."""

from __future__ import annotations

import json

import pytest

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.poverty.domain import RuleKind
from ketnghia.poverty.rules import Status, classify
from ketnghia.poverty.standards import (
    builtin_standards,
    get_standard,
    load_standard_file,
    load_standards_dir,
    standard_for_year,
    standard_from_dict,
)


def _fields(error: InvalidInput) -> set[str]:
    return {problem.location.field for problem in error.problems}


def test_the_five_national_standards_ship_oldest_first():
    standards = builtin_standards()
    assert list(standards) == ["vn-2006", "vn-2011", "vn-2016", "vn-2022", "vn-2027"]
    assert [(s.first_year, s.last_year) for s in standards.values()] == [
        (2006, 2010),
        (2011, 2015),
        (2016, 2021),
        (2022, 2026),
        (2027, 2030),
    ]


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("vn-2006", "170/2005/QĐ-TTg"),
        ("vn-2011", "09/2011/QĐ-TTg"),
        ("vn-2016", "59/2015/QĐ-TTg"),
        ("vn-2022", "07/2021/NĐ-CP"),
    ],
)
def test_each_standard_cites_its_legal_basis_in_both_languages(code, number):
    standard = get_standard(code)
    assert number in standard.legal_basis.vi and number in standard.legal_basis.en
    assert standard.name.vi and standard.name.en
    assert standard.verified


def test_2022_standard_cites_its_2025_amendment():
    assert "30/2025/NĐ-CP" in get_standard("vn-2022").legal_basis.vi


@pytest.mark.parametrize(
    ("code", "rule", "indicators"),
    [
        ("vn-2006", RuleKind.INCOME_ONLY, 0),
        ("vn-2011", RuleKind.INCOME_ONLY, 0),
        ("vn-2016", RuleKind.INCOME_OR_DEPRIVATION_2016, 10),
        ("vn-2022", RuleKind.INCOME_AND_DEPRIVATION_2022, 12),
        ("vn-2027", RuleKind.INCOME_AND_DEPRIVATION_2022, 12),
    ],
)
def test_rule_shape_and_indicator_count(code, rule, indicators):
    standard = get_standard(code)
    assert standard.rule == rule
    assert len(standard.indicators) == indicators
    assert standard.deprivation_threshold == (3 if indicators else None)
    # Every indicator has names in both languages and a declared dimension.
    dimensions = {d.code for d in standard.dimensions}
    for indicator in standard.indicators:
        assert indicator.name.vi and indicator.name.en
        assert indicator.dimension in dimensions


def test_dimensions_are_five_in_2016_and_six_in_2022():
    assert len(get_standard("vn-2016").dimensions) == 5
    assert len(get_standard("vn-2022").dimensions) == 6


def test_2022_indicators_in_the_order_of_the_decree():
    assert get_standard("vn-2022").indicator_codes == (
        "employment",
        "dependants",
        "nutrition",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "housing_quality",
        "housing_area",
        "water_source",
        "latrine",
        "telecom",
        "information_means",
    )


def test_2027_is_marked_unverified_and_reuses_the_2022_indicators():
    standard = get_standard("vn-2027")
    assert not standard.verified
    assert set(standard.unverified) == {"legal_basis", "indicators"}
    assert "CHƯA XÁC MINH" in standard.note and "UNVERIFIED" in standard.note
    assert standard.indicators == get_standard("vn-2022").indicators
    assert standard.rural.average is None and standard.urban.average is None


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2006, "vn-2006"),
        (2010, "vn-2006"),
        (2011, "vn-2011"),
        (2015, "vn-2011"),
        (2016, "vn-2016"),
        (2021, "vn-2016"),
        (2022, "vn-2022"),
        (2026, "vn-2022"),
        (2027, "vn-2027"),
        (2030, "vn-2027"),
    ],
)
def test_default_standard_by_census_year(year, code):
    assert standard_for_year(year).code == code


@pytest.mark.parametrize("year", [2005, 2031])
def test_no_default_outside_the_known_periods(year):
    with pytest.raises(InvalidInput):
        standard_for_year(year)


def test_unknown_standard_code_is_not_found():
    with pytest.raises(NotFound) as error:
        get_standard("vn-1999")
    assert "vn-1999" in str(error.value)


def test_a_standard_reads_back_from_its_dict_through_json():
    for standard in builtin_standards().values():
        data = json.loads(json.dumps(standard.as_dict(), ensure_ascii=False))
        assert standard_from_dict(data, bases={}) == standard


LOCAL = {
    "code": "kontum-2022",
    "base": "vn-2022",
    "name": {"vi": "Chuẩn nghèo của tỉnh Kon Tum (ví dụ)", "en": "Kon Tum local standard"},
    "legal_basis": {"vi": "Nghị quyết của HĐND tỉnh (ví dụ)"},
    "first_year": 2023,
    "last_year": 2025,
    "thresholds": {
        "rural": {"poor": 1_800_000, "average": 2_500_000},
        "urban": {"poor": 2_300_000, "average": 3_200_000},
    },
}


def test_a_local_standard_with_higher_lines_is_just_data():
    local = standard_from_dict(LOCAL)
    assert local.indicators == get_standard("vn-2022").indicators
    assert local.rule == RuleKind.INCOME_AND_DEPRIVATION_2022
    assert local.rural.near_poor == 1_800_000
    three = set(local.indicator_codes[:3])
    # 1,600,000 is above the national poor line but within the local one.
    national = classify(get_standard("vn-2022"), area="rural", monthly_income_per_person=1_600_000)
    assert national.status == Status.AVERAGE
    assert (
        classify(
            local, area="rural", monthly_income_per_person=1_600_000, deprivations=three
        ).status
        == Status.POOR
    )


def test_a_local_standard_file_loads_alone_or_beside_the_national_ones(tmp_path):
    path = tmp_path / "kontum.toml"
    path.write_text(
        'code = "kontum-2022"\nbase = "vn-2022"\nfirst_year = 2023\nlast_year = 2025\n'
        '[name]\nvi = "Chuẩn địa phương"\n[legal_basis]\nvi = "Nghị quyết HĐND tỉnh"\n'
        "[thresholds.rural]\npoor = 1_800_000\n[thresholds.urban]\npoor = 2_300_000\n",
        encoding="utf-8",
    )
    assert load_standard_file(path).rural.poor == 1_800_000
    # A directory of files may base one standard on another of the same directory.
    (tmp_path / "child.toml").write_text(
        'code = "child"\nbase = "kontum-2022"\nfirst_year = 2024\nlast_year = 2024\n'
        '[name]\nvi = "Con"\n[legal_basis]\nvi = "Thử"\n',
        encoding="utf-8",
    )
    loaded = load_standards_dir(tmp_path)
    assert loaded["child"].rural.poor == 1_800_000


def test_every_problem_of_a_definition_is_listed_at_once():
    data = {
        "code": "Bad Code",
        "name": {"vi": ""},
        "legal_basis": "text",
        "first_year": 2030,
        "last_year": 2020,
        "rule": "income_and_deprivation_2022",
        "deprivation_threshold": 13,
        "thresholds": {
            "rural": {"poor": 1_500_000, "near_poor": 1_400_000, "average": 1_000_000},
            "urban": {"poor": -5, "extra": 1},
        },
        "dimensions": [{"code": "health", "vi": "Y tế"}],
        "indicators": [
            {"code": "nutrition", "dimension": "health", "vi": "Dinh dưỡng"},
            {"code": "nutrition", "dimension": "health", "vi": "Dinh dưỡng"},
            {"code": "status", "dimension": "nowhere", "vi": "x"},
        ],
        "treshold": 1,
    }
    with pytest.raises(InvalidInput) as error:
        standard_from_dict(data, source="local.toml")
    assert {
        "code",
        "name.vi",
        "legal_basis",
        "last_year",
        "deprivation_threshold",
        "thresholds.rural.near_poor",
        "thresholds.rural.average",
        "thresholds.urban.poor",
        "thresholds.urban.extra",
        "indicators[2].code",
        "indicators[3].code",
        "indicators[3].dimension",
        "treshold",
    } <= _fields(error.value)
    assert all(p.location.file == "local.toml" for p in error.value.problems)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rule": "income_or_deprivation_2016"}, "thresholds.rural.near_poor"),
        ({"rule": "whatever"}, "rule"),
        ({"base": "vn-1990"}, "base"),
        ({"thresholds": {"rural": {"poor": 1}}}, "thresholds.urban"),
        ({"income_ceiling": 1_000_000}, "thresholds.rural.poor"),
    ],
)
def test_a_broken_local_standard_names_the_field(change, field):
    data = {**LOCAL, **change}
    if change.get("rule") == "income_or_deprivation_2016":
        data["thresholds"] = {"rural": {"poor": 1}, "urban": {"poor": 1, "near_poor": 2}}
    with pytest.raises(InvalidInput) as error:
        standard_from_dict(data)
    assert field in _fields(error.value)


def test_an_income_only_standard_takes_no_indicators():
    data = {**LOCAL, "base": "vn-2011", "deprivation_threshold": 3, "indicators": []}
    data["thresholds"] = {"rural": {"poor": 1}, "urban": {"poor": 1}}
    with pytest.raises(InvalidInput) as error:
        standard_from_dict(data)
    assert _fields(error.value) == {"deprivation_threshold"}


def test_a_file_that_is_not_toml_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("code = \n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_standard_file(path)
    assert error.value.problems[0].location.file == "broken.toml"
