"""The review's support section in its files: a sheet of the .xlsx, a part of the .docx.

Money is printed in million đồng in the Word file ("Đơn vị tính: triệu đồng", one decimal, as
reports to the province are written) and stored in đồng, as numbers, in the workbook.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook

from ketnghia.core import docx_layout as layout
from ketnghia.core.formatting import format_count, format_decimal, format_percent
from ketnghia.reports.support_domain import SourceYear, SupportSection

MILLION = 1_000_000
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"
PLAN_NOTE_VI = (
    "Kế hoạch vốn tính các quỹ do đơn vị trong địa bàn quản lý; vốn trung ương, vốn tỉnh "
    "được giao ở cấp tỉnh. Giá trị cấp phát tính mọi đợt cấp phát tại các xã của địa bàn."
)
YEAR_NOTE_VI = (
    "Kế hoạch tính theo năm của quỹ; giá trị cấp phát tính theo năm cấp phát thực tế "
    "(đợt đã cấp phát hoặc đã đối chiếu)."
)


def millions(value: float | None) -> str:
    """Return an amount of đồng in million đồng, one decimal ("1.234,5"); None → "—"."""
    if value is None:
        return "—"
    return format_decimal(value / MILLION, 1)


def _percent_of_plan(row: SourceYear) -> str:
    share = row.share_delivered
    return "" if share is None else format_percent(share)


def share_text(section: SupportSection) -> str:
    """Return "12,5 % (25/200 hộ nghèo)" for the share of poor households supported."""
    if section.share_supported is None:
        return "—"
    return (
        f"{format_percent(section.share_supported)} "
        f"({format_count(section.poor_supported)}/{format_count(section.poor_households)} hộ nghèo)"
    )


def support_docx(document: Any, section: SupportSection, *, number: int) -> None:
    """Add "<number>. Kết quả hỗ trợ" to section I: key figures, plan vs delivered by source
    and year, the totals by source, and what the figures leave out."""
    layout.section_title(document, f"{number}. Kết quả hỗ trợ theo nguồn vốn")
    year = section.review_year
    lines = [
        f"Giá trị hỗ trợ đã cấp phát năm {year}: {millions(section.value_delivered)} triệu đồng; "
        f"cả giai đoạn: {millions(section.value_delivered_period)} triệu đồng.",
        f"Tỷ lệ hộ nghèo được hỗ trợ trong năm {year}: {share_text(section)}.",
    ]
    for line in lines:
        layout.body(document, line)
    layout.paragraph(
        document,
        "Đơn vị tính: triệu đồng",
        size=Pt(11),
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    rows = [
        [
            str(row.year),
            row.label.vi,
            millions(row.planned),
            millions(row.committed),
            millions(row.delivered),
            _percent_of_plan(row),
        ]
        for row in section.rows
    ]
    rows += [
        [
            "Cộng",
            row.label.vi,
            millions(row.planned),
            millions(row.committed),
            millions(row.delivered),
            _percent_of_plan(row),
        ]
        for row in section.by_source()
    ]
    layout.grid_table(
        document,
        ["Năm", "Nguồn vốn", "Kế hoạch", "Đã duyệt, chưa cấp", "Đã cấp phát", "Tỷ lệ (%)"],
        rows,
        flexible=1,
    )
    notes = [YEAR_NOTE_VI]
    if section.plan_within_area:
        notes.append(PLAN_NOTE_VI)
    if section.coverage is not None:
        notes.append(f"Tỷ lệ hộ nghèo được hỗ trợ tính trên {section.coverage.text('vi')}.")
    if section.without_deliveries:
        notes.append(f"{section.without_text('vi')}.")
    for note in notes:
        layout.paragraph(document, note, size=Pt(11), italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def support_sheet(book: Workbook, section: SupportSection, write_row: Any, header: Any) -> None:
    """Add the sheet "Hỗ trợ": plan, committed and delivered by year and source (đồng), the
    totals by source, the key figures and the notes. `write_row` and `header` are the
    workbook's own (`xlsx_export._row`, `_header`): every text cell inert."""
    sheet = book.create_sheet("Hỗ trợ")
    header(
        sheet,
        "Kết quả hỗ trợ theo nguồn vốn và năm (đồng)",
        [
            "Năm",
            "Nguồn vốn",
            "Kế hoạch (đồng)",
            "Đã duyệt, chưa cấp (đồng)",
            "Đã cấp phát (đồng)",
            "Tỷ lệ cấp phát so kế hoạch (%)",
        ],
        [10, 30, 18, 18, 18, 16],
    )
    formats = ["0", None, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, PERCENT_FORMAT]
    for row in section.rows:
        write_row(
            sheet,
            [
                row.year,
                row.label.vi,
                row.planned,
                row.committed,
                row.delivered,
                row.share_delivered,
            ],
            formats,
        )
    for row in section.by_source():
        write_row(
            sheet,
            [
                "Cộng",
                row.label.vi,
                row.planned,
                row.committed,
                row.delivered,
                row.share_delivered,
            ],
            formats,
        )
    write_row(sheet, [])
    year = section.review_year
    write_row(
        sheet,
        [f"Giá trị đã cấp phát năm {year} (đồng)", None, section.value_delivered],
        [None, None, MONEY_FORMAT],
    )
    write_row(
        sheet,
        ["Giá trị đã cấp phát cả giai đoạn (đồng)", None, section.value_delivered_period],
        [None, None, MONEY_FORMAT],
    )
    write_row(
        sheet,
        [
            f"Tỷ lệ hộ nghèo được hỗ trợ năm {year} (%)",
            None,
            section.share_supported if section.share_supported is not None else "—",
            section.poor_supported,
            section.poor_households,
        ],
        [None, None, PERCENT_FORMAT, MONEY_FORMAT, MONEY_FORMAT],
    )
    notes = [YEAR_NOTE_VI]
    if section.plan_within_area:
        notes.append(PLAN_NOTE_VI)
    if section.coverage is not None:
        notes.append(f"Tỷ lệ hộ nghèo được hỗ trợ tính trên {section.coverage.text('vi', 1000)}.")
    if section.without_deliveries:
        notes.append(section.without_text("vi", limit=1000))
    for note in notes:
        write_row(sheet, [note])
