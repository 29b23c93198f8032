"""The Word file (Decree 30/2020 format) and the workbook, opened with python-docx and openpyxl."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from ketnghia.reports import narrative
from ketnghia.reports.docx_export import Heading, date_line, review_docx
from ketnghia.reports.tests.factories import report, with_entry
from ketnghia.reports.xlsx_export import COUNT_FORMAT, PERCENT_FORMAT, review_xlsx

HEADING = Heading(
    superior="UBND tỉnh Kon Tum",
    issuer="Ban Chỉ đạo thực hiện Nghị quyết 04",
    number="Số:      /BC-BCĐ",
    place="Kon Tum",
    recipients=("Thường trực Tỉnh ủy;", "Lưu: VT."),
    signer_title="Trưởng ban",
)


def _mm(length: int | None) -> float:
    assert length is not None
    return length / 36000


@pytest.fixture(scope="module")
def document():
    base = report()
    data = review_docx(base, heading=HEADING, narrative_vi=narrative.summary(base, language="vi"))
    return Document(BytesIO(data))


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _text(document) -> str:
    return "\n".join(p.text for p in _all_paragraphs(document))


def _find(document, text: str):
    for paragraph in _all_paragraphs(document):
        if paragraph.text == text:
            return paragraph
    raise AssertionError(f"no paragraph {text!r}")


def test_page_is_a4_with_the_decree_margins(document) -> None:
    section = document.sections[0]
    assert round(_mm(section.page_width)) == 210
    assert round(_mm(section.page_height)) == 297
    assert 20 <= round(_mm(section.top_margin)) <= 25
    assert 20 <= round(_mm(section.bottom_margin)) <= 25
    assert 30 <= round(_mm(section.left_margin)) <= 35
    assert 15 <= round(_mm(section.right_margin)) <= 20


def test_every_run_is_times_new_roman(document) -> None:
    runs = [run for p in _all_paragraphs(document) for run in p.runs if run.text.strip()]
    assert len(runs) > 50
    for run in runs:
        assert run.font.name == "Times New Roman", run.text
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
        assert fonts.get(qn("w:cs")) == "Times New Roman"


def test_national_title_motto_and_rule(document) -> None:
    title = _find(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert title.runs[0].font.bold and Pt(12) <= title.runs[0].font.size <= Pt(13)
    motto = _find(document, "Độc lập - Tự do - Hạnh phúc")
    assert motto.runs[0].font.bold and Pt(13) <= motto.runs[0].font.size <= Pt(14)
    # The rule is its own paragraph right under the motto (so it can be as long as the
    # motto without narrowing the motto's line).
    rule = motto._p.getnext()
    bottom = rule.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:val")) == "single"
    assert not rule.xpath("string(.)")


def test_issuer_number_place_and_date(document) -> None:
    assert _find(document, "UBND TỈNH KON TUM")
    issuer = _find(document, "BAN CHỈ ĐẠO THỰC HIỆN NGHỊ QUYẾT 04")
    assert issuer.runs[0].font.bold
    assert _find(document, "Số:      /BC-BCĐ")
    line = _find(document, "Kon Tum, ngày      tháng      năm 2015")
    assert line.runs[0].font.italic


def test_date_line_leading_zeros() -> None:
    assert date_line("Kon Tum", date(2016, 1, 5), 2015) == "Kon Tum, ngày 05 tháng 01 năm 2016"
    assert date_line("Kon Tum", date(2016, 11, 25), 2015) == "Kon Tum, ngày 25 tháng 11 năm 2016"


def test_title_and_body(document) -> None:
    title = _find(document, "BÁO CÁO")
    assert title.runs[0].font.bold
    body = [p for p in document.paragraphs if p.text.startswith("Tỷ lệ hộ nghèo chung")]
    assert len(body) == 1
    paragraph = body[0]
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 1.0 <= paragraph.paragraph_format.first_line_indent.cm <= 1.27
    assert Pt(13) <= paragraph.runs[0].font.size <= Pt(14)
    assert paragraph.paragraph_format.space_after >= Pt(6)


def test_the_figures_are_in_the_text_and_tables(document) -> None:
    text = _text(document)
    assert "57,7" in text and "34,0" in text
    assert "18/53" in text
    assert "118/409" in text
    assert "44,0" in text
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["2", "Chỉ tiêu poverty_rate", "2015", "34,0\u00a0%", "3.400/10.000", "", ""] in rows
    assert any(row[1] == "Ngọc Linh (trọng điểm)" and row[5] == "60,0" for row in rows)
    # A count has no denominator ("4.812", never "4.812/1").
    assert any(len(row) == 7 and row[3] == "4.812" and row[4] == "" for row in rows)


def test_page_number_from_page_two(document) -> None:
    section = document.sections[0]
    assert section.different_first_page_header_footer is True
    instructions = [element.text for element in section.header._element.iter(qn("w:instrText"))]
    assert [text.strip() for text in instructions] == ["PAGE"]
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))


def test_recipients_block(document) -> None:
    label = _find(document, "Nơi nhận:")
    assert label.runs[0].font.bold and label.runs[0].font.italic
    assert label.runs[0].font.size == Pt(12)
    item = _find(document, "- Thường trực Tỉnh ủy;")
    assert item.runs[0].font.size == Pt(11)
    assert _find(document, "TRƯỞNG BAN").runs[0].font.bold


def test_charts_are_embedded(document) -> None:
    assert len(document.inline_shapes) == 2
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 2


def test_the_narrative_given_is_the_one_printed() -> None:
    data = review_docx(report(), heading=HEADING, narrative_vi="Đoạn văn đã sửa.\nĐoạn thứ hai.")
    text = _text(Document(BytesIO(data)))
    assert "Đoạn văn đã sửa." in text and "Đoạn thứ hai." in text
    assert "giảm từ" not in text


# --- Excel -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book():
    data = review_xlsx(report(), narrative_vi="Tóm tắt", narrative_en='=HYPERLINK("x")')
    return load_workbook(BytesIO(data))


def test_one_sheet_per_table_with_frozen_headers(book) -> None:
    assert book.sheetnames == ["Tóm tắt", "Chỉ tiêu", "Đơn vị", "Xếp hạng xã", "Chuỗi số liệu"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3"


def _by_label(rows):
    """Return the rows of a sheet by indicator: its label is "Chỉ tiêu <code>" in these reports."""
    return {
        str(row[0].value if hasattr(row[0], "value") else row[0]).removeprefix("Chỉ tiêu "): row
        for row in rows
    }


def test_figures_are_numbers_with_standard_formats(book) -> None:
    sheet = book["Chỉ tiêu"]
    rows = _by_label(sheet.iter_rows(min_row=3))
    rate = rows["poverty_rate"]
    assert rate[2].value == pytest.approx(34.0)
    assert rate[2].number_format == PERCENT_FORMAT
    assert rate[3].value == 3400 and rate[3].number_format == COUNT_FORMAT
    assert rows["poverty_rate_baseline"][2].value == pytest.approx(57.7)
    assert rows["communes_below_30"][3].value == 18
    assert rows["communes_below_30"][4].value == 53
    assert rows["villages_meeting_criteria"][3].value == 118
    assert rows["Hoạt động của đơn vị kết nghĩa"][2].number_format == COUNT_FORMAT
    assert rows["Hoạt động của đơn vị kết nghĩa"][1].value == "2007–2015"


def test_the_workbook_speaks_vietnamese_only(book) -> None:
    """No English column ("Indicator"), no code column and no level keys in the cells."""
    headers = [cell.value for cell in book["Chỉ tiêu"][2]]
    assert "Indicator" not in headers and headers[:2] == ["Chỉ tiêu", "Năm"]
    assert not [h for h in headers if h in ("Mã", "Mã chỉ tiêu")]
    for name in ("Đơn vị", "Chuỗi số liệu"):
        assert "Mã chỉ tiêu" not in [cell.value for cell in book[name][2]]
    levels = {row[4] for row in book["Đơn vị"].iter_rows(min_row=3, values_only=True)}
    assert levels and not levels & {"province", "district", "commune", "village"}
    summary = {row[0]: row[1] for row in book["Tóm tắt"].iter_rows(min_row=3, values_only=True)}
    assert summary["Chương trình"] != "nq04"


def test_ranking_and_units_sheets(book) -> None:
    ranking = list(book["Xếp hạng xã"].iter_rows(min_row=3, values_only=True))
    assert [row[2] for row in ranking] == ["Ia Tơi", "Đăk Nên", "Mường Hoong", "Ngọc Linh"]
    assert ranking[0][0] == 1 and ranking[0][7] == "có"
    assert ranking[-1][8] == "có"
    units = list(book["Đơn vị"].iter_rows(min_row=3, values_only=True))
    assert sum(1 for row in units if row[0] == "Chỉ tiêu key_communes_poverty_rate") == 20


def test_text_cells_are_inert(book) -> None:
    cell = book["Tóm tắt"]["B10"]
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


def test_changed_figure_reaches_the_workbook() -> None:
    changed = with_entry(report(), "communes_below_30", numerator=19)
    book = load_workbook(BytesIO(review_xlsx(changed)))
    rows = _by_label(book["Chỉ tiêu"].iter_rows(min_row=3, values_only=True))
    assert rows["communes_below_30"][3] == 19
