"""Infrastructure import: two-phase, every problem located, all-or-nothing, idempotent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ketnghia.core import derived
from ketnghia.core.errors import InvalidInput
from ketnghia.core.outputs import xlsx_append
from ketnghia.criteria.importing import infrastructure_import
from ketnghia.criteria.models import CommuneInfrastructure
from ketnghia.imports.confirm import ConfirmationNeeded

pytestmark = pytest.mark.django_db
HEADER = [
    "Mã xã",
    "Năm",
    "Đường ô tô đến trung tâm xã",
    "Điện lưới (%)",
    "Trạm y tế đạt chuẩn",
    "Trường mầm non",
    "Trường tiểu học",
    "Trường THCS",
    "Nước sạch (%)",
    "Sóng di động (%)",
    "Nhà văn hóa xã",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Hạ tầng"
    xlsx_append(sheet, ["Hạ tầng các xã"])
    xlsx_append(sheet, HEADER)
    for row in rows:
        xlsx_append(sheet, row)
    book.save(path)
    return path


GOOD = [
    ["23500", 2015, "Quanh năm", "95,5", "có", 1, 1, 1, "80%", 100, "x"],
    ["23488", 2015, "mùa khô", 70, "không", 1, 2, 0, 60, "50", "không"],
]


def test_a_clean_workbook_is_written_once(tree, tmp_path):
    path = _xlsx(tmp_path / "ha-tang.xlsx", GOOD)
    report = infrastructure_import(path=path, actor=None, dry_run=True)
    assert (report.created, CommuneInfrastructure.objects.count()) == (2, 0)
    report = infrastructure_import(path=path, actor=None)
    assert (report.created, report.updated) == (2, 0)
    row = CommuneInfrastructure.objects.get(commune=tree.ngok_wang, year=2015)
    assert row.road_to_centre == "all_season" and row.electricity_percent == Decimal("95.5")
    assert row.clean_water_percent == Decimal("80.0") and row.cultural_house is True
    assert row.history.count() == 1
    again = infrastructure_import(path=path, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert row.history.count() == 1


def test_a_csv_update_changes_only_what_differs(tree, tmp_path):
    infrastructure_import(path=_xlsx(tmp_path / "a.xlsx", GOOD), actor=None)
    path = tmp_path / "b.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER[:4])
        writer.writerow(["23500", "2015", "quanh năm", "99"])
        writer.writerow(["23488", "2015", "mùa khô", "70"])
    report = infrastructure_import(path=path, actor=None)
    assert (report.updated, report.unchanged) == (1, 1)
    row = CommuneInfrastructure.objects.get(commune=tree.ngok_wang, year=2015)
    assert row.electricity_percent == Decimal("99.0") and row.health_station_standard is True


def test_every_problem_is_located_and_nothing_is_written(tree, tmp_path):
    rows = [
        ["23500", 2015, "Quanh năm", 120, "có", 1, 1, 1, 80, 100, "có"],
        ["99999", 2015, "bằng thuyền", 50, "có lẽ", -1, 1, 1, 80, 100, "có"],
        ["23500-01", 2015, "Quanh năm", 50, "có", 1, 1, 1, 80, 100, "có"],
        ["23488", 2015, "Quanh năm", 50, "có", 1, 1, 1, 80, 100, "có"],
        ["23488", 2015, "Quanh năm", 50, "có", 1, 1, 1, 80, 100, "có"],
    ]
    with pytest.raises(InvalidInput) as caught:
        infrastructure_import(path=_xlsx(tmp_path / "bad.xlsx", rows), actor=None)
    found = {(p.location.row, p.location.column.split(" ")[0]) for p in caught.value.problems}
    assert {(3, "D"), (4, "A"), (4, "C"), (4, "E"), (4, "F"), (5, "A"), (7, "B")} <= found
    assert all(
        p.location.file == "bad.xlsx" and p.location.sheet == "Hạ tầng"
        for p in caught.value.problems
    )
    assert not CommuneInfrastructure.objects.exists()


def test_the_preview_names_the_changes_and_the_history_the_file(tree, tmp_path):
    infrastructure_import(path=_xlsx(tmp_path / "a.xlsx", GOOD), actor=None)
    changed = [["23500", 2015, "mùa khô", 99, "có", 1, 1, 1, "80%", 100, "x"], GOOD[1]]
    path = _xlsx(tmp_path / "b.xlsx", changed)
    report = infrastructure_import(path=path, actor=None, dry_run=True)
    assert (report.updated, report.unchanged, report.would_change) == (1, 1, True)
    assert report.fields == {"road to the commune centre": 1, "households on the grid (%)": 1}
    assert any("“95.5” → “99.0”" in sample for sample in report.samples)
    infrastructure_import(path=path, actor=None)
    row = CommuneInfrastructure.objects.get(commune=tree.ngok_wang, year=2015)
    assert row.road_to_centre == "dry_season"
    assert row.history.first().history_change_reason == "import: b.xlsx"


def test_updating_a_large_share_asks_for_a_confirmation(tree, tmp_path, monkeypatch):
    monkeypatch.setattr("ketnghia.imports.confirm.CONFIRM_MIN_CHANGED", 1)
    infrastructure_import(path=_xlsx(tmp_path / "a.xlsx", GOOD), actor=None)
    changed = [["23500", 2015, "mùa khô", 99, "có", 1, 1, 1, 80, 100, "x"], GOOD[1]]
    path = _xlsx(tmp_path / "b.xlsx", changed)
    with pytest.raises(ConfirmationNeeded) as refused:
        infrastructure_import(path=path, actor=None)
    assert refused.value.report.updated == 1
    assert CommuneInfrastructure.objects.get(commune=tree.ngok_wang).electricity_percent == Decimal(
        "95.5"
    )
    assert infrastructure_import(path=path, actor=None, confirm=True).updated == 1
    assert CommuneInfrastructure.objects.get(commune=tree.ngok_wang).electricity_percent == 99


def test_the_results_are_refreshed_once_per_import(
    tree, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    runs = []
    real = derived._run

    def counted(connection, batch):
        if not batch.done:  # a batch already run returns at once
            runs.append(batch)
        real(connection, batch)

    monkeypatch.setattr(derived, "_run", counted)
    rows = [*GOOD, ["23500", 2016, "Quanh năm", 90, "có", 1, 1, 1, 80, 100, "x"]]
    with django_capture_on_commit_callbacks(execute=True):
        infrastructure_import(path=_xlsx(tmp_path / "a.xlsx", rows), actor=None)
    (batch,) = runs  # both years in the one refresh
    assert {tuple(years) for _source, _ids, years in batch.log} == {(2015,), (2016,)}


def test_the_command_previews_and_writes_the_problems_to_a_workbook(tree, tmp_path):
    path = _xlsx(tmp_path / "ha-tang.xlsx", GOOD)
    out = io.StringIO()
    call_command("criteria", "import-infrastructure", str(path), "--dry-run", stdout=out)
    assert "created 2" in out.getvalue() and not CommuneInfrastructure.objects.exists()
    bad = _xlsx(tmp_path / "bad.xlsx", [["99999", 2015, "Quanh năm"]])
    errors = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command(
            "criteria",
            "import-infrastructure",
            str(bad),
            "--errors-out",
            str(errors),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert refused.value.returncode == 2
    assert errors.is_file() and openpyxl.load_workbook(errors).sheetnames
