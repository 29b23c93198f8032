"""The review report as an .xlsx workbook: one sheet per table, figures as numbers.

Figures are stored as numbers with Excel's standard format codes ("0.0" for a percentage,
"#,##0" for a count). The codes are locale-neutral: Excel shows them with the reader's
separators, so a Vietnamese Excel prints 57,7 and 1.148 while the cell keeps the number (a
text "57,7" could not be summed). Every text cell goes through `core.outputs` (inert); the
header row of each sheet is frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ketnghia.core.outputs import DEMO_MARK, mark_demo_workbook, xlsx_set
from ketnghia.reports.contributed import ContributedSection
from ketnghia.reports.domain import ReviewReport
from ketnghia.reports.support_exports import support_sheet

NO_VALUE = "—"
PERCENT_FORMAT = "0.0"
COUNT_FORMAT = "#,##0"
BOLD = Font(bold=True)


def _row(sheet: Worksheet, values: Sequence[Any], formats: Sequence[str | None] = ()) -> None:
    cells = []
    for index, value in enumerate(values):
        cell = xlsx_set(WriteOnlyCell(sheet), value)
        number_format = formats[index] if index < len(formats) else None
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format
        cells.append(cell)
    sheet.append(cells)


def _header(sheet: Worksheet, title: str, header: Sequence[str], widths: Sequence[int]) -> None:
    _row(sheet, [title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _row(sheet, header)
    for column in range(1, len(header) + 1):
        cell = sheet.cell(row=2, column=column)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"  # title and header stay in view


def _figure_cells(
    value: float | None, numerator: float, denominator: float, *, last: bool = False
) -> list[Any]:
    """Return (value, numerator, denominator) cells; "—" and blanks for a figure with none.

    A figure without a value (a category the year's standard lacked, a year without data) is
    no figure: never a 0 that reads as "nobody". `last` puts the value after its parts.
    """
    if value is None:
        cells: list[Any] = [NO_VALUE, None, None]
    else:
        cells = [value, numerator, denominator]
    return cells[1:] + cells[:1] if last else cells


def _format(factor: int) -> str:
    return PERCENT_FORMAT if factor == 100 else COUNT_FORMAT


# The workbook is in Vietnamese whatever the reader's language: a level in words, not its key.
LEVEL_VI = {"province": "Tỉnh", "district": "Huyện", "commune": "Xã", "village": "Thôn, làng"}


def review_xlsx(
    report: ReviewReport,
    *,
    narrative_vi: str = "",
    narrative_en: str = "",
    demo: bool = False,
    contributed: Sequence[ContributedSection] = (),
) -> bytes:
    """Return the workbook of `report`: summary, figures, units behind, ranking, series, and a
    sheet per table of the contributed sections."""
    book = Workbook()
    summary = book.active
    summary.title = "Tóm tắt"
    _header(
        summary,
        f"{report.program_name} — {report.baseline_year}–{report.review_year}",
        ["Mục", "Nội dung"],
        [22, 110],
    )
    for label, value in (
        ("Chương trình", report.program_name),
        ("Địa bàn", report.area_name),
        ("Năm gốc", report.baseline_year),
        ("Năm đánh giá", report.review_year),
        ("Ngưỡng tỷ lệ hộ nghèo (%)", report.threshold),
        ("Số liệu chính thức", "có" if report.official else "gồm đợt chưa phê duyệt"),
        ("Tóm tắt (tiếng Việt)", narrative_vi),
        ("Summary (English)", narrative_en),
        *((("Dữ liệu", f"{DEMO_MARK}: số liệu giả lập"),) if demo else ()),
    ):
        _row(summary, [label, value], [None, "0"])
    for row in summary.iter_rows(min_row=3, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    figures = book.create_sheet("Chỉ tiêu")
    _header(
        figures,
        "Các chỉ tiêu chủ yếu",
        [
            "Chỉ tiêu",
            "Năm",
            "Giá trị",
            "Tử số",
            "Mẫu số",
            "Năm gốc (giá trị)",
            "Mục tiêu",
            "Chính thức",
            "Đơn vị thiếu số liệu",
        ],
        [60, 11, 10, 12, 12, 14, 10, 10, 60],
    )
    for entry in report.entries:
        number = _format(entry.factor)
        year = f"{entry.period[0]}–{entry.period[1]}" if entry.period else entry.year
        _row(
            figures,
            [
                entry.label.vi,
                year,
                *_figure_cells(entry.value, entry.numerator, entry.denominator),
                entry.baseline,
                entry.target,
                "có" if entry.official else "không",
                entry.coverage.text("vi", limit=1000) if entry.coverage is not None else "",
            ],
            [None, "0", number, COUNT_FORMAT, COUNT_FORMAT, number, number],
        )

    units = book.create_sheet("Đơn vị")
    _header(
        units,
        "Các đơn vị sau mỗi chỉ tiêu",
        [
            "Chỉ tiêu",
            "Mã đơn vị",
            "Đơn vị",
            "Thuộc",
            "Cấp",
            "Tử số",
            "Mẫu số",
            "Giá trị",
        ],
        [50, 12, 28, 24, 10, 12, 12, 10],
    )
    for entry in report.entries:
        for unit in entry.units:
            _row(
                units,
                [
                    entry.label.vi,
                    unit.code,
                    unit.name,
                    unit.parent_name,
                    LEVEL_VI.get(unit.level, unit.level),
                    *_figure_cells(unit.value, unit.numerator, unit.denominator, last=True),
                ],
                [None] * 5 + [COUNT_FORMAT, COUNT_FORMAT, _format(entry.factor)],
            )

    ranking = book.create_sheet("Xếp hạng xã")
    _header(
        ranking,
        f"Xếp hạng các xã theo tỷ lệ hộ nghèo năm {report.review_year}",
        [
            "Hạng",
            "Mã xã",
            "Xã",
            "Huyện",
            "Hộ nghèo",
            "Tổng số hộ",
            "Tỷ lệ (%)",
            "Dưới ngưỡng",
            "Xã trọng điểm",
        ],
        [8, 10, 28, 24, 12, 12, 10, 12, 14],
    )
    for row in report.ranking:
        _row(
            ranking,
            [
                row.rank,
                row.code,
                row.name,
                row.parent_name,
                row.numerator,
                row.denominator,
                row.value,
                "có" if row.below_threshold else "",
                "có" if row.is_key else "",
            ],
            ["0", None, None, None, COUNT_FORMAT, COUNT_FORMAT, PERCENT_FORMAT],
        )

    series = book.create_sheet("Chuỗi số liệu")
    _header(
        series,
        "Chuỗi số liệu theo năm",
        [
            "Chỉ tiêu",
            "Năm",
            "Giá trị",
            "Tử số",
            "Mẫu số",
            "Đổi chuẩn nghèo",
            "Chính thức",
        ],
        [40, 8, 10, 12, 12, 30, 10],
    )
    for item in report.series:
        breaks = {marker.year: marker for marker in item.breaks}
        for point in item.points:
            marker = breaks.get(point.year)
            _row(
                series,
                [
                    item.label.vi,
                    point.year,
                    *_figure_cells(point.value, point.numerator, point.denominator),
                    marker.label.vi if marker else "",
                    "có" if point.official else "không",
                ],
                [None, "0", _format(item.factor), COUNT_FORMAT, COUNT_FORMAT],
            )
    if report.support is not None:
        support_sheet(book, report.support, _row, _header)
    _contributed_sheets(book, contributed)
    buffer = BytesIO()
    if demo:
        mark_demo_workbook(book)
    book.save(buffer)
    return buffer.getvalue()


_CELL_FORMATS = {"count": COUNT_FORMAT, "points": PERCENT_FORMAT}


def _contributed_sheets(book: Workbook, sections: Sequence[ContributedSection]) -> None:
    """Add a sheet per table of each contributed section (title cut to Excel's 31 letters)."""
    names = set(book.sheetnames)
    for section in sections:
        for table in section.tables:
            name = table.title[:31].rstrip()
            while name in names:
                name = f"{name[:28]} {len(names)}"
            names.add(name)
            sheet = book.create_sheet(name)
            _header(
                sheet, f"{section.title}: {table.title}", table.columns, [14] * len(table.columns)
            )
            formats = [_CELL_FORMATS.get(f) for f in table.formats]
            for row in table.rows:
                _row(sheet, [NO_VALUE if cell is None else cell for cell in row], formats)
