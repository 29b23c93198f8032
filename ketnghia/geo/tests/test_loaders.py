"""Loading units from the national package, and villages and classifications from files."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketnghia.conftest import Tree
from ketnghia.core.errors import InvalidInput
from ketnghia.geo.importers import classifications_import, villages_import
from ketnghia.geo.models import Unit, UnitClassification, UnitKind, UnitLevel
from ketnghia.geo.tests.helpers import write_csv, write_xlsx

VILLAGE_HEADER = ["Mã xã", "Tên thôn", "Mã thôn", "Loại"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _counts() -> tuple[int, int, int]:
    return (
        Unit.objects.count(),
        Unit.history.count(),
        UnitClassification.objects.count(),
    )


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- load-units ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_units_for_kon_tum_is_idempotent() -> None:
    out, _err = _run("load-units", "--province", "62")
    assert "created 113, updated 0, unchanged 0" in out
    assert Unit.objects.filter(level=UnitLevel.DISTRICT, parent__code="62").count() == 10
    assert Unit.objects.filter(level=UnitLevel.COMMUNE, path__startswith="/62/").count() == 102
    out, _err = _run("load-units", "--province", "62")
    assert "created 0, updated 0, unchanged 113" in out


@pytest.mark.django_db
def test_load_units_refuses_an_unknown_province_with_exit_code_2() -> None:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load-units", "--province", "62", "--province", "99", stderr=err)
    assert caught.value.returncode == 2
    assert "99" in err.getvalue()
    assert Unit.objects.count() == 0


# --- Villages ------------------------------------------------------------------------------


def test_villages_from_csv_infer_kinds_generate_codes_and_reimport_unchanged(
    tree: Tree, users, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "thon.csv",
        [
            ["DANH SÁCH THÔN, LÀNG TỈNH KON TUM"],
            [],
            VILLAGE_HEADER,
            ["23500", "Làng Kon Stiu", "", ""],  # already there as 23500-01
            ["23500", "Thôn Đăk Lâu", "", ""],
            ["23500", "Tổ dân phố 2", "", ""],
            ["23488", "Kon Trang", "23488-KT", "bản"],
            ["", "", "", ""],
            ["23290", "TDP 4", "", ""],
        ],
    )
    report = villages_import(path=path, dry_run=False, actor=users.province_admin)
    assert (report.rows, report.created, report.updated, report.unchanged) == (5, 4, 0, 1)
    villages = {
        u.code: (u.name, u.kind, u.parent.code, u.is_urban)
        for u in Unit.objects.filter(level=UnitLevel.VILLAGE).select_related("parent")
    }
    assert villages["23500-02"] == ("Thôn Đăk Lâu", UnitKind.THON, "23500", False)
    assert villages["23500-03"] == ("Tổ dân phố 2", UnitKind.TO_DAN_PHO, "23500", True)
    assert villages["23488-KT"] == ("Kon Trang", UnitKind.BAN, "23488", False)
    assert villages["23290-02"] == ("TDP 4", UnitKind.TO_DAN_PHO, "23290", True)
    assert Unit.objects.get(code="23500-02").path == "/62/615/23500/23500-02/"
    assert Unit.history.filter(code="23500-02").get().history_user == users.province_admin

    before = _counts()
    again = villages_import(path=path, dry_run=False, actor=users.province_admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert _counts() == before
    # A file without the kind column does not undo a kind given before.
    names_only = write_csv(
        tmp_path / "names.csv", [VILLAGE_HEADER[:3], ["23488", "Kon Trang", "23488-KT"]]
    )
    assert villages_import(path=names_only, dry_run=False, actor=None).unchanged == 1
    assert Unit.objects.get(code="23488-KT").kind == UnitKind.BAN


def test_villages_from_xlsx_with_numeric_codes_and_a_rename(tree: Tree, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "thon.xlsx",
        [VILLAGE_HEADER, [23500, "Làng Kon Stiu Mới", "23500-01", None], [23488, "Thôn 2"]],
    )
    report = villages_import(path=path, dry_run=False, actor=None)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    tree.village_a.refresh_from_db()
    assert (tree.village_a.name, tree.village_a.kind) == ("Làng Kon Stiu Mới", UnitKind.LANG)
    assert Unit.objects.get(code="23488-02").name == "Thôn 2"


def test_village_dry_run_reports_and_writes_nothing(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "thon.csv", [VILLAGE_HEADER[:2], ["23500", "Thôn 9"]])
    before = _counts()
    report = villages_import(path=path, dry_run=True, actor=None)
    assert (report.created, report.dry_run) == (1, True)
    assert _counts() == before


def test_bad_villages_are_all_listed_with_row_and_column_and_nothing_is_written(
    tree: Tree, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sai.xlsx",
        [
            ["Danh sách thôn"],
            VILLAGE_HEADER,
            ["23500", "Thôn Mới", "", ""],  # fine on its own: must not be written either
            ["99999", "Thôn 1", "", ""],  # unknown commune
            ["615", "Thôn 1", "", ""],  # a district
            ["23500-01", "Thôn 1", "", ""],  # a village
            ["23488", "  ", "", ""],  # blank name
            ["23488", "Thôn 5", "23488-05", ""],
            ["23290", "Thôn 6", "23488-05", ""],  # duplicate code
            ["23290", "Thôn 7", "23500", ""],  # code of a commune
            ["23290", "Thôn 8", "", "ấp"],  # unknown kind
        ],
        sheet="Thôn",
    )
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        villages_import(path=path, dry_run=False, actor=None)
    found = [(p.location.row, p.location.column) for p in caught.value.problems]
    assert found == [
        (4, "A (Mã xã)"),
        (5, "A (Mã xã)"),
        (6, "A (Mã xã)"),
        (7, "B (Tên thôn)"),
        (9, "C (Mã thôn)"),
        (10, "C (Mã thôn)"),
        (11, "D (Loại)"),
    ]
    assert all(
        p.location.file == "sai.xlsx" and p.location.sheet == "Thôn" for p in caught.value.problems
    )
    messages = [p.message for p in caught.value.problems]
    assert "Unknown unit code “99999”" in messages[0]
    assert "is a district" in messages[1]
    assert "is a village" in messages[2]
    assert "used twice (also on row 8)" in messages[4]
    assert "already belongs to" in messages[5]
    assert _counts() == before


def test_a_name_twice_in_one_commune_without_codes_is_refused(tree: Tree, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv", [VILLAGE_HEADER[:2], ["23500", "Thôn 1"], ["23500", "THÔN  1"]]
    )
    with pytest.raises(InvalidInput, match="appears twice"):
        villages_import(path=path, dry_run=False, actor=None)


def test_load_villages_command_exit_codes(tree: Tree, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [VILLAGE_HEADER[:2], ["23500", "Thôn 3"]])
    out, _err = _run("load-villages", str(good))
    assert "created 1" in out
    bad = write_csv(tmp_path / "bad.csv", [VILLAGE_HEADER[:2], ["99999", "Thôn 3"]])
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load-villages", str(bad), stderr=err)
    assert caught.value.returncode == 2
    assert "bad.csv" in err.getvalue() and "row 2" in err.getvalue()
    assert "99999" in err.getvalue()


# --- Classifications -----------------------------------------------------------------------

CLASS_HEADER = ["Mã đơn vị", "Phân loại", "Giá trị", "Từ năm", "Đến năm", "Căn cứ pháp lý"]


def test_classifications_import_and_reimport(tree: Tree, users, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "phan-loai.csv",
        [
            CLASS_HEADER,
            ["23500", "Khu vực", "III", "2016", "2020", "Quyết định 582/QĐ-TTg"],
            ["23500", "khu vuc", "khu vực II", "2021", "2025", "Quyết định 861/QĐ-TTg"],
            ["23488", "", "1", "2016", "2020", "Quyết định 582/QĐ-TTg"],
            ["23500-01", "Thôn ĐBKK", "x", "2016", "2020", "Quyết định 582/QĐ-TTg"],
        ],
    )
    out, _err = _run("load-classifications", str(path), "--actor", users.province_admin.username)
    assert "created 4" in out
    values = set(UnitClassification.objects.values_list("unit__code", "value", "start_year"))
    assert values == {
        ("23500", "III", 2016),
        ("23500", "II", 2021),
        ("23488", "I", 2016),
        ("23500-01", "ĐBKK", 2016),
    }
    assert UnitClassification.history.first().history_user == users.province_admin
    before = _counts()
    again = classifications_import(path=path, dry_run=False, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert _counts() == before


def test_bad_classifications_are_listed_and_nothing_is_written(tree: Tree, tmp_path: Path) -> None:
    classifications_import(
        path=write_csv(
            tmp_path / "ok.csv", [CLASS_HEADER, ["23488", "", "II", "2016", "2020", ""]]
        ),
        dry_run=False,
        actor=None,
    )
    path = write_csv(
        tmp_path / "sai.csv",
        [
            CLASS_HEADER,
            ["23500", "Khu vực", "III", "2016", "2020", ""],  # fine alone
            ["00000", "Khu vực", "III", "2016", "2020", ""],  # unknown unit
            ["23500-01", "Khu vực", "III", "2016", "2020", ""],  # village in commune scheme
            ["23290", "Khu vực", "IV", "2016", "2020", ""],  # bad value
            ["23290", "Khu vực", "III", "năm 2016", "2020", ""],  # bad year
            ["23290", "Hạng", "III", "2016", "2020", ""],  # unknown scheme
            ["23500", "Khu vực", "II", "2019", "2021", ""],  # overlaps row 2
            ["23488", "Khu vực", "III", "2018", "2019", ""],  # overlaps the database
        ],
    )
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        classifications_import(path=path, dry_run=False, actor=None)
    found = [(p.location.row, p.location.column) for p in caught.value.problems]
    assert found == [
        (3, "A (Mã đơn vị)"),
        (4, "A (Mã đơn vị)"),
        (5, "C (Giá trị)"),
        (6, "D (Từ năm)"),
        (7, "B (Phân loại)"),
    ]
    assert _counts() == before
    # Once the row-by-row problems are fixed, the overlaps are what is left.
    fixed = write_csv(
        tmp_path / "sai2.csv",
        [
            CLASS_HEADER,
            ["23500", "Khu vực", "III", "2016", "2020", ""],
            ["23500", "Khu vực", "II", "2019", "2021", ""],
            ["23488", "Khu vực", "III", "2018", "2019", ""],
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        classifications_import(path=fixed, dry_run=False, actor=None)
    assert [(p.location.row, "overlap" in p.message) for p in caught.value.problems] == [
        (3, True),
        (4, True),
    ]
    assert _counts() == before


def test_village_import_writes_in_bulk(
    tree: Tree, tmp_path: Path, django_assert_max_num_queries
) -> None:
    rows = [["23500" if i % 2 else "23488", f"Thôn {i}"] for i in range(2, 302)]
    path = write_csv(tmp_path / "many.csv", [VILLAGE_HEADER[:2], *rows])
    with django_assert_max_num_queries(20):
        report = villages_import(path=path, dry_run=False, actor=None)
    assert report.created == 300
    assert Unit.history.filter(level=UnitLevel.VILLAGE).count() == 3 + 300
