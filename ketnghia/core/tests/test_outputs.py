"""Text written to spreadsheets is inert and reads back as it was stored."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ketnghia.core.outputs import (
    csv_row,
    csv_unquote,
    csv_value,
    is_formula_like,
    xlsx_append,
    xlsx_set,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "＝1+1"]


# XML keeps no lone carriage return, so "\r=1" is only checked as recognised.
@pytest.mark.parametrize("text", [*HOSTILE, "\r=1"])
def test_formula_like_text_is_recognised(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["Y Hoa", "A Thuận", "Thôn 1", "", "1-2", "a=b"])
def test_ordinary_text_is_left_alone(text):
    assert not is_formula_like(text)
    assert csv_value(text) == text


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_a_string_cell_that_reads_back_as_stored(write_only):
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    if write_only:
        xlsx_append(sheet, [*HOSTILE, 5])
    else:
        for column, value in enumerate([*HOSTILE, 5], start=1):
            xlsx_set(sheet.cell(1, column), value)
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(buffer).read(
        next(n for n in zipfile.ZipFile(buffer).namelist() if n.startswith("xl/worksheets/"))
    )
    assert b"<f>" not in xml
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0)
    assert rows.to_python()[0] == [*HOSTILE, 5.0]
    reopened = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert [cell.data_type for cell in reopened[1]][: len(HOSTILE)] == ["s"] * len(HOSTILE)


def test_csv_cells_are_guarded_and_come_back_unchanged():
    out = io.StringIO()
    csv.writer(out).writerow(csv_row([*HOSTILE, "Y Hoa", 7]))
    read = next(csv.reader(io.StringIO(out.getvalue())))
    assert all(cell.startswith("'") for cell in read[: len(HOSTILE)])
    assert [csv_unquote(cell) for cell in read[:-1]] == [*HOSTILE, "Y Hoa"]


@given(st.text())
def test_csv_round_trip_of_any_text(text):
    assert csv_unquote(csv_value(text)) == text or text.startswith("'")
