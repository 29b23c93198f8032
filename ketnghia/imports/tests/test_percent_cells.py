"""Percent-formatted cells: found from the styles and a streamed pass over the sheet, marked
only in the columns that ask, and read as the percent they show."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from ketnghia.imports.readers import (
    CellError,
    Column,
    PercentNumber,
    cell_fraction,
    cell_percent,
    open_table,
)
from ketnghia.imports.readers.extent import sheet_members
from ketnghia.imports.readers.number_formats import (
    PercentRows,
    is_percent_format,
    percent_cells,
    percent_styles,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.0%", True),
        ("#,##0.00%;[Red]-#,##0.00%", True),
        ('0.0" %"', False),
        ("0.0\\%", False),
        ("General", False),
        ("#,##0", False),
        ("[$%-409]0", False),
    ],
)
def test_a_percent_format_is_one_whose_sign_is_not_quoted(code: str, percent: bool) -> None:
    assert is_percent_format(code) is percent


def test_percent_rows_are_kept_as_runs() -> None:
    rows = PercentRows()
    for row in [*range(2, 1002), 1500, 1501, 7]:
        rows.add(row)
    assert (rows.starts, rows.ends) == ([2, 1500], [1001, 1501])
    assert 2 in rows and 1001 in rows and 1002 not in rows and 1501 in rows and 1 not in rows
    assert len(rows) == 1002


def _book(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    sheet.append(["Mã", "Tỷ lệ (%)", "Ghi chú", "Tỷ lệ khác (%)"])
    sheet.append(["a", 0.97, 0.5, 97])
    sheet.append(["b", 0.855, 0.25, 0.5])
    sheet.append(["c", "85,5 %", 1, None])
    for row in (2, 3):
        sheet.cell(row, 2).number_format = "0.0%"
        sheet.cell(row, 3).number_format = "0%"
    book.save(path)
    return path


def test_the_streamed_pass_finds_the_percent_cells_of_the_wanted_columns(tmp_path: Path) -> None:
    path = _book(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert percent_styles(archive)
        found = percent_cells(archive, sheet_members(archive)["Dữ liệu"], [1, 3])
    assert set(found) == {1, 3}
    assert (found[1].starts, found[1].ends) == ([2], [3])
    assert len(found[3]) == 0


def test_only_columns_of_percentages_are_marked_and_read_as_shown(tmp_path: Path) -> None:
    path = _book(tmp_path / "a.xlsx")
    columns = (
        Column("code", ("Mã",)),
        Column("share", ("Tỷ lệ",), percent=True),
        Column("note", ("Ghi chú",), required=False),
        Column("other", ("Tỷ lệ khác",), required=False, percent=True),
    )
    rows = list(open_table(path, columns).rows())
    assert [type(row.get("share")) for row in rows] == [PercentNumber, PercentNumber, str]
    assert [cell_percent(row.get("share")) for row in rows] == [
        Decimal("97"),
        Decimal("85.5"),
        Decimal("85.5"),
    ]
    # A column that does not ask keeps the stored fraction, as a share column wants it.
    assert type(rows[0].get("note")) is float and cell_fraction(rows[0].get("note")) == Decimal(
        "0.5"
    )
    assert cell_percent(rows[0].get("other")) == Decimal("97")
    with pytest.raises(CellError, match="ambiguous"):
        cell_percent(rows[1].get("other"))


def test_cell_percent_reads_text_and_refuses_a_bare_fraction() -> None:
    assert cell_percent("97%") == Decimal("97")
    assert cell_percent("85,5 %") == Decimal("85.5")
    assert cell_percent("0,5 %") == Decimal("0.5")
    assert cell_percent(1) == Decimal("1")
    assert cell_percent(0) == Decimal("0")
    assert cell_percent(PercentNumber(1.0)) == Decimal("100")
    assert cell_fraction(PercentNumber(0.855)) == Decimal("0.855")
    with pytest.raises(CellError) as refused:
        cell_percent("0,97")
    assert "write 97 for 97 %" in str(refused.value)


def test_cells_without_their_reference_are_placed_by_the_exact_scan(tmp_path: Path) -> None:
    import re

    path = _book(tmp_path / "a.xlsx")
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bare, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                # Some generators leave out the cells' `r`: position is implicit.
                data = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
                assert b'<c r="' not in data
            target.writestr(item, data)
    with zipfile.ZipFile(bare) as archive:
        found = percent_cells(archive, sheet_members(archive)["Dữ liệu"], [1, 2, 3])
    assert (found[1].starts, found[1].ends) == ([2], [3])
    assert (found[2].starts, found[2].ends) == ([2], [3])
    assert len(found[3]) == 0


def test_the_style_before_the_reference_is_found_too(tmp_path: Path) -> None:
    import re

    path = _book(tmp_path / "a.xlsx")
    swapped = tmp_path / "swapped.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(swapped, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<c r="([A-Z]+\d+)" s="(\d+)"', rb'<c s="\2" r="\1"', data)
                assert b'<c s="' in data
            target.writestr(item, data)
    with zipfile.ZipFile(swapped) as archive:
        found = percent_cells(archive, sheet_members(archive)["Dữ liệu"], [1])
    assert (found[1].starts, found[1].ends) == ([2], [3])
