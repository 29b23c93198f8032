"""The 2025 reform: post-reform units and successions from the vietnamadminunits package or a file."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from ketnghia.core.errors import InvalidInput
from ketnghia.geo import rules
from ketnghia.geo.models import Succession, Unit, UnitLevel
from ketnghia.geo.reform import (
    LAST_DAY,
    REFORM_DATE,
    equal_shares,
    package_rows,
    reform_2025_import,
    reform_2025_load_from_package,
)
from ketnghia.geo.services import units_load_from_package

# What the package says about Kon Tum (vietnamadminunits 1.0.4): its 102 communes of 10
# districts go wholly (no split) into 40 communes of Quảng Ngãi (51).
KON_TUM_OLD = 102
KON_TUM_NEW = 40


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def kon_tum(db) -> None:
    units_load_from_package(province_codes=["62"])


def test_package_maps_every_kon_tum_commune():
    rows = package_rows(["62"])
    assert len({r.old_code for r in rows}) == KON_TUM_OLD == len(rows)  # no split: one row each
    assert len({r.new_code for r in rows}) == KON_TUM_NEW
    assert {r.province_code for r in rows} == {"51"}
    assert {r.province_name for r in rows} == {"Tỉnh Quảng Ngãi"}
    by_new = {r.new_code: r.new_name for r in rows}
    assert by_new["23302"] == "Phường Đăk Bla"
    assert sorted(r.old_code for r in rows if r.new_code == "23302") == ["23302", "23305", "23308"]


def test_load_creates_new_units_closes_old_ones_and_is_idempotent(kon_tum):
    communes_before = Unit.objects.filter(level=UnitLevel.COMMUNE, path__startswith="/62/").count()
    assert communes_before == KON_TUM_OLD
    report = reform_2025_load_from_package(province_codes=["62"])
    assert (report.old_communes, report.new_communes) == (KON_TUM_OLD, KON_TUM_NEW)
    assert report.units_created == KON_TUM_NEW + 1  # and the province
    assert report.units_closed == KON_TUM_OLD + 10 + 1  # communes, districts, province
    assert report.successions_created == KON_TUM_OLD + 1  # and 62 → 51

    province = Unit.objects.get(code="51")
    assert (province.level, province.valid_from, province.valid_to) == (
        "province",
        REFORM_DATE,
        None,
    )
    new = Unit.objects.get(code="23302-2025")
    assert (new.name, new.kind, new.parent, new.path) == (
        "Phường Đăk Bla",
        "phuong",
        province,
        "/51/23302-2025/",
    )
    assert new.valid_from == REFORM_DATE and new.valid_to is None
    assert Unit.objects.filter(parent=province).count() == KON_TUM_NEW
    old = Unit.objects.get(code="23302")
    assert (old.name, old.valid_to, old.path) == ("Phường Lê Lợi", LAST_DAY, "/62/608/23302/")
    assert not Unit.objects.filter(path__startswith="/62/", valid_to__isnull=True).exists()
    assert set(
        Succession.objects.filter(new_unit=new).values_list("old_unit__code", "share", "date")
    ) == {(code, Decimal(1), REFORM_DATE) for code in ("23302", "23305", "23308")}
    # Every old commune passes wholly to exactly one new one.
    assert Succession.objects.filter(old_unit__level="commune").count() == KON_TUM_OLD
    assert Succession.objects.get(old_unit__code="62").new_unit == province

    history = Unit.history.count() + Succession.history.count()
    again = reform_2025_load_from_package(province_codes=["62"])
    assert (again.units_created, again.units_updated, again.units_closed) == (0, 0, 0)
    assert (again.successions_created, again.successions_updated) == (0, 0)
    assert Unit.history.count() + Succession.history.count() == history


def test_dry_run_writes_nothing(kon_tum):
    report = reform_2025_load_from_package(province_codes=["62"], dry_run=True)
    assert report.units_created == KON_TUM_NEW + 1
    assert not Unit.objects.filter(code="51").exists()
    assert not Succession.objects.exists()


def test_old_units_must_be_loaded_first(db):
    with pytest.raises(InvalidInput) as caught:
        reform_2025_load_from_package(province_codes=["62"])
    messages = [str(p) for p in caught.value.problems]
    assert any("23302" in m and "load-units" in m and "converter_2025.json" in m for m in messages)


def test_carried_totals_are_conserved_on_the_loaded_successions(kon_tum):
    reform_2025_load_from_package(province_codes=["62"])
    edges = [
        rules.SuccessionEdge(o, n, d, s)
        for o, n, d, s in Succession.objects.values_list(
            "old_unit__code", "new_unit__code", "date", "share"
        )
    ]
    communes = list(
        Unit.objects.filter(path__startswith="/62/", level="commune").values_list("code", flat=True)
    )
    values = {code: (float(i % 7), float(10 + i)) for i, code in enumerate(communes)}
    carried = rules.carry_ratio(values, edges, as_of=REFORM_DATE, data_date=date(2015, 1, 1))
    assert set(carried) == set(
        Unit.objects.filter(parent__code="51").values_list("code", flat=True)
    )
    assert sum(c.numerator for c in carried.values()) == pytest.approx(
        sum(v[0] for v in values.values())
    )
    assert sum(c.denominator for c in carried.values()) == pytest.approx(
        sum(v[1] for v in values.values())
    )
    dak_bla = carried["23302-2025"]
    assert dak_bla.numerator == sum(values[c][0] for c in ("23302", "23305", "23308"))
    assert set(dak_bla.sources) == {"23302", "23305", "23308"}


def test_equal_shares_add_up_to_one():
    assert equal_shares(3) == [Decimal("0.3334"), Decimal("0.3333"), Decimal("0.3333")]
    assert sum(equal_shares(7)) == 1


# --- From a file --------------------------------------------------------------------------

HEADER = ["Mã xã cũ", "Mã xã mới", "Tên xã mới", "Mã tỉnh mới", "Tên tỉnh mới", "Tỷ lệ"]


def _package_as_file(path: Path) -> list[list[str]]:
    rows = [
        [r.old_code, r.new_code, r.new_name, r.province_code, r.province_name, ""]
        for r in package_rows(["62"])
    ]
    _write_xlsx(path, rows)
    return rows


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chuyển đổi"
    sheet.append(["Bảng chuyển đổi đơn vị hành chính 2025"])  # a title block is fine
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_file_import_gives_the_same_result_and_is_idempotent(kon_tum, tmp_path):
    path = tmp_path / "reform.xlsx"
    _package_as_file(path)
    report = reform_2025_import(path=path)
    assert (report.old_communes, report.new_communes, report.successions_created) == (
        KON_TUM_OLD,
        KON_TUM_NEW,
        KON_TUM_OLD + 1,
    )
    # The package then finds everything in place.
    again = reform_2025_load_from_package(province_codes=["62"])
    assert (again.units_created, again.units_closed, again.successions_created) == (0, 0, 0)
    assert reform_2025_import(path=path).successions_created == 0


def test_a_split_with_shares_from_a_csv(kon_tum, tmp_path):
    rows = [
        [r.old_code, r.new_code, r.new_name, r.province_code, r.province_name, ""]
        for r in package_rows(["62"])
    ]
    # Pretend Xã Ia Tơi (23538) was split: 60 % to Ia Tơi, 40 % to Ia Đal.
    ia_toi = next(r for r in rows if r[0] == "23538")
    ia_toi[5] = "60%"
    rows.append(["23538", "23535", "Xã Ia Đal", "51", "Tỉnh Quảng Ngãi", "0,4"])
    path = tmp_path / "reform.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    reform_2025_import(path=path)
    shares = dict(
        Succession.objects.filter(old_unit__code="23538").values_list("new_unit__code", "share")
    )
    assert shares == {"23538-2025": Decimal("0.6"), "23535-2025": Decimal("0.4")}
    assert Unit.objects.get(code="23538").valid_to == LAST_DAY


def test_bad_files_are_refused_with_located_messages(kon_tum, tmp_path):
    rows = [
        [r.old_code, r.new_code, r.new_name, r.province_code, r.province_name, ""]
        for r in package_rows(["62"])
    ]
    rows[0][0] = "99999"  # unknown old commune (row 3 of the sheet: after title and header)
    rows[1][2] = ""  # blank new name
    rows[2][5] = "1,5"  # share above 1
    rows.append(["23538", "23535", "Xã Ia Đal", "51", "Tỉnh Quảng Ngãi", ""])  # split, no shares...
    rows[-1][5] = "0,4"  # ...and the other row of the split has none
    del rows[10]  # an old commune left out
    path = tmp_path / "bad.xlsx"
    _write_xlsx(path, rows)
    with pytest.raises(InvalidInput) as caught:
        reform_2025_import(path=path)
    problems = [p.as_dict() | {"text": str(p)} for p in caught.value.problems]
    where = {(p["row"], p["column"][:1]) for p in problems}
    assert (3, "A") in where  # unknown code
    assert (4, "C") in where  # blank name
    texts = " | ".join(p["text"] for p in problems)
    assert "Unknown unit code “99999”" in texts
    assert "give the share on every one of its rows" in texts
    assert "is not in the mapping" in texts
    assert all(p["file"] == "bad.xlsx" for p in problems)
    assert not Unit.objects.filter(code="51").exists()
    assert not Succession.objects.exists()


def test_command_and_its_refusal(kon_tum, tmp_path, capsys):
    call_command("load-reform-2025", "--province", "62")
    out = capsys.readouterr().out
    assert "102" in out and "40" in out
    call_command("load-reform-2025", "--province", "62")
    assert "created 0" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã xã cũ,Mã xã mới,Tên xã mới,Mã tỉnh mới\n77777,1,Xã A,51\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load-reform-2025", "--file", str(bad))
    assert caught.value.returncode == 2
    assert "bad.csv, row 2, column A (Mã xã cũ)" in capsys.readouterr().err


def test_the_file_is_a_spec_its_preview_history_and_error_workbook(kon_tum, tmp_path):
    path = tmp_path / "reform.xlsx"
    _package_as_file(path)
    preview = reform_2025_import(path=path, dry_run=True)
    assert (preview.would_change, preview.created) == (True, KON_TUM_NEW + 1 + KON_TUM_OLD + 1)
    assert not Succession.objects.exists()
    reform_2025_import(path=path)
    succession = Succession.objects.get(old_unit__code="23538")
    assert succession.history.get().history_change_reason == "import: reform.xlsx"
    assert Unit.objects.get(code="51").history.get().history_change_reason == "import: reform.xlsx"
    again = reform_2025_import(path=path, dry_run=True)
    assert (again.would_change, again.created, again.updated) == (False, 0, 0)

    bad = tmp_path / "bad.xlsx"
    _write_xlsx(bad, [["99999", "23538", "Xã Ia Tơi", "51", "Tỉnh Quảng Ngãi", "2"]])
    errors = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError):
        call_command(
            "load-reform-2025",
            "--file",
            str(bad),
            "--errors-out",
            str(errors),
            stderr=io.StringIO(),
        )
    sheet = load_workbook(errors).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert "99999" in text
