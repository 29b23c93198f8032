"""Hostile and messy census files, generated in code: the kinds officers make by accident
and the kinds an attacker makes on purpose.

Each `HostileFile` says what the import must do with it: refuse it with a message (a
fragment of the Vietnamese text) located at a sheet/row/column, or import it with exactly
the statuses given. `write_corpus(directory)` writes them all; `test_hostile_files` runs each
through the import, and a few through the web upload.

Households are of Xã Ngọk Wang (23500), village "Làng Kon Stiu", standard vn-2022 (12
indicators).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.imports.readers import EXCEL_ERROR_TEXTS, column_letter
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")
HEADERS = headers(VN_2022)
VILLAGE = "Làng Kon Stiu"
# Column letters of the template's layout (see `census_files.household`).
INCOME = column_letter(2)
FIRST_INDICATOR = column_letter(7)


def poor(code: str = "H1") -> list[object]:
    return household(code, "Y Blong", VILLAGE, "1.000.000", [1, 1, 1] + [0] * 9)


def near_poor(code: str = "H2") -> list[object]:
    return household(code, "A Thư", VILLAGE, "1.200.000", [0] * 12)


@dataclass
class HostileFile:
    """A file and what the import must make of it."""

    name: str
    write: Callable[[Path], None]
    # Refused: a fragment of the (Vietnamese) message, and where (sheet, row, column start).
    refused: str = ""
    row: int | None = None
    column: str = ""
    # Imported: household code → status.
    statuses: dict[str, str] = field(default_factory=dict)

    def path(self, directory: Path) -> Path:
        path = directory / self.name
        if not path.exists():
            self.write(path)
        return path


# --- Hand-made workbooks (zipfile) -----------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships"><sheets><sheet name="Rà soát" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def write_workbook_xml(path: Path, sheet_data: str, *, prefix: str = "", before: str = "") -> None:
    """Write a minimal .xlsx by hand whose one sheet ("Rà soát") holds `sheet_data`."""
    if prefix:
        root = f'<{prefix}:worksheet xmlns:{prefix}="{_MAIN}">'
        end = f"</{prefix}:worksheet>"
        data = f"<{prefix}:sheetData>{sheet_data}</{prefix}:sheetData>"
    else:
        root, end = f'<worksheet xmlns="{_MAIN}">', "</worksheet>"
        data = f"<sheetData>{sheet_data}</sheetData>"
    sheet = f'<?xml version="1.0" encoding="UTF-8"?>{root}{before}{data}{end}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)


def xml_cell(ref: str, value: object, *, prefix: str = "", with_ref: bool = True) -> str:
    """Return one `<c>`: text inline, numbers as numbers, "#…!" texts as error values."""
    p = f"{prefix}:" if prefix else ""
    r = f' r="{ref}"' if with_ref else ""
    if isinstance(value, int | float):
        return f"<{p}c{r}><{p}v>{value}</{p}v></{p}c>"
    text = str(value)
    if text in EXCEL_ERROR_TEXTS:
        return f'<{p}c{r} t="e"><{p}v>{escape(text)}</{p}v></{p}c>'
    return f'<{p}c{r} t="inlineStr"><{p}is><{p}t>{escape(text)}</{p}t></{p}is></{p}c>'


def xml_rows(
    rows: Sequence[Sequence[object]], *, prefix: str = "", with_ref: bool = True, start: int = 1
) -> str:
    p = f"{prefix}:" if prefix else ""
    out = []
    for number, values in enumerate(rows, start=start):
        cells = "".join(
            xml_cell(f"{column_letter(index)}{number}", value, prefix=prefix, with_ref=with_ref)
            for index, value in enumerate(values)
            if value != ""
        )
        r = f' r="{number}"' if with_ref else ""
        out.append(f"<{p}row{r}>{cells}</{p}row>")
    return "".join(out)


def _numbers(row: list[object]) -> list[object]:
    """Return a row with its marks and income as numbers, as a workbook holds them."""
    out = list(row)
    out[2] = int(str(out[2]).replace(".", ""))
    out[5] = int(str(out[5]))
    out[7:] = [int(value) for value in out[7:]]  # type: ignore[call-overload]
    return out


def _far_value(path: Path) -> None:
    # One stray value at the last cell of a sheet (Ctrl+End): a few hundred bytes.
    data = xml_rows([HEADERS, _numbers(poor())])
    data += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    write_workbook_xml(path, data)


def _out_of_order_far_value(path: Path) -> None:
    # The stray value first, rows out of order: the scan must not trust the last row.
    data = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data += xml_rows([HEADERS, _numbers(poor())])
    write_workbook_xml(path, data)


def _styled_empty_far_cell(path: Path) -> None:
    # Formatting far away (no value) is not data: ignored, as every spreadsheet ignores it.
    data = xml_rows([HEADERS, _numbers(poor()), _numbers(near_poor())])
    data += '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    write_workbook_xml(path, data, before='<dimension ref="A1:XFD1048576"/>')


def _error_values(path: Path) -> None:
    first = _numbers(poor())
    first[7] = "#N/A"  # a looked-up mark that found nothing: not "not deprived"
    second = _numbers(near_poor())
    second[2] = "#DIV/0!"
    write_workbook_xml(path, xml_rows([HEADERS, first, second]))


def _spill_error(path: Path) -> None:
    # An error calamine itself cannot read (it refuses the whole workbook).
    first = _numbers(poor())
    first[8] = "#SPILL!"
    write_workbook_xml(path, xml_rows([HEADERS, first]))


def _cells_without_references(path: Path) -> None:
    # Some generators leave out every `r`: positions follow from the order (no cell skipped).
    rows = [_numbers(row) for row in (poor(), near_poor())]
    for row in rows:
        row[4] = "nông thôn"
    write_workbook_xml(path, xml_rows([HEADERS, *rows], with_ref=False))


def _prefixed_namespace(path: Path) -> None:
    write_workbook_xml(
        path, xml_rows([HEADERS, _numbers(poor()), _numbers(near_poor())], prefix="x"), prefix="x"
    )


def _padded_sheet(path: Path) -> None:
    # Megabytes of whitespace between rows (a deflate bomb in small): read in bounded memory.
    padding = " " * (5 << 20)
    data = xml_rows([HEADERS, _numbers(poor())]) + padding
    data += xml_rows([_numbers(near_poor())], start=3)
    write_workbook_xml(path, data)


# --- Workbooks from openpyxl ----------------------------------------------------------------


def _merged_village(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Rà soát"
    sheet.append(HEADERS)
    for row in (poor("H1"), near_poor("H2"), poor("H3")):
        sheet.append(_numbers(row))
    sheet["D3"] = sheet["D4"] = None
    sheet.merge_cells("D2:D4")  # the village written once, merged down over its households
    book.save(path)


def _two_row_header(path: Path) -> None:
    # Identity columns in row 1, the indicators in row 2 under a group title: not one row.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADERS[:7], "Chỉ số thiếu hụt"] + [None] * 11)
    sheet.append([None] * 7 + HEADERS[7:])
    sheet.append(_numbers(poor()))
    book.save(path)


def _two_row_header_merged(path: Path) -> None:
    # The same, but as Excel users make it: identity headers merged down over both rows.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADERS[:7], "Chỉ số thiếu hụt"] + [None] * 11)
    sheet.append([None] * 7 + HEADERS[7:])
    for index in range(7):
        letter = column_letter(index)
        sheet.merge_cells(f"{letter}1:{letter}2")
    sheet.merge_cells(f"{column_letter(7)}1:{column_letter(18)}1")
    sheet.append(_numbers(poor()))
    sheet.append(_numbers(near_poor()))
    book.save(path)


def _error_openpyxl(path: Path) -> None:
    # openpyxl writes an error text as an error value (t="e"), as Excel saves a broken link.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    row = _numbers(poor())
    row[9] = "#REF!"
    sheet.append(row)
    book.save(path)


def _member_error(path: Path) -> None:
    # The members sheet: a birth year that is an error value (openpyxl writes it as t="e").
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Rà soát"
    sheet.append(HEADERS)
    sheet.append(_numbers(poor()))
    members = book.create_sheet("Nhân khẩu")
    members.append(["Mã hộ", "Họ và tên", "Giới tính", "Năm sinh", "Dân tộc", "Quan hệ"])
    members.append(["H1", "Y Blong", "nam", 1980, "Xơ Đăng", "chủ hộ"])
    members.append(["H1", "Y Hơn", "nữ", "#VALUE!", "Xơ Đăng", "vợ/chồng"])
    book.save(path)


# --- Text files ------------------------------------------------------------------------------


def _utf16_text(path: Path) -> None:
    # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated, CRLF.
    lines = ["\t".join(map(str, row)) for row in (HEADERS, poor(), near_poor())]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))


def _error_text_csv(path: Path) -> None:
    row = poor()
    row[7] = "#N/A"
    write_csv(path, HEADERS, [row, near_poor()])


def _div0_income_csv(path: Path) -> None:
    row = near_poor()
    row[2] = "#DIV/0!"
    write_csv(path, HEADERS, [poor(), row])


def _unclosed_quote(path: Path) -> None:
    # Row 3 opens a quote it never closes: rows 3 and 4 would vanish into one cell.
    write_csv(path, HEADERS, [poor()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('H2,"A Thư,1200000,Làng Kon Stiu,,4,15/10/2024' + ",0" * 12 + "\n")
        handle.write("H3,Y Blong,1000000,Làng Kon Stiu,,4,15/10/2024,1,1,1" + ",0" * 9 + "\n")


def _binary_csv(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02binary\x00" * 100)


def _csv_named_xlsx(path: Path) -> None:
    path.write_text(",".join(HEADERS) + "\n", encoding="utf-8")


def _zip_without_sheets(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")


CORPUS: list[HostileFile] = [
    # Read by its cells: the stray value beside the table is ignored as any such cell is.
    HostileFile("o-xa-xfd1048576.xlsx", _far_value, statuses={"H1": "poor"}),
    HostileFile("o-xa-dau-tien.xlsx", _out_of_order_far_value, refused="sau dòng 1048576", row=1),
    HostileFile(
        "dinh-dang-thua.xlsx", _styled_empty_far_cell, statuses={"H1": "poor", "H2": "near_poor"}
    ),
    HostileFile("loi-na.xlsx", _error_values, refused="#N/A", row=2, column=FIRST_INDICATOR),
    HostileFile("loi-div0.xlsx", _error_values, refused="#DIV/0!", row=3, column=INCOME),
    HostileFile("loi-spill.xlsx", _spill_error, refused="#SPILL!", row=2, column="I"),
    HostileFile("loi-ref.xlsx", _error_openpyxl, refused="#REF!", row=2, column="J"),
    HostileFile(
        "khong-tham-chieu.xlsx",
        _cells_without_references,
        statuses={"H1": "poor", "H2": "near_poor"},
    ),
    HostileFile(
        "tien-to-xml.xlsx", _prefixed_namespace, statuses={"H1": "poor", "H2": "near_poor"}
    ),
    HostileFile("dem-trang.xlsx", _padded_sheet, statuses={"H1": "poor", "H2": "near_poor"}),
    HostileFile(
        "thon-gop-o.xlsx",
        _merged_village,
        statuses={"H1": "poor", "H2": "near_poor", "H3": "poor"},
    ),
    HostileFile("tieu-de-hai-dong.xlsx", _two_row_header, refused="hai dòng", row=1),
    HostileFile(
        "tieu-de-hai-dong-gop.xlsx",
        _two_row_header_merged,
        statuses={"H1": "poor", "H2": "near_poor"},
    ),
    HostileFile("nhan-khau-loi.xlsx", _member_error, refused="#VALUE!", row=3, column="D"),
    HostileFile("unicode.txt", _utf16_text, statuses={"H1": "poor", "H2": "near_poor"}),
    HostileFile("loi-na.csv", _error_text_csv, refused="#N/A", row=2, column=FIRST_INDICATOR),
    HostileFile("loi-div0.csv", _div0_income_csv, refused="#DIV/0!", row=3, column=INCOME),
    HostileFile("ngoac-kep.csv", _unclosed_quote, refused="Dấu ngoặc kép", row=3),
    HostileFile("nhi-phan.csv", _binary_csv, refused="không phải"),
    HostileFile("csv-doi-ten.xlsx", _csv_named_xlsx, refused="không phải"),
    HostileFile("zip-rong.xlsx", _zip_without_sheets, refused="không"),
]


def write_corpus(directory: Path) -> list[Path]:
    """Write every file of the corpus into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    return [item.path(directory) for item in CORPUS]
