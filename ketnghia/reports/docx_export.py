"""The review report as a Word document in the province's administrative layout.

The layout (Decree 30/2020/NĐ-CP Appendix I for state bodies, Hướng dẫn 36-HD/VPTW for Party
bodies, chosen by the program's issuing body) is `core.docx_layout`'s; this module lays the
review out in it: the heading, "BÁO CÁO" and the subject, then the five sections of a review
(results achieved — drafted from the figures, with the table of main figures against their
targets and the charts; shortcomings and their causes; lessons; directions and tasks;
recommendations), "Nơi nhận" and the "TM. …" signature, and the ranking of the communes as an
appendix. Every number is printed through `core.formatting`; counts carry no denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from ketnghia.core import docx_layout as layout
from ketnghia.core.docx_layout import PARTY, STATE, Heading, date_line
from ketnghia.core.formatting import format_count, format_decimal
from ketnghia.reports import charts
from ketnghia.reports.contributed import ContributedSection
from ketnghia.reports.domain import Entry, ReviewReport
from ketnghia.reports.support_exports import support_docx

__all__ = ["PARTY", "SECTIONS", "STATE", "Heading", "date_line", "figure_text", "review_docx"]

CHART_WIDTH = Mm(160)
RANKING_WIDTH = Mm(140)  # a tall chart: 53 communes fit on one page

# The sections of a review report, in order: (field of the saved report, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("narrative_vi", "KẾT QUẢ ĐẠT ĐƯỢC"),
    ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
    ("lessons", "BÀI HỌC KINH NGHIỆM"),
    ("directions", "PHƯƠNG HƯỚNG, NHIỆM VỤ"),
    ("recommendations", "KIẾN NGHỊ, ĐỀ XUẤT"),
)
_ROMAN = ("I", "II", "III", "IV", "V", "VI")
EMPTY_SECTION = "(Chưa có nội dung: bổ sung trước khi trình ký.)"
GENERATED_NOTE = (
    "(Bản dự thảo tự động: phần kết quả được viết từ số liệu, chưa được lưu hay chỉnh sửa.)"
)


def figure_text(value: float | None, factor: int, *, language: str = "vi") -> str:
    """Return a figure for a table cell: a percentage with one decimal, a count whole."""
    if value is None:
        return "—"
    if factor == 100:
        return format_decimal(value, 1, language=language)
    return format_count(value, language=language)


def _with_unit(text: str, entry: Entry) -> str:
    # A no-break space: "34,0 %" never parts from its sign at the end of a line.
    return f"{text}\u00a0%" if entry.is_percent and text not in ("", "—") else text


def _value_text(entry: Entry) -> str:
    """Return the value cell: an estimate with its unit and 95 % interval, or "—" and the
    reason it has none; any other figure as `_with_unit` gives it."""
    text = _with_unit(figure_text(entry.value, entry.factor), entry)
    if entry.unit is None:
        return text
    if entry.value is None:
        return f"— ({entry.note})" if entry.note else "—"
    low, high = (figure_text(x, entry.factor) for x in (entry.ci_low, entry.ci_high))
    return f"{text} {entry.unit.vi} (khoảng tin cậy 95 %: {low} đến {high})"


def _target_text(entry: Entry) -> str:
    if entry.target is None:
        return ""
    text = _with_unit(figure_text(entry.target, entry.factor), entry)
    if entry.baseline is not None and entry.baseline > entry.target:
        return f"≤\u00a0{text}"
    return f"≥\u00a0{text}"


def _assessment(entry: Entry) -> str:
    met = entry.meets_target
    if met is None:
        return ""
    return "Đạt" if met else "Chưa đạt"


def _entry_row(number: int, entry: Entry) -> list[str]:
    # A share's parts are shown for rates only: a count ("4.812 lượt") has no denominator.
    share = (
        f"{format_count(entry.numerator)}/{format_count(entry.denominator)}"
        if entry.is_percent and entry.denominator
        else ""
    )
    year = f"{entry.period[0]}–{entry.period[1]}" if entry.period else str(entry.year)
    return [
        str(number),
        entry.label.vi,
        year,
        _value_text(entry),
        share,
        _target_text(entry),
        _assessment(entry),
    ]


def _figures_table(document: Any, report: ReviewReport) -> None:
    rows = [_entry_row(number, entry) for number, entry in enumerate(report.entries, start=1)]
    layout.grid_table(
        document,
        ["TT", "Chỉ tiêu", "Năm", "Kết quả", "Tử số/Mẫu số", "Mục tiêu", "Đánh giá"],
        rows,
        flexible=1,
    )
    # A figure over fewer units than its population says which it leaves out, by its number.
    for number, entry in enumerate(report.entries, start=1):
        if entry.coverage is not None:
            layout.paragraph(
                document,
                f"Chỉ tiêu {number}: tính trên {entry.coverage.text('vi')}.",
                size=Pt(11),
                italic=True,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            )


def _ranking_table(document: Any, report: ReviewReport) -> None:
    rows = [
        [
            str(row.rank),
            f"{row.name} (trọng điểm)" if row.is_key else row.name,
            row.parent_name,
            format_count(row.numerator),
            format_count(row.denominator),
            figure_text(row.value, 100),
        ]
        for row in report.ranking
    ]
    layout.grid_table(
        document,
        ["TT", "Xã", "Huyện", "Hộ nghèo", "Tổng số hộ", "Tỷ lệ (%)"],
        rows,
        flexible=1,
        left_columns=(2,),
    )


def _picture(document: Any, image: bytes, caption: str, *, width: Mm = CHART_WIDTH) -> None:
    document.add_picture(BytesIO(image), width=width)
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    layout.paragraph(document, caption, size=Pt(12), italic=True, after=Pt(6))


def _charts(document: Any, report: ReviewReport, language: str) -> None:
    trend = report.series_for("poverty_rate")
    number = 0
    if trend is not None and trend.points:
        number += 1
        last = report.entry("poverty_rate")
        _picture(
            document,
            charts.trend_chart(
                trend,
                language=language,
                target=last.target if last is not None else None,
                title="Tỷ lệ hộ nghèo các xã thuộc chương trình",
            ),
            f"Biểu đồ {number}. Tỷ lệ hộ nghèo qua các năm (đường đứt: năm đổi chuẩn nghèo)",
        )
    if report.ranking:
        number += 1
        _picture(
            document,
            charts.ranking_chart(report.ranking, threshold=report.threshold, language=language),
            f"Biểu đồ {number}. Tỷ lệ hộ nghèo từng xã năm {report.review_year}",
            width=RANKING_WIDTH,
        )


def _contributed(document: Any, section: ContributedSection, number: int) -> None:
    """A contributed section as a numbered part of section I: its text, then its tables."""
    layout.section_title(document, f"{number}. {section.title}")
    for text in section.paragraphs:
        layout.body(document, text)
    for table in section.tables:
        layout.paragraph(document, table.title, bold=True, keep_with_next=True, after=Pt(3))
        layout.grid_table(
            document,
            list(table.columns),
            [["—" if cell is None else _cell_text(cell) for cell in row] for row in table.rows],
            flexible=1,
        )
        layout.paragraph(document, "", size=Pt(6))


def _cell_text(cell: object) -> str:
    if isinstance(cell, float):
        return format_decimal(cell, 1)
    if isinstance(cell, int):
        return format_count(cell)
    return str(cell)


def _empty(document: Any) -> None:
    layout.paragraph(
        document,
        EMPTY_SECTION,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=Pt(6),
        indent=True,
    )


def review_docx(
    report: ReviewReport,
    *,
    heading: Heading,
    narrative_vi: str,
    sections: Mapping[str, str] | None = None,
    generated: bool = False,
    demo: bool = False,
    charts_language: str = "vi",
    contributed: Sequence[ContributedSection] = (),
) -> bytes:
    """Return the Word file of `report` with its narrative and the other sections' text.

    `narrative_vi` is the first section (results achieved); `sections` maps the others'
    fields (see `SECTIONS`) to their text, an empty one printed as still to be written.
    `generated` marks a draft whose text was written from the figures and never saved;
    `demo` marks every page as demo data.
    """
    texts = {"narrative_vi": narrative_vi, **(sections or {})}
    subject = heading.subject or (
        f"Kết quả thực hiện {report.program_name} giai đoạn "
        f"{report.baseline_year} – {report.review_year}"
    )
    document = layout.new_document(demo=demo, title=f"Báo cáo {subject}")
    party = heading.style == PARTY
    layout.heading(document, heading, report.review_year)
    layout.title(document, "Báo cáo", subject, party=party)
    if demo:
        layout.paragraph(document, f"{layout.DEMO_MARK}: số liệu giả lập", size=Pt(12), bold=True)
    if generated:
        layout.paragraph(document, GENERATED_NOTE, size=Pt(12), italic=True, after=Pt(6))
    for index, (name, title) in enumerate(SECTIONS):
        layout.section_title(document, f"{_ROMAN[index]}. {title}")
        text = texts.get(name, "").strip()
        if text:
            layout.body(document, text)
        elif index:
            _empty(document)
        if index == 0:
            if not report.official:
                layout.body(document, "(Số liệu gồm cả các đợt rà soát chưa được phê duyệt.)")
            layout.section_title(document, "1. Các chỉ tiêu chủ yếu")
            _figures_table(document, report)
            layout.paragraph(document, "", size=Pt(6))
            part = 1
            if report.series_for("poverty_rate") is not None or report.ranking:
                part += 1
                layout.section_title(document, f"{part}. Biểu đồ")
                _charts(document, report, charts_language)
            if report.support is not None:
                part += 1
                support_docx(document, report.support, number=part)
            for offset, section in enumerate(contributed, start=1):
                _contributed(document, section, part + offset)
    layout.signature(document, heading)
    if report.ranking:
        layout.page_break(document)
        layout.paragraph(document, "PHỤ LỤC", bold=True)
        layout.paragraph(
            document,
            f"XẾP HẠNG CÁC XÃ THEO TỶ LỆ HỘ NGHÈO NĂM {report.review_year}",
            bold=True,
            keep_with_next=True,
        )
        layout.paragraph(
            document,
            f"(Kèm theo báo cáo kết quả thực hiện {report.program_name})",
            size=Pt(13),
            italic=True,
            after=Pt(6),
            keep_with_next=True,
        )
        _ranking_table(document, report)
    return layout.saved(document)
