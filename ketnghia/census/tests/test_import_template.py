"""The census template: what it holds, and that a filled template imports as the officer meant."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.importing.template import (
    DATA_SHEET,
    HEADER_ROW,
    MEMBERS_SHEET,
    census_template,
    census_template_csv,
)
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.core.personal_data import disclosure_open
from ketnghia.poverty.standards import get_standard


def _operator():
    """The door as the operator at the command line opens it: every ID in full."""
    return disclosure_open(user=None, output="census.template_xlsx")


VN_2016 = get_standard("vn-2016")
VN_2022 = get_standard("vn-2022")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2022, standard_code="vn-2022")


def _workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_template_has_vietnamese_headers_lists_and_instructions(census_round):
    book = _workbook(census_template(census_round=census_round, disclosure=_operator()))
    assert book.sheetnames == ["Hướng dẫn", DATA_SHEET, MEMBERS_SHEET, "Danh mục"]
    assert book["Danh mục"].sheet_state == "hidden"
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:7] == [
        "Mã hộ",
        "Họ và tên chủ hộ",
        "Thôn, làng",
        "Khu vực",
        "Số nhân khẩu",
        "Ngày điều tra",
        "Thu nhập bình quân đầu người/tháng (đồng)",
    ]
    assert header[7:] == [indicator.name.vi for indicator in VN_2022.indicators]
    assert "employment" in sheet.cell(HEADER_ROW, 8).comment.text
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert "'Danh mục'!$A$2:$A$2" in {f.lstrip("=") for f in formulas}
    assert '"0,1"' in formulas
    assert book["Danh mục"]["A2"].value == "Làng Kon Stiu"
    assert "23500" in book["Hướng dẫn"]["A1"].value


def test_a_filled_template_imports_and_classifies(census_round, tmp_path):
    book = _workbook(census_template(census_round=census_round, disclosure=_operator()))
    sheet = book[DATA_SHEET]
    filled = [
        ("H-01", "Nguyễn Thị Hoa", "Làng Kon Stiu", "nông thôn", 5, "12/10/2022", 1_500_000, 3),
        ("H-02", "Y Bình", "Làng Kon Stiu", None, 3, None, 1_500_000, 2),
        ("H-03", "A Tuấn", "Làng Kon Stiu", "thành thị", 4, None, 2_000_000, 3),
        ("H-04", "Y Lan", "Làng Kon Stiu", "nông thôn", 2, None, 1_500_001.0, 6),
    ]
    for offset, (code, head, village, area, members, day, income, count) in enumerate(filled, 1):
        row = HEADER_ROW + offset
        values = (
            [code, head, village, area, members, day, income] + [1] * count + [0] * (12 - count)
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    path = tmp_path / "mau-da-dien.xlsx"
    book.save(path)

    report = census_import(census_round=census_round, path=path)

    assert report.rows == 4
    assert dict(CensusEntry.objects.values_list("household_code", "status")) == {
        "H-01": "poor",
        "H-02": "near_poor",
        "H-03": "poor",
        "H-04": "average",
    }
    h3 = CensusEntry.objects.get(household_code="H-03")
    assert (h3.area, h3.rule) == ("urban", "income<=2000000 and deprived>=3")
    assert CensusEntry.objects.get(household_code="H-01").surveyed_on.isoformat() == "2022-10-12"


def test_next_years_template_is_prefilled_from_this_round(census_round, tmp_path):
    rows = [
        household(
            "H1", "Chủ hộ một", "Làng Kon Stiu", "1.200.000", [1, 1, 1] + [0] * 9, surveyed_on=""
        ),
        household(
            "H2",
            "Chủ hộ hai",
            "Làng Kon Stiu",
            "3.000.000",
            [0] * 12,
            area="thành thị",
            surveyed_on="",
        ),
    ]
    census_import(
        census_round=census_round, path=write_csv(tmp_path / "a.csv", headers(VN_2022), rows)
    )
    next_round = CensusRound(commune=census_round.commune, year=2023, standard_code="vn-2022")

    sheet = _workbook(census_template(census_round=next_round, disclosure=_operator()))[DATA_SHEET]
    first = [cell.value for cell in sheet[HEADER_ROW + 1]]
    assert first[:7] == ["H1", "Chủ hộ một", "Làng Kon Stiu", "nông thôn", 4, None, 1_200_000]
    assert first[7:] == [1, 1, 1] + [0] * 9
    assert sheet.cell(HEADER_ROW + 2, 4).value == "thành thị"

    # Imported back unchanged (a survey date added), it gives the same statuses.
    path = tmp_path / "2023.xlsx"
    book = _workbook(census_template(census_round=next_round, disclosure=_operator()))
    book.save(path)
    next_round.save()
    census_import(census_round=next_round, path=path)
    assert dict(
        CensusEntry.objects.filter(round=next_round).values_list("household_code", "status")
    ) == {"H1": "poor", "H2": "average"}


def test_a_new_standard_prefills_only_the_indicators_it_shares(tree, tmp_path):
    old = services.census_round_create(commune=tree.ngok_wang, year=2021, standard_code="vn-2016")
    census_import(
        census_round=old,
        path=write_csv(
            tmp_path / "a.csv",
            headers(VN_2016),
            [household("H1", "A", "Làng Kon Stiu", "800.000", [1] * 10, surveyed_on="")],
        ),
    )
    new = CensusRound(commune=tree.ngok_wang, year=2022, standard_code="vn-2022")
    content = census_template_csv(census_round=new, disclosure=_operator())
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    title, _newline, body = text.partition("\n")
    assert "NĂM 2022" in title and "(mã 23500)" in title
    assert "census of 2021" in title  # says where the rows come from
    reader = csv.DictReader(io.StringIO(body))
    (row,) = list(reader)
    assert row["Mã hộ"] == "H1"
    assert row["Bảo hiểm y tế"] == "1"  # in both standards
    assert row["Việc làm"] == ""  # new in 2022: to be surveyed
    assert list(reader.fieldnames or [])[7:] == [i.name.vi for i in VN_2022.indicators]


def test_without_a_previous_round_the_registry_is_listed(census_round, tmp_path):
    from ketnghia.households.models import Household

    Household.objects.create(
        commune=census_round.commune, code="H7", head_name="Chủ hộ bảy", village=None
    )
    content = census_template_csv(census_round=census_round, disclosure=_operator()).decode(
        "utf-8-sig"
    )
    assert "H7,Chủ hộ bảy" in content


def _fill(sheet, first_row: int, rows) -> None:
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(first_row + offset, column, value)


def test_the_members_sheet_gives_each_listed_household_its_members(census_round, tmp_path):
    from ketnghia.households.models import Member

    book = _workbook(census_template(census_round=census_round, disclosure=_operator()))
    _fill(
        book[DATA_SHEET],
        HEADER_ROW + 1,
        [
            ("H-01", "Nguyễn Thị Hoa", "Làng Kon Stiu", None, 3, None, 1_000_000, *[0] * 12),
            ("H-02", "A Blong", "Làng Kon Stiu", None, 1, None, 1_000_000, *[0] * 12),
        ],
    )
    members = book[MEMBERS_SHEET]
    assert [c.value for c in members[1]] == [
        "Mã hộ",
        "Họ và tên",
        "Giới tính",
        "Năm sinh",
        "Dân tộc",
        "Quan hệ với chủ hộ",
        "Số định danh cá nhân",
    ]
    _fill(
        members,
        2,
        [
            ("H-01", "Nguyễn Thị Hoa", "nữ", 1980, "Kinh", "chủ hộ", "000180001234"),
            ("H-01", "A Tuấn", "nam", 1978, "Xơ Đăng", "chồng", None),
            ("H-01", "Y Nga", "Nữ", 2010, "14", "con", None),
            ("H-02", "A Blong", "nam", 1990, 13, "chủ hộ", None),
        ],
    )
    path = tmp_path / "co-nhan-khau.xlsx"
    book.save(path)

    report = census_import(census_round=census_round, path=path)

    assert (report.members, report.member_households_changed, report.members_written) == (4, 2, 4)
    h01 = list(
        Member.objects.filter(household__code="H-01")
        .order_by("id")
        .values_list("full_name", "sex", "birth_year", "ethnicity", "relation", "personal_id")
    )
    assert h01 == [
        ("Nguyễn Thị Hoa", "female", 1980, "01", "head", "000180001234"),
        ("A Tuấn", "male", 1978, "14", "spouse", ""),
        ("Y Nga", "female", 2010, "14", "child", ""),
    ]
    ids = list(Member.objects.order_by("id").values_list("id", flat=True))

    again = census_import(census_round=census_round, path=path)
    assert (again.member_households_changed, again.batch_id) == (0, None)
    assert list(Member.objects.order_by("id").values_list("id", flat=True)) == ids

    members.delete_rows(4)  # Y Nga moved away
    book.save(path)
    third = census_import(census_round=census_round, path=path)
    assert (third.member_households_changed, third.members_written) == (1, 2)
    assert Member.objects.filter(household__code="H-01").count() == 2
    assert Member.objects.filter(household__code="H-02").get().id in ids


def test_bad_member_rows_are_located(census_round, tmp_path):
    from ketnghia.core.errors import InvalidInput

    book = _workbook(census_template(census_round=census_round, disclosure=_operator()))
    _fill(
        book[DATA_SHEET],
        HEADER_ROW + 1,
        [("H-01", "Chủ hộ", "Làng Kon Stiu", None, 3, None, 1_000_000, *[0] * 12)],
    )
    _fill(
        book[MEMBERS_SHEET],
        2,
        [
            ("H-01", "Chủ hộ", "không rõ", 1850, "Người Sao Hỏa", "hàng xóm", "123"),
            ("H-99", "Người lạ", "nam", 1990, "Kinh", "chủ hộ", None),
        ],
    )
    path = tmp_path / "sai.xlsx"
    book.save(path)
    with pytest.raises(InvalidInput) as caught:
        census_import(census_round=census_round, path=path)
    found = [
        (p.location.sheet, p.location.row, p.location.column[:1]) for p in caught.value.problems
    ]
    assert found == [
        (MEMBERS_SHEET, 2, "C"),
        (MEMBERS_SHEET, 2, "D"),
        (MEMBERS_SHEET, 2, "E"),
        (MEMBERS_SHEET, 2, "F"),
        (MEMBERS_SHEET, 2, "G"),
        (MEMBERS_SHEET, 3, "A"),
    ]
    assert CensusEntry.objects.count() == 0
