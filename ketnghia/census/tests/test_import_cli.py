"""`ketnghia import-census` and `ketnghia census-template`, and the error workbook."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 2
    return err.getvalue()


def deprived(count: int) -> list[int]:
    return [1] * count + [0] * (12 - count)


@pytest.fixture
def census_file(tmp_path):
    return write_csv(
        tmp_path / "ra-soat-2024.csv",
        headers(VN_2022),
        [
            household("H1", "Chủ hộ một", "Làng Kon Stiu", "1.500.000", deprived(3)),
            household("H2", "Chủ hộ hai", "Làng Kon Stiu", "2.500.000", deprived(0)),
        ],
    )


def test_import_creates_the_round_under_the_years_standard(tree, census_file, users):
    out, _err = run(
        "import-census",
        str(census_file),
        "--commune",
        "23500",
        "--year",
        "2024",
        "--actor",
        "commune23500",
    )
    census_round = CensusRound.objects.get(commune=tree.ngok_wang, year=2024)
    assert census_round.standard_code == "vn-2022"
    assert CensusEntry.objects.filter(round=census_round).count() == 2
    assert ImportBatch.objects.get().imported_by == users.commune_officer
    assert "entries created 2, changed 0, unchanged 0" in out

    out, _err = run("import-census", str(census_file), "--commune", "23500", "--year", "2024")
    assert "entries created 0, changed 0, unchanged 2" in out
    assert ImportBatch.objects.count() == 1


def test_a_dry_run_creates_no_round(tree, census_file):
    out, _err = run(
        "import-census", str(census_file), "--commune", "23500", "--year", "2024", "--dry-run"
    )
    assert out.startswith("Dry run, nothing written.")
    assert "poor: 1" in out
    assert not CensusRound.objects.exists() and not Household.objects.exists()


def test_the_summary_names_statuses_in_vietnamese(tree, census_file):
    with translation.override("vi"):
        out, _err = run(
            "import-census", str(census_file), "--commune", "23500", "--year", "2024", "--dry-run"
        )
    summary = out.splitlines()[1]
    assert "hộ nghèo: 1" in summary and "near_poor" not in summary and "not_poor" not in summary


def test_problems_go_to_stderr_one_per_line_and_exit_2(tree, tmp_path):
    path = write_csv(
        tmp_path / "sai.csv",
        headers(VN_2022),
        [
            household("H1", "A", "Thôn 9", "1.000.000", deprived(1)),
            household("H1", "B", "Làng Kon Stiu", "-5", deprived(1)),
        ],
    )
    errors_out = tmp_path / "loi.xlsx"
    err = refused(
        "import-census",
        str(path),
        "--commune",
        "23500",
        "--year",
        "2024",
        "--errors-out",
        str(errors_out),
    )
    lines = err.strip().splitlines()
    assert lines[0].startswith("file sai.csv, row 2, column D (Thôn, làng): ")
    assert any(line.startswith("file sai.csv, row 3, column C (") for line in lines)
    assert any("used twice" in line for line in lines)
    # The round the command would have created went away with the refused file.
    assert not CensusRound.objects.exists() and not Household.objects.exists()

    book = openpyxl.load_workbook(errors_out)
    listed = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[3].split(" ")[0]) for row in listed] == [(2, "D"), (3, "A"), (3, "C")]
    rows = book.worksheets[1]
    assert rows.cell(1, 1).value == "Row" and rows.cell(1, 2).value == "Mã hộ"
    assert [rows.cell(r, 1).value for r in (2, 3)] == [2, 3]
    marked = rows.cell(2, 1 + 4)  # column D of the file, after the row-number column
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert "no village" in marked.comment.text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--commune", "99999", "--year", "2024"), "Unknown commune code"),
        (("--commune", "23500", "--year", "2024", "--standard", "vn-1999"), "vn-1999"),
        (("--commune", "23500", "--year", "1980"), "No poverty standard covers"),
    ],
)
def test_unknown_commune_or_standard(tree, census_file, args, fragment):
    assert fragment in refused("import-census", str(census_file), *args)
    assert not CensusRound.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_gets_an_error_workbook_anyway(tree, tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(b"\x89PNG not a workbook")
    errors_out = tmp_path / "loi.xlsx"
    err = refused(
        "import-census",
        str(path),
        "--commune",
        "23500",
        "--year",
        "2024",
        "--errors-out",
        str(errors_out),
    )
    assert "not a readable Excel workbook" in err
    assert openpyxl.load_workbook(errors_out).sheetnames == ["Errors"]


def test_template_command_writes_xlsx_and_csv(tree, tmp_path):
    out, _err = run(
        "census-template", "--commune", "23500", "--year", "2024", "-o", str(tmp_path / "m.xlsx")
    )
    assert "vn-2022" in out
    assert "Hộ gia đình" in openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames
    run("census-template", "--commune", "23500", "--year", "2012", "-o", str(tmp_path / "m.csv"))
    title, header = (tmp_path / "m.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    assert "(mã 23500)" in title
    assert header.startswith("Mã hộ,Họ và tên chủ hộ,Thôn, làng") is False  # quoted: "Thôn, làng"
    assert '"Thôn, làng"' in header and "Việc làm" not in header  # vn-2011: income only
    assert not CensusRound.objects.exists()
    refused(
        "census-template", "--commune", "23500", "--year", "2024", "-o", str(tmp_path / "m.pdf")
    )


def test_an_unclosed_quote_with_errors_out_exits_2_without_a_traceback(tree, tmp_path):
    """The error workbook reads the file again: the quote that stops the import must not
    stop the workbook (it used to escape as a traceback, exit 1, after the message)."""
    path = write_csv(
        tmp_path / "ngoac.csv",
        headers(VN_2022),
        [household("H1", "A", "Làng Kon Stiu", "1.000.000", deprived(1))],
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write('H2,"B,Làng Kon Stiu,1.000.000' + ",0" * 12 + "\n")
        handle.write("H3,C,Làng Kon Stiu,1.000.000" + ",0" * 12 + "\n")
    errors_out = tmp_path / "loi.xlsx"
    err = refused(
        "import-census",
        str(path),
        "--commune",
        "23500",
        "--year",
        "2024",
        "--errors-out",
        str(errors_out),
    )
    assert "never closed" in err and "row 3" in err and "Traceback" not in err
    listed = list(openpyxl.load_workbook(errors_out).worksheets[0].iter_rows(values_only=True))
    assert any("never closed" in str(row[4]) and row[2] == 3 for row in listed[1:])
