"""The review report as a Word document in the format of Decree 30/2020/NĐ-CP, Appendix I.

A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman
throughout (ASCII, complex and East Asian slots alike). The heading is a borderless two-column
table: on the left the issuer (its superior body, then the issuer in bold, a short rule) and
the number and symbol; on the right the national title in capitals (13 pt bold), the motto
(14 pt bold) with a solid rule as long as the motto, then the place and date line in italics.
Then "BÁO CÁO" and the subject, the body at 14 pt, justified, first-line indent 1,27 cm, 6 pt
after each paragraph, line spacing 1,15; tables at 12 pt; the charts as PNG images; and the
"Nơi nhận:" block (12 pt bold italic, its list 11 pt) beside the signature. Page numbers are a
PAGE field centred in the header, on every page but the first (a first-page header, empty).
Every number is printed through `core.formatting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ketnghia.core.formatting import format_count, format_decimal
from ketnghia.reports import charts
from ketnghia.reports.domain import Entry, ReviewReport

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

TOP_MARGIN = Mm(20)
BOTTOM_MARGIN = Mm(20)
LEFT_MARGIN = Mm(30)
RIGHT_MARGIN = Mm(15)
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(12)
FIRST_LINE_INDENT = Cm(1.27)
NO_SPACE = Pt(0)
CHART_WIDTH = Mm(160)
RANKING_WIDTH = Mm(140)  # a tall chart: 53 communes fit on one page
# The heading's columns: issuer on the left, national title on the right (165 mm in all).
LEFT_COLUMN = Mm(62)
RIGHT_COLUMN = Mm(103)


@dataclass(frozen=True)
class Heading:
    """The administrative heading: who issues the report, its number, place and date."""

    superior: str = ""  # "UBND TỈNH KON TUM" (the issuer's superior body, regular capitals)
    issuer: str = ""  # "BAN CHỈ ĐẠO …" (bold capitals)
    number: str = "Số:      /BC-BCĐ"
    place: str = ""
    dated: date | None = None
    subject: str = ""
    recipients: Sequence[str] = field(default_factory=lambda: ("Như trên;", "Lưu: VT."))
    signer_title: str = "TRƯỞNG BAN"
    signer_name: str = ""


def date_line(place: str, dated: date | None, year: int) -> str:
    """Return "Kon Tum, ngày 05 tháng 01 năm 2016"; left blank to fill in when not dated."""
    if dated is None:
        return f"{place}, ngày      tháng      năm {year}"
    # Decree 30: days below 10 and months below 3 take a leading zero.
    day = f"{dated.day:02d}"
    month = f"{dated.month:02d}" if dated.month < 3 else str(dated.month)
    return f"{place}, ngày {day} tháng {month} năm {dated.year}"


# --- low-level helpers --------------------------------------------------------------------


def _fonts(run_properties: object) -> None:
    fonts = run_properties.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)  # type: ignore[attr-defined]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = size
    run.font.bold = bold
    run.font.italic = italic
    _fonts(run._element.get_or_add_rPr())


def _paragraph(
    container: object,
    text: str = "",
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    after: Pt = NO_SPACE,
    indent: bool = False,
) -> Paragraph:
    paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = after
    if indent:
        paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _rule_under(paragraph: Paragraph, *, inset: Mm) -> None:
    """Draw a solid rule under `paragraph`, `inset` in from each side of its column."""
    paragraph.paragraph_format.left_indent = inset
    paragraph.paragraph_format.right_indent = inset
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")  # eighths of a point
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    properties.append(borders)


def _no_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _page_field(paragraph: Paragraph) -> None:
    """Put a PAGE field (the page's number, kept current by Word) into `paragraph`."""
    run = paragraph.add_run()
    run.font.name = FONT
    run.font.size = BODY_SIZE
    _fonts(run._element.get_or_add_rPr())
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, shown, end):
        run._r.append(element)


def _cell(
    cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, size=TABLE_SIZE, bold=bold)


def _grid(
    document: object, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[Cm]
) -> Table:
    table = document.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, text in enumerate(header):
        _cell(table.rows[0].cells[index], text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for values in rows:
        cells = table.add_row().cells
        for index, text in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _cell(cells[index], text, align=align)
    for row in table.rows:
        for index, width in enumerate(widths):
            row.cells[index].width = width
    return table


# --- the document --------------------------------------------------------------------------


def _page(document: object) -> None:
    section = document.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = TOP_MARGIN
    section.bottom_margin = BOTTOM_MARGIN
    section.left_margin = LEFT_MARGIN
    section.right_margin = RIGHT_MARGIN
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header)
    section.first_page_header.paragraphs[0].text = ""
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr())


def _heading(document: object, heading: Heading, year: int) -> None:
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = LEFT_COLUMN, RIGHT_COLUMN
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    if heading.superior:
        _paragraph(left, heading.superior.upper(), size=Pt(13))
    issuer = _paragraph(left, heading.issuer.upper(), size=Pt(13), bold=True)
    _rule_under(issuer, inset=Mm(18))
    _paragraph(left, "", size=Pt(6))
    _paragraph(left, heading.number, size=Pt(13))
    _paragraph(right, NATIONAL_TITLE, size=Pt(13), bold=True)
    motto = _paragraph(right, MOTTO, size=Pt(14), bold=True)
    _rule_under(motto, inset=Mm(20))
    _paragraph(right, "", size=Pt(6))
    _paragraph(right, date_line(heading.place, heading.dated, year), size=Pt(14), italic=True)


def _title(document: object, subject: str) -> None:
    _paragraph(document, "", size=Pt(12))
    _paragraph(document, "BÁO CÁO", size=Pt(14), bold=True)
    subject_paragraph = _paragraph(document, subject, size=Pt(14), bold=True)
    _rule_under(subject_paragraph, inset=Mm(60))
    _paragraph(document, "", size=Pt(6))


def _body(document: object, text: str) -> None:
    for chunk in (part.strip() for part in text.splitlines()):
        if not chunk:
            continue
        paragraph = _paragraph(
            document, chunk, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=Pt(6), indent=True
        )
        paragraph.paragraph_format.line_spacing = 1.15


def _section_title(document: object, text: str) -> None:
    paragraph = _paragraph(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=Pt(6))
    paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    paragraph.paragraph_format.keep_with_next = True


def figure_text(value: float | None, factor: int, *, language: str = "vi") -> str:
    """Return a figure for a table cell: a percentage with one decimal, a count whole."""
    if value is None:
        return "—"
    if factor == 100:
        return format_decimal(value, 1, language=language)
    return format_count(value, language=language)


def _entry_row(number: int, entry: Entry) -> list[str]:
    share = (
        f"{format_count(entry.numerator)}/{format_count(entry.denominator)}"
        if entry.denominator
        else "—"
    )
    unit = "%" if entry.is_percent else ""
    label = f"{entry.label.vi} ({unit})" if unit else entry.label.vi
    year = f"{entry.period[0]}–{entry.period[1]}" if entry.period else str(entry.year)
    return [
        str(number),
        label,
        year,
        figure_text(entry.value, entry.factor),
        share,
        figure_text(entry.target, entry.factor) if entry.target is not None else "",
    ]


def _figures_table(document: object, report: ReviewReport) -> None:
    rows = [_entry_row(number, entry) for number, entry in enumerate(report.entries, start=1)]
    _grid(
        document,
        ["STT", "Chỉ tiêu", "Năm", "Giá trị", "Tử số/Mẫu số", "Mục tiêu"],
        rows,
        [Cm(1.0), Cm(7.0), Cm(1.9), Cm(1.7), Cm(2.6), Cm(1.7)],
    )


def _ranking_table(document: object, report: ReviewReport) -> None:
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
    _grid(
        document,
        ["TT", "Xã", "Huyện", "Hộ nghèo", "Tổng số hộ", "Tỷ lệ (%)"],
        rows,
        [Cm(1.0), Cm(4.6), Cm(3.6), Cm(2.2), Cm(2.4), Cm(2.1)],
    )


def _picture(document: object, image: bytes, caption: str, *, width: Mm = CHART_WIDTH) -> None:
    document.add_picture(BytesIO(image), width=width)  # type: ignore[attr-defined]
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    _paragraph(document, caption, size=Pt(12), italic=True, after=Pt(6))


def _signature(document: object, heading: Heading) -> None:
    _paragraph(document, "", size=Pt(6))
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    first = left.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _run(first, "Nơi nhận:", size=Pt(12), bold=True, italic=True)
    for recipient in heading.recipients:
        _paragraph(left, f"- {recipient}", size=Pt(11), align=WD_ALIGN_PARAGRAPH.LEFT)
    title = right.paragraphs[0]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, heading.signer_title.upper(), size=Pt(14), bold=True)
    for _ in range(4):
        _paragraph(right, "", size=Pt(14))
    if heading.signer_name:
        _paragraph(right, heading.signer_name, size=Pt(14), bold=True)


def review_docx(
    report: ReviewReport,
    *,
    heading: Heading,
    narrative_vi: str,
    charts_language: str = "vi",
) -> bytes:
    """Return the Word file of `report` with its (saved) Vietnamese narrative."""
    document = Document()
    _page(document)
    _heading(document, heading, report.review_year)
    subject = heading.subject or (
        f"Kết quả thực hiện {report.program_name} giai đoạn "
        f"{report.baseline_year} – {report.review_year}"
    )
    _title(document, subject)
    _section_title(document, "I. TÌNH HÌNH VÀ KẾT QUẢ CHỦ YẾU")
    _body(document, narrative_vi)
    if not report.official:
        _body(document, "(Số liệu gồm cả các đợt rà soát chưa được phê duyệt.)")
    _section_title(document, "II. CÁC CHỈ TIÊU CHỦ YẾU")
    _figures_table(document, report)
    _paragraph(document, "", size=Pt(6))
    trend = report.series_for("poverty_rate")
    number = 0
    if trend is not None and trend.points:
        _section_title(document, "III. BIỂU ĐỒ")
        number += 1
        last = report.entry("poverty_rate")
        _picture(
            document,
            charts.trend_chart(
                trend,
                language=charts_language,
                target=last.target if last is not None else None,
                title="Tỷ lệ hộ nghèo các xã thuộc chương trình",
            ),
            f"Biểu đồ {number}. Tỷ lệ hộ nghèo qua các năm (đường đứt: năm đổi chuẩn nghèo)",
        )
    if report.ranking:
        number += 1
        _picture(
            document,
            charts.ranking_chart(
                report.ranking, threshold=report.threshold, language=charts_language
            ),
            f"Biểu đồ {number}. Tỷ lệ hộ nghèo từng xã năm {report.review_year}",
            width=RANKING_WIDTH,
        )
        _section_title(document, f"IV. XẾP HẠNG CÁC XÃ NĂM {report.review_year}")
        _ranking_table(document, report)
    _signature(document, heading)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
