"""Percentages as the officer typed them: 97 % in a percent-formatted cell (stored 0.97) is
97, 85,5 % is 85.5; "97%" and "85,5 %" as text too; a bare 0,97 under a column of
percentages is refused as ambiguous instead of being stored as 1.0."""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.criteria.importing import infrastructure_import
from ketnghia.criteria.models import CommuneInfrastructure

pytestmark = pytest.mark.django_db
HEADER = ["Mã xã", "Năm", "Đường ô tô đến trung tâm xã", "Điện lưới (%)", "Nước sạch (%)"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _workbook(path: Path, rows, formats: dict[str, str]) -> Path:
    """Write `rows` under the header; `formats` gives a column letter's number format."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Hạ tầng"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for letter, number_format in formats.items():
        for cell in sheet[letter][1:]:
            cell.number_format = number_format
    book.save(path)
    return path


def _stored(tree) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    return {
        row.commune.code: (row.electricity_percent, row.clean_water_percent)
        for row in CommuneInfrastructure.objects.select_related("commune")
    }


ROWS = [["23500", 2015, "quanh năm", 0.97, 0.855], ["23488", 2015, "mùa khô", 1, 0.5]]
EXPECTED = {
    "23500": (Decimal("97.0"), Decimal("85.5")),
    "23488": (Decimal("100.0"), Decimal("50.0")),
}


def test_percent_formatted_cells_read_as_the_percent_they_show(tree, tmp_path):
    path = _workbook(tmp_path / "ha-tang.xlsx", ROWS, {"D": "0%", "E": "0.0%"})
    report = infrastructure_import(path=path, actor=None)
    assert report.created == 2
    assert _stored(tree) == EXPECTED
    again = infrastructure_import(path=path, actor=None)
    assert (again.updated, again.unchanged) == (0, 2)


def _saved_by_libreoffice(source: Path, tmp_path: Path) -> Path | None:
    """Return `source` opened and saved again as .xlsx by LibreOffice, None without Calc."""
    if shutil.which("soffice") is None:
        return None
    out = tmp_path / "libreoffice"
    out.mkdir()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    saved = out / source.name
    return saved if saved.is_file() else None


def test_a_workbook_saved_by_libreoffice_reads_the_same(tree, tmp_path):
    (tmp_path / "excel").mkdir()
    source = _workbook(tmp_path / "excel" / "ha-tang.xlsx", ROWS, {"D": "0%", "E": "0.0%"})
    saved = _saved_by_libreoffice(source, tmp_path)
    if saved is None:
        pytest.skip("LibreOffice Calc is not installed")
    assert saved.read_bytes() != source.read_bytes()
    infrastructure_import(path=saved, actor=None)
    assert _stored(tree) == EXPECTED


def test_a_fraction_in_a_general_cell_is_refused_as_ambiguous(tree, tmp_path):
    rows = [["23500", 2015, "quanh năm", 0.97, 85.5], ["23488", 2015, "mùa khô", 97, 0.855]]
    path = _workbook(tmp_path / "ha-tang.xlsx", rows, {})
    with pytest.raises(InvalidInput) as refused:
        infrastructure_import(path=path, actor=None)
    found = {
        (p.location.row, p.location.column.split(" ")[0]): p.message for p in refused.value.problems
    }
    assert set(found) == {(2, "D"), (3, "E")}
    assert "ambiguous" in found[(2, "D")] and "write 97 for 97 %" in found[(2, "D")]
    assert "0,97 %" in found[(2, "D")]
    assert "write 85,5 for 85,5 %" in found[(3, "E")]
    assert not CommuneInfrastructure.objects.exists()


def test_a_percent_format_only_in_the_quotes_does_not_scale(tree, tmp_path):
    # 0.0" %" shows 97,0 % for 97 without multiplying: the cell holds the percent itself.
    rows = [["23500", 2015, "quanh năm", 97, 85.5]]
    path = _workbook(tmp_path / "ha-tang.xlsx", rows, {"D": '0.0" %"', "E": '0.0" %"'})
    infrastructure_import(path=path, actor=None)
    assert _stored(tree)["23500"] == (Decimal("97.0"), Decimal("85.5"))


def test_csv_percent_text_with_a_decimal_comma(tree, tmp_path):
    path = tmp_path / "ha-tang.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerow(["23500", "2015", "quanh năm", "97%", "85,5 %"])
        writer.writerow(["23488", "2015", "mùa khô", "100", "50"])
    infrastructure_import(path=path, actor=None)
    assert _stored(tree) == EXPECTED
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerow(["23500", "2015", "quanh năm", "0,97", "85,5"])
    with pytest.raises(InvalidInput) as refused:
        infrastructure_import(path=path, actor=None)
    ((problem),) = refused.value.problems
    assert (problem.location.row, problem.location.column[:1]) == (2, "D")
