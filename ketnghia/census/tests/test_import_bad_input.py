"""Bad census files: a clear message naming file, row and column, and nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.core.errors import KetnghiaError
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


def deprived(count: int) -> list[int]:
    return [1] * count + [0] * (12 - count)


def refused(census_round: CensusRound, path: Path) -> list:
    """Import `path`, expect a refusal, check nothing was written; return the problems."""
    with pytest.raises(KetnghiaError) as caught:
        census_import(census_round=census_round, path=path)
    assert CensusEntry.objects.count() == 0
    assert Household.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    return caught.value.problems


def good(code: str = "H1", **kwargs) -> list[object]:
    return household(code, "Chủ hộ", "Làng Kon Stiu", "1.000.000", deprived(1), **kwargs)


def test_an_unknown_standard_is_named(tree, tmp_path):
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-1999"
    )
    path = write_csv(tmp_path / "a.csv", headers(VN_2022), [good()])
    (problem,) = refused(census_round, path)
    assert "Unknown poverty standard “vn-1999”" in problem.message


@pytest.mark.parametrize(
    ("income", "fragment"),
    [
        ("-200.000", "negative"),
        ("5.000.000.000", "not plausible"),
        ("99999999999999999999999", "not plausible"),
        ("1,500", "ambiguous"),
        ("nhiều", "not an amount"),
        ("", "empty"),
    ],
)
def test_bad_incomes_are_located(census_round, tmp_path, income, fragment):
    rows = [good("H1"), household("H2", "Chủ hộ", "Làng Kon Stiu", income, deprived(1))]
    (problem,) = refused(census_round, write_csv(tmp_path / "thu-nhap.csv", headers(VN_2022), rows))
    assert fragment in problem.message
    where = problem.location
    assert (where.file, where.row) == ("thu-nhap.csv", 3)
    assert where.column == "C (Thu nhập bình quân đầu người/tháng (đồng))"


def test_missing_indicator_columns_are_each_named(census_round, tmp_path):
    header = headers(VN_2022)[:-2]
    path = write_csv(tmp_path / "a.csv", header, [good()[:-2]])
    problems = refused(census_round, path)
    messages = " ".join(p.message for p in problems)
    assert len(problems) == 2
    assert "Sử dụng dịch vụ viễn thông" in messages
    assert "Phương tiện phục vụ tiếp cận thông tin" in messages


def test_duplicate_household_codes_name_both_rows(census_round, tmp_path):
    rows = [good("H1"), good("H2"), good("H1"), good("H2"), good("H1")]
    problems = refused(census_round, write_csv(tmp_path / "a.csv", headers(VN_2022), rows))
    assert [(p.location.row, p.message) for p in problems] == [
        (4, "Household code “H1” is used twice: also on row 2."),
        (5, "Household code “H2” is used twice: also on row 3."),
        (6, "Household code “H1” is used twice: also on row 2."),
    ]


def test_a_household_of_another_commune_is_refused(census_round, tmp_path):
    rows = [good("23500-0001"), good("23488-0007")]
    (problem,) = refused(census_round, write_csv(tmp_path / "a.csv", headers(VN_2022), rows))
    assert problem.location.row == 3
    assert "belongs to commune 23488 (Xã Đăk Mar)" in problem.message


def test_a_commune_code_column_must_name_this_commune(census_round, tmp_path):
    header = [*headers(VN_2022), "Mã xã"]
    rows = [[*good("H1"), "23500"], [*good("H2"), "23488"], [*good("H3"), 23500]]
    (problem,) = refused(census_round, write_csv(tmp_path / "a.csv", header, rows))
    assert problem.location.row == 3
    assert problem.location.column.endswith("(Mã xã)")
    assert "commune 23488" in problem.message


def test_unknown_and_empty_villages_are_refused(census_round, tmp_path):
    rows = [
        household("H1", "A", "Thôn 1", "1", deprived(1)),
        household("H2", "B", "", "1", deprived(1)),
        household("H3", "C", "Làng Dục Nhầy", "1", deprived(1)),
    ]
    problems = refused(census_round, write_csv(tmp_path / "a.csv", headers(VN_2022), rows))
    assert [p.location.row for p in problems] == [2, 3, 4]
    assert "has no village “Thôn 1”" in problems[0].message
    assert "village is empty" in problems[1].message
    # A village of another commune is no village of this one.
    assert "has no village “Làng Dục Nhầy”" in problems[2].message


def test_indicator_values_must_be_marks(census_round, tmp_path):
    rows = [
        household("H1", "A", "Làng Kon Stiu", "1", ["2", *[0] * 11]),
        household("H2", "B", "Làng Kon Stiu", "1", ["có lẽ", *[0] * 11]),
        household("H3", "C", "Làng Kon Stiu", "1", [""] * 12),
    ]
    problems = refused(census_round, write_csv(tmp_path / "a.csv", headers(VN_2022), rows))
    assert [p.location.row for p in problems] == [2, 3, 4]
    assert problems[0].location.column == "H (Việc làm)"
    assert "“2” is not a deprivation mark" in problems[0].message
    assert "Every deprivation cell of this row is empty" in problems[2].message


def test_every_problem_of_the_file_is_listed_at_once(census_round, tmp_path):
    rows = [
        household("", "", "Nowhere", "-1", ["2", *[0] * 11], members="0", surveyed_on="31/02/2024"),
        household("H2", "B", "Làng Kon Stiu", "1", deprived(1), area="miền núi"),
    ]
    problems = refused(census_round, write_csv(tmp_path / "a.csv", headers(VN_2022), rows))
    columns = {(p.location.row, p.location.column.split(" ")[0]) for p in problems}
    assert columns == {
        (2, "A"),
        (2, "B"),
        (2, "C"),
        (2, "D"),
        (2, "F"),
        (2, "G"),
        (2, "H"),
        (3, "E"),
    }


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("bao-cao.pdf", b"%PDF-1.4", "not supported"),
        ("ra-soat.xlsx", b"just some text", "not a readable Excel workbook"),
        ("ra-soat.xlsx", b"PK\x03\x04\x14\x00broken", "not a readable Excel workbook"),
        (
            "mat-khau.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 600
            + "EncryptedPackage".encode("utf-16-le"),
            "password-protected",
        ),
        ("ra-soat.csv", b"PK\x03\x04" + b"\x00" * 100, "not a CSV text file"),
        ("trong.csv", b"", "no rows"),
    ],
)
def test_files_that_are_not_census_spreadsheets(census_round, tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    (problem,) = refused(census_round, path)
    assert fragment in problem.message
    assert problem.location.file == name


def test_a_truncated_workbook_is_refused(census_round, tmp_path):
    path = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a'")
    (problem,) = refused(census_round, path)
    assert "not a readable Excel workbook" in problem.message


def test_a_header_without_households_is_refused(census_round, tmp_path):
    path = write_csv(tmp_path / "a.csv", headers(VN_2022), [])
    (problem,) = refused(census_round, path)
    assert "no household rows" in problem.message


def test_a_file_above_the_limit_is_refused_before_it_is_read(census_round, tmp_path, settings):
    path = tmp_path / "lon.csv"
    with path.open("wb") as handle:
        handle.truncate(1 << 30)  # a sparse 1 GB file: nothing is read, nothing is written
    (problem,) = refused(census_round, path)
    assert "1,024.0 MB, more than the 200 MB" in problem.message  # English text, English digits
    settings.KETNGHIA_IMPORT_MAX_BYTES = 100
    small = write_csv(tmp_path / "b.csv", headers(VN_2022), [good()])
    (problem,) = refused(census_round, small)
    assert "more than the 0 MB" in problem.message
