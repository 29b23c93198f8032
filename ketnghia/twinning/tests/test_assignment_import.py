"""The assignments import: files an officer makes, refusals located, re-import, preview, scope."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from ketnghia.census.importing import ConfirmationNeeded
from ketnghia.core.errors import InvalidInput
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.assignment_import import assignments_import
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    NetworkRules,
    Person,
    PersonRole,
    Twinning,
)
from ketnghia.twinning.selectors import in_charge_on
from ketnghia.twinning.tests.network import committee_member, household, network, party_member

pytestmark = pytest.mark.django_db

HEADER = [
    "Loại phân công",
    "Mã xã",
    "Thôn, làng",
    "Mã hộ",
    "Đơn vị phụ trách",
    "Mã người phụ trách",
    "Họ tên người phụ trách",
    "Từ ngày",
    "Đến ngày",
    "Số quyết định",
    "Ngày quyết định",
]


def _program(tree, cap: int = 3) -> Program:
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    for commune in (tree.ngok_wang, tree.dak_mar, tree.dak_choong):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    NetworkRules.objects.create(program=program, max_households_per_party_member=cap)
    return program


@pytest.fixture
def world(tree):
    _program(tree)
    net = network(tree)
    blong = party_member("Y Blong", tree.ngok_wang, tree.village_a)
    thuan = party_member("A Thuận", tree.ngok_wang, tree.village_a)
    hoa = committee_member("Y Hoa", tree.ngok_wang)
    homes = [household(tree.ngok_wang, code, tree.village_a) for code in ("01-001", "01-002")]
    other = household(tree.dak_mar, "02-001", tree.village_b)
    return {
        "net": net,
        "blong": blong,
        "thuan": thuan,
        "hoa": hoa,
        "homes": homes,
        "other": other,
    }


def _xlsx(path: Path, rows: list[list[object]], *, title: bool = True, people=None) -> Path:
    """Write a workbook the way an officer would: a title line, the header, the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Phân công"
    if title:
        sheet.append(["DANH SÁCH PHÂN CÔNG PHỤ TRÁCH XÃ NGỌK WANG"])
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if people is not None:
        extra = book.create_sheet("Người phụ trách")
        extra.append(
            [
                "Mã người",
                "Họ và tên",
                "Giới tính",
                "Năm sinh",
                "Dân tộc",
                "Điện thoại",
                "Vai trò",
                "Mã xã",
                "Thôn, làng",
                "Hoạt động từ",
                "Hoạt động đến",
            ]
        )
        for row in people:
            extra.append(row)
    book.save(path)
    return path


def _counts() -> tuple[int, int, int]:
    return Assignment.objects.count(), Twinning.objects.count(), Person.objects.count()


def _rows(world, tree) -> list[list[object]]:
    net = world["net"]
    return [
        ["Kết nghĩa (đơn vị → xã)", "23500", "", "", net.agency.name, "", "", date(2007, 6, 1), None, "15/QĐ-UBND", "20/05/2007"],
        ["Phòng, ban huyện → thôn", 23500, "Kon Stiu", "", "Phòng Nông nghiệp huyện Đắk Hà", "", "", "01/01/2010", None, "", None],
        ["Cấp ủy viên → thôn", "23500", "23500-02", "", "", world["hoa"].pk, "Y Hoa", "01/01/2010", None, "", None],
        ["Đảng viên → hộ", "23500", "", "01-001", "", world["blong"].pk, "Y Blong", date(2010, 1, 1), None, "", None],
        ["Đảng viên → hộ", "23500", "", "01-002", "", world["blong"].pk, "", date(2010, 1, 1), None, "", None],
    ]


def test_an_officers_workbook_creates_the_assignments_and_a_second_import_changes_nothing(
    tree, world, tmp_path
):
    path = _xlsx(tmp_path / "phan-cong.xlsx", _rows(world, tree))
    dry = assignments_import(path=path, dry_run=True)
    assert (dry.created, dry.reassigned, dry.unchanged) == (5, 0, 0)
    assert _counts() == (0, 0, 3)
    report = assignments_import(path=path)
    assert report.created == 5 and report.by_commune["23500"]["created"] == 5
    assert _counts() == (4, 1, 3)
    twinning = Twinning.objects.get()
    assert twinning.decision == "15/QĐ-UBND" and twinning.decision_date == date(2007, 5, 20)
    assert twinning.history.count() == 1
    again = assignments_import(path=path)
    assert (again.created, again.unchanged, again.changed) == (0, 5, False)
    assert _counts() == (4, 1, 3)
    assert Assignment.history.count() == 4


def test_a_reassignment_closes_the_old_one_the_day_before_and_answers_who_was_in_charge(
    tree, world, tmp_path
):
    assignments_import(path=_xlsx(tmp_path / "a.xlsx", _rows(world, tree)))
    home = world["homes"][0]
    rows = [
        ["Đảng viên → hộ", "23500", "", "01-001", "", world["thuan"].pk, "A Thuận", "01/01/2012", None, "3/QĐ-ĐU", None],
    ]
    path = _xlsx(tmp_path / "b.xlsx", rows)
    with pytest.raises(ConfirmationNeeded) as refused:
        assignments_import(path=path)
    assert refused.value.report.reassigned == 1 and refused.value.report.closed == 1
    assert Assignment.objects.filter(household=home).count() == 1
    report = assignments_import(path=path, confirm=True)
    assert report.reassigned == 1
    old = Assignment.objects.get(household=home, person=world["blong"])
    assert old.end_date == date(2011, 12, 31)
    before = in_charge_on(scope=EVERYTHING, on=date(2011, 6, 1), household=home)
    after = in_charge_on(scope=EVERYTHING, on=date(2012, 6, 1), household=home)
    assert before.party_member.person == world["blong"]
    assert after.party_member.person == world["thuan"]
    again = assignments_import(path=path)
    assert again.unchanged == 1 and not again.changed


def test_csv_in_utf8_with_bom_and_in_utf16_import_alike(tree, world, tmp_path):
    rows = _rows(world, tree)
    for encoding, delimiter in (("utf-8-sig", ","), ("utf-16", "\t")):
        path = tmp_path / f"phan-cong-{encoding}.csv"
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(HEADER)
            for row in rows:
                writer.writerow(
                    [value.strftime("%d/%m/%Y") if isinstance(value, date) else value for value in row]
                )
        report = assignments_import(path=path, dry_run=True)
        assert report.created == 5, encoding
