"""Large sheets streamed row by row (`readers.stream`), and values outside the table's
columns reported as located warnings (the table's `warnings`) in every reader."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from ketnghia.imports.readers import Column, open_table
from ketnghia.imports.readers.stream import stream_rows
from ketnghia.imports.readers.xlsx_files import xlsx_rows
from ketnghia.imports.tests.test_readers import COLUMNS, write_xlsx


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _typed_workbook(path: Path) -> Path:
    """A workbook with every kind of cell calamine gives a type to, and a merged range."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Dữ liệu"
    sheet.append(["Mã xã", "Tên thôn", "Ngày", "Số", "Đúng", "Công thức", "Giờ"])
    for number in range(2, 40):
        sheet.append(
            [
                "23500",
                f"Thôn {number} & <làng> “Kon”",
                dt.date(2024, 3, 1 + number % 28),
                number + 0.25,
                number % 2 == 0,
                f"=D{number}*2",
                dt.datetime(2024, 3, 1, 7, 30) if number % 3 else None,
            ]
        )
    sheet["B41"] = "Tên có\u00a0dấu cách cứng"
    sheet["A41"] = "23500"
    sheet["D42"] = "#N/A"
    sheet.merge_cells("A43:A44")
    sheet["A43"] = "23488"
    sheet["B43"] = "Thôn gộp 1"
    sheet["B44"] = "Thôn gộp 2"
    workbook.save(path)
    return path


def test_a_streamed_sheet_gives_the_rows_calamine_gives(tmp_path: Path, settings) -> None:
    path = _typed_workbook(tmp_path / "typed.xlsx")
    settings.KETNGHIA_IMPORT_STREAM_CELLS = 10_000_000
    by_calamine = list(xlsx_rows(path, path.name, "Dữ liệu"))
    settings.KETNGHIA_IMPORT_STREAM_CELLS = 0
    streamed = list(xlsx_rows(path, path.name, "Dữ liệu"))
    # calamine pads every row to the sheet's width; the streamed rows end at their last value.
    # A formula without its cached result is "" from calamine, absent from the stream: both
    # blank to every reader.
    trimmed = [
        (
            number,
            [None if v == "" else v for v in values][
                : max(i + 1 for i, v in enumerate(values) if v not in (None, ""))
            ],
        )
        for number, values in by_calamine
        if any(v not in (None, "") for v in values)
    ]
    assert streamed == trimmed
    assert streamed[2][1][:5] == [
        "23500",
        "Thôn 3 & <làng> “Kon”",
        dt.date(2024, 3, 4),
        3.25,
        False,
    ]
    assert [values[0] for number, values in streamed if number in (43, 44)] == ["23488"] * 2


def test_the_stream_reads_shared_strings_and_prefixed_parts(tmp_path: Path) -> None:
    """Excel's own layout: shared strings, `s` before `t`, a namespace prefix on every tag."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:sheetData>"
        '<x:row r="1"><x:c r="A1" s="0" t="s"><x:v>0</x:v></x:c>'
        '<x:c r="B1" t="s" s="0"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3" s="0"/>'
        '<x:c r="C3" t="inlineStr"><x:is><x:r><x:t>Kon </x:t></x:r><x:r><x:t>Tum</x:t></x:r>'
        '<x:rPh sb="0" eb="1"><x:t>ignored</x:t></x:rPh></x:is></x:c>'
        '<x:c r="D3" t="b"><x:v>1</x:v></x:c><x:c r="E3" t="e"><x:v>#DIV/0!</x:v></x:c>'
        '<x:c r="F3"><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c r="G3" t="str"><x:v>a&amp;b</x:v>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>Mã xã</t></si><si><t>Tên thôn</t></si><si><t>23500</t></si></sst>"
    )
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    with zipfile.ZipFile(path) as archive:
        rows = list(stream_rows(archive, "xl/worksheets/sheet1.xml"))
    assert rows[0] == (1, ["Mã xã", "Tên thôn"])
    number, values = rows[1]
    assert number == 3
    assert values[0] == "23500" and values[1] is None and values[2] == "Kon Tum"
    assert values[3] is True and str(values[4]) == "#DIV/0!" and values[5] == 2.0
    assert values[6] == "a&b"


def _note_beside_the_table(path: Path) -> Path:
    return write_xlsx(
        path,
        {
            "Thôn": {
                "A1": "Mã xã",
                "B1": "Tên thôn",
                "D1": "Mã thôn",
                "A2": "23500",
                "B2": "Thôn 1",
                "Z2": "đã kiểm tra lại",
                "A3": "23500",
                "B3": "Thôn 2",
                "C3": "ghi nhầm cột",
                "A4": "23500",
                "B4": "Thôn 3",
            }
        },
    )


@pytest.mark.parametrize("stream_cells", [10_000_000, 0])
@pytest.mark.parametrize("pass_", ["rows", "chunks"])
def test_a_value_outside_the_table_is_a_located_warning(
    tmp_path: Path, settings, stream_cells: int, pass_: str
) -> None:
    settings.KETNGHIA_IMPORT_STREAM_CELLS = stream_cells
    path = _note_beside_the_table(tmp_path / "thon.xlsx")
    table = open_table(path, COLUMNS)
    if pass_ == "rows":
        rows = [row.get("name") for row in table.rows()]
    else:
        rows = [name for chunk in table.chunks(2) for name in chunk.column("name")]
    assert rows == ["Thôn 1", "Thôn 2", "Thôn 3"]  # the data is read as before
    located = [
        (p.location.file, p.location.sheet, p.location.row, p.location.column)
        for p in table.warnings.items
    ]
    # Z has no header at all; C lies between headers but its own header cell is blank.
    assert located == [("thon.xlsx", "Thôn", 2, "Z"), ("thon.xlsx", "Thôn", 3, "C")]
    assert "“đã kiểm tra lại”" in table.warnings.items[0].message
    with translation.override("vi"):
        assert str(table.warnings.items[0]).startswith("tệp thon.xlsx, trang tính Thôn, dòng 2")


def test_a_csv_value_beyond_the_header_and_a_far_stray_cell_are_warned(
    tmp_path: Path, settings
) -> None:
    path = tmp_path / "thon.csv"
    path.write_text("Mã xã,Tên thôn\n23500,Thôn 1,,\n23500,Thôn 2,,xem lại\n", encoding="utf-8")
    table = open_table(path, COLUMNS)
    assert len(list(table.rows())) == 2
    assert [(p.location.row, p.location.column) for p in table.warnings.items] == [(3, "D")]

    # A sheet read by its cells (beyond the cell cap): the stray value far away is named too.
    settings.KETNGHIA_IMPORT_MAX_CELLS = 100
    far = write_xlsx(
        tmp_path / "far.xlsx",
        {"Thôn": {"A1": "Mã xã", "B1": "Tên thôn", "A2": "23500", "B2": "Thôn 1", "ZZ3000": 1}},
    )
    table = open_table(far, COLUMNS)
    assert [row.get("name") for row in table.rows()] == ["Thôn 1"]
    assert [(p.location.row, p.location.column) for p in table.warnings.items] == [(3000, "ZZ")]


def test_a_table_that_only_fills_its_columns_has_no_warning(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "thon.xlsx",
        {"Thôn": {"A1": "Mã xã", "B1": "Tên thôn", "A2": "23500", "B2": "Thôn 1"}},
    )
    table = open_table(path, [*COLUMNS, Column("note", ("Ghi chú",), required=False)])
    list(table.rows())
    assert not table.warnings


@pytest.mark.django_db
def test_an_importer_shows_the_warning_and_still_imports(tmp_path: Path, tree, capsys) -> None:
    """The classification import (CLI): the note is named with its place, the rows imported."""
    path = tmp_path / "phan-loai.csv"
    path.write_text(
        "Mã đơn vị,Giá trị,Từ năm,Đến năm\n23500,III,2021,2025,,ghi chú ngoài bảng\n",
        encoding="utf-8",
    )
    with translation.override("vi"):
        call_command("load-classifications", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Cảnh báo: tệp phan-loai.csv, dòng 2, cột F" in out
    assert "“ghi chú ngoài bảng”, không được nhập" in out


def _long_workbook(path: Path, rows: int) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Thôn")
    sheet.append(["Mã xã", "Tên thôn", "Số hộ", "Ngày"])
    for number in range(rows):
        sheet.append(["23500", f"Thôn số {number} có tên khá dài", number, dt.date(2024, 1, 1)])
    workbook.save(path)
    return path


def test_a_streamed_sheet_is_read_in_memory_flat_in_its_rows(
    tmp_path: Path, settings, monkeypatch
) -> None:
    """Python's allocations while reading 3,000 and 30,000 rows: the same bound, not 10×."""
    import tracemalloc

    from ketnghia.imports.readers import sparse, stream

    settings.KETNGHIA_IMPORT_STREAM_CELLS = 0
    # Blocks of 64 KB, so both sheets span many (memory is bounded by a block's cells).
    monkeypatch.setattr(stream, "BLOCK", 1 << 16)
    monkeypatch.setattr(sparse, "BLOCK", 1 << 16)
    columns = [*COLUMNS, Column("households", ("Số hộ",)), Column("day", ("Ngày",))]
    peaks = {}
    for rows in (3_000, 30_000):
        path = _long_workbook(tmp_path / f"thon-{rows}.xlsx", rows)
        table = open_table(path, columns)  # the extent scan: its own bounded blocks
        tracemalloc.start()
        count = sum(len(chunk) for chunk in table.chunks(1_000))
        _current, peaks[rows] = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == rows
    # The sheet's XML is ~3 MB at 30,000 rows; one block and one chunk of rows at a time
    # are held, never the sheet.
    assert peaks[30_000] < 1.3 * peaks[3_000], peaks
