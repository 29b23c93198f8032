"""The shared table reader: encodings, headers, row numbers, blank rows, unusable files."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.imports.readers import (
    CellError,
    Column,
    ProblemList,
    cell_code,
    cell_date,
    cell_decimal,
    cell_fraction,
    cell_int,
    cell_text,
    column_letter,
    header_key,
    open_table,
)

COLUMNS = (
    Column("commune", ("Mã xã", "commune code")),
    Column("name", ("Tên thôn", "village name")),
    Column("code", ("Mã thôn",), required=False),
)


@pytest.fixture(autouse=True)
def _english():
    """Match messages on their English msgids; the Vietnamese catalogue may change."""
    with translation.override("en"):
        yield


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: tone marks as combining characters after the letter."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += (base + tones).encode("cp1258")
    return out


def write_xlsx(path: Path, sheets: dict[str, dict[str, object]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, cells in sheets.items():
        sheet = workbook.create_sheet(title)
        for ref, value in cells.items():
            sheet[ref] = value
    workbook.save(path)
    return path


def test_csv_with_bom_title_block_and_blank_rows_keeps_real_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "thon.csv"
    path.write_text(
        "\ufeffDANH SÁCH THÔN\n\nMã xã,Tên thôn\n23500,Thôn 1\n,\n\n23488,Làng Kon Stiu\n",
        encoding="utf-8",
    )
    rows = list(open_table(path, COLUMNS).rows())
    assert [(r.number, r.get("commune"), r.get("name")) for r in rows] == [
        (4, "23500", "Thôn 1"),
        (7, "23488", "Làng Kon Stiu"),
    ]
    assert rows[0].get("code") is None
    assert rows[1].location("name").column == "B (Tên thôn)"


def test_headers_match_across_nfd_case_spacing_punctuation_and_aliases(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "MÃ  XÃ (*)")
    path = tmp_path / "a.csv"
    path.write_text(f"{nfd};village name\n23500;Thôn 2\n", encoding="utf-8")
    table = open_table(path, COLUMNS)
    assert table.delimiter == ";"
    (row,) = table.rows()
    assert (row.get("commune"), row.get("name")) == ("23500", "Thôn 2")
    assert header_key("Mã_xã") == header_key(unicodedata.normalize("NFD", "mã xã")) == "ma xa"


def test_cells_are_nfc(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Mã xã,Tên thôn\n23500," + unicodedata.normalize("NFD", "Làng Kon") + "\n")
    (row,) = open_table(path, COLUMNS).rows()
    assert row.get("name") == unicodedata.normalize("NFC", "Làng Kon")


def test_windows_code_page_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(cp1258("Mã xã,Tên thôn\n23500,Làng Đắk Kang\n"))
    table = open_table(path, COLUMNS)
    assert table.encoding == "cp1258"
    (row,) = table.rows()
    assert row.get("name") == "Làng Đắk Kang"


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Mã xã,Ghi chú\n23500,x\n")
    with pytest.raises(InvalidInput) as caught:
        open_table(path, COLUMNS)
    (problem,) = caught.value.problems
    assert "Tên thôn" in problem.message
    assert problem.location.file == "a.csv"


def test_duplicate_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Mã xã,Tên thôn,Tên thôn\n23500,a,b\n")
    with pytest.raises(InvalidInput, match="more than once"):
        open_table(path, COLUMNS)


def test_xlsx_rows_sheets_and_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "thon.xlsx",
        {
            "Hướng dẫn": {"A1": "Điền mỗi thôn một dòng"},
            "Đắk Hà": {
                "B3": "Mã xã",
                "C3": "Tên thôn",
                "B4": 23500,
                "C4": "Thôn 1",
                "C6": "Thôn 2",
            },
            "Đắk Glei": {"A1": "Mã xã", "B1": "Tên thôn", "A2": "23290", "B2": "Làng Dục Nhầy"},
        },
    )
    table = open_table(path, COLUMNS)
    assert table.sheets == ["Đắk Hà", "Đắk Glei"]
    rows = [(r.sheet, r.number, cell_code(r.get("commune")), r.get("name")) for r in table.rows()]
    assert rows == [
        ("Đắk Hà", 4, "23500", "Thôn 1"),
        ("Đắk Hà", 6, "", "Thôn 2"),
        ("Đắk Glei", 2, "23290", "Làng Dục Nhầy"),
    ]
    first = next(table.rows())
    assert first.location("name").column == "C (Tên thôn)"


def test_xlsx_data_sheet_with_a_faulty_header_is_reported(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {
            "Tốt": {"A1": "Mã xã", "B1": "Tên thôn", "A2": "23500", "B2": "Thôn 1"},
            "Sai": {"A1": "Mã xã", "B1": "Mã thôn", "A2": "23500"},
        },
    )
    with pytest.raises(InvalidInput) as caught:
        open_table(path, COLUMNS)
    (problem,) = caught.value.problems
    assert problem.location.sheet == "Sai"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"this is not a workbook", "not a readable Excel workbook"),
        (b"PK\x03\x04broken zip", "not a readable Excel workbook"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 600
            + "EncryptedPackage".encode("utf-16-le"),
            "password-protected",
        ),
    ],
)
def test_unusable_workbooks_get_a_clear_error(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=fragment) as caught:
        open_table(path, COLUMNS)
    assert caught.value.problems[0].location.file == "danh-sach.xlsx"


def test_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InvalidInput, match="not a readable Excel workbook"):
        open_table(path, COLUMNS)


def test_workbook_renamed_to_csv_and_unknown_types_are_refused(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": "Mã xã", "B1": "Tên thôn"}})
    renamed = tmp_path / "a.csv"
    renamed.write_bytes(workbook.read_bytes())
    with pytest.raises(InvalidInput, match="not a CSV text file"):
        open_table(renamed, COLUMNS)
    pdf = tmp_path / "a.pdf"
    pdf.write_text("x")
    with pytest.raises(InvalidInput, match="not supported"):
        open_table(pdf, COLUMNS)
    with pytest.raises(InvalidInput, match="not found"):
        open_table(tmp_path / "missing.csv", COLUMNS)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InvalidInput, match="no rows"):
        open_table(path, COLUMNS)


def test_large_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    # Long rows keep the row count (and the test's time) low while the file stays large.
    line = "23500,Thôn có một cái tên dài" + " và dài" * 90 + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Mã xã,Tên thôn\n")
        handle.writelines(line for _ in range(40_000))
    size = path.stat().st_size
    tracemalloc.start()
    count = sum(1 for _ in open_table(path, COLUMNS).rows())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 40_000
    # The file is about 30 MB; reading it must not hold more than a few chunks.
    assert size > 25_000_000
    assert peak < 10_000_000


def test_cell_parsers() -> None:
    assert cell_text(23500.0) == "23500"
    assert cell_text(None) == ""
    assert cell_code("'01") == "01"
    assert cell_int("2016") == cell_int(2016.0) == 2016
    with pytest.raises(CellError):
        cell_int("2016,5")
    assert cell_decimal("0,5") == cell_decimal("0.5") == Decimal("0.5")
    assert cell_decimal("1.234.567") == Decimal(1234567)
    assert cell_decimal("1.234,5") == cell_decimal("1,234.5") == Decimal("1234.5")
    assert cell_fraction("50%") == cell_fraction("50 %") == cell_fraction(0.5) == Decimal("0.5")
    assert cell_fraction("12,5%") == Decimal("0.125")
    with pytest.raises(CellError):
        cell_fraction("một nửa")
    assert cell_date("01/07/2025") == cell_date("2025-07-01") == dt.date(2025, 7, 1)
    assert cell_date("1-7-2025") == cell_date(dt.datetime(2025, 7, 1, 0, 0)) == dt.date(2025, 7, 1)
    assert cell_date(45839.0) == dt.date(2025, 7, 1)
    for bad in ("31/02/2025", "07/2025", "hôm qua"):
        with pytest.raises(CellError):
            cell_date(bad)
    assert [column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


def test_problem_list_caps_and_counts_the_rest() -> None:
    from ketnghia.core.errors import Problem

    problems = ProblemList(limit=2)
    problems.extend(Problem(str(i)) for i in range(5))
    assert len(problems) == 5 and problems.full
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    assert len(caught.value.problems) == 3
    assert "3" in caught.value.problems[-1].message
    # The count says how many were found, not how many lines the list has.
    assert caught.value.count == 5


def test_a_sheet_beyond_the_cell_cap_is_read_by_its_cells_as_calamine_reads_it(
    tmp_path: Path, settings
) -> None:
    import datetime as dt

    rows = {"A1": "Mã xã", "B1": "Tên thôn", "C1": "Ngày", "D1": "Số"}
    rows.update({f"A{n}": "23500" for n in range(2, 8)})
    rows.update({f"B{n}": f"Thôn {n}" for n in range(2, 8)})
    rows.update({f"C{n}": dt.date(2024, 3, n) for n in range(2, 8)})
    rows.update({f"D{n}": n + 0.5 for n in range(2, 8)})
    path = write_xlsx(tmp_path / "thon.xlsx", {"Thôn": rows})
    columns = [*COLUMNS, Column("day", ["Ngày"]), Column("count", ["Số"])]

    def read() -> list[tuple]:
        return [
            (row.number, row.get("commune"), row.get("name"), row.get("day"), row.get("count"))
            for row in open_table(path, columns).rows()
        ]

    settings.KETNGHIA_IMPORT_MAX_CELLS = 100
    by_calamine = read()
    settings.KETNGHIA_IMPORT_MAX_CELLS = 10
    assert read() == by_calamine and len(by_calamine) == 6
    assert by_calamine[0] == (2, "23500", "Thôn 2", dt.date(2024, 3, 2), 2.5)


def test_utf16_tab_separated_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "thon.txt"
    path.write_bytes("Mã xã\tTên thôn\r\n23500\tThôn Đăk Ring\r\n".encode("utf-16"))
    rows = [(r.number, r.get("commune"), r.get("name")) for r in open_table(path, COLUMNS).rows()]
    assert rows == [(2, "23500", "Thôn Đăk Ring")]


def test_excel_error_texts_are_refused_by_the_cell_parsers() -> None:
    from ketnghia.imports.readers import ExcelError

    for value in ("#N/A", ExcelError("#DIV/0!"), " #VALUE! "):
        with pytest.raises(CellError, match="Excel error"):
            cell_decimal(value)
    assert cell_text(ExcelError("#N/A")) == "#N/A"
