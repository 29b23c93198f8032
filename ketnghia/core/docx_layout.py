"""Word documents in the administrative layout the province files: one set of building blocks.

Two layouts are in use:

- **State bodies**, Decree 30/2020/NĐ-CP, Appendix I: A4 portrait, margins top and bottom
  20 mm, left 30 mm, right 15 mm, Times New Roman. The heading is a borderless two-column
  table: left, the issuer's superior body (regular capitals), the issuer (bold capitals) with
  a short rule, then "Số: …/BC-…"; right, the national title (13 pt bold capitals) and the
  motto (14 pt bold) each on one line, a rule as long as the motto, then the place and date in
  italics. The signature block reads "TM. <collective>" / the signer's title / space / name.
- **Party bodies**, Hướng dẫn 36-HD/VPTW (2018): left, the Party organisation above
  ("ĐẢNG BỘ TỈNH KON TUM"), the issuing committee in bold, a "*" and "Số …-BC/TU"; right,
  "ĐẢNG CỘNG SẢN VIỆT NAM" (15 pt bold) with a rule, then the place and date. The signature
  reads "T/M <collective>".

Why the grid is written by hand: python-docx sets a cell's `w:tcW` but leaves the table's
`w:tblGrid` at equal columns, and LibreOffice (as Word with a fixed layout) lays a table out by
its grid; a heading whose grid says 82.5 + 82.5 mm breaks the national title over two lines.
`grid_table` therefore writes `w:gridCol`, every `w:tcW` and a fixed layout together, sizes
columns from their contents, repeats the header row on every page, keeps rows whole and lets
no number wrap.

Page numbers are a PAGE field centred in the header from page 2 (the first page has its own,
empty header). On a demo database every page's header says "DỮ LIỆU MẪU" (`demo=True`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ketnghia.core.outputs import DEMO_MARK

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"

STATE = "state"
PARTY = "party"

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
TOP_MARGIN = Mm(20)
BOTTOM_MARGIN = Mm(20)
LEFT_MARGIN = Mm(30)
RIGHT_MARGIN = Mm(15)
TEXT_WIDTH = Mm(165)
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(12)
FIRST_LINE_INDENT = Cm(1.27)
NO_SPACE = Pt(0)
# The heading's columns: the national title (13 pt bold, ~92 mm) fits the right one on a line.
HEADING_LEFT = Mm(62)
HEADING_RIGHT = Mm(103)
# `text_width_mm` errs wide (it sizes columns); a rule as long as a line of text takes this share.
RULE_SHARE = 0.8
# Word's default cell margins (0.19 cm each side) count against a column's width; 1 mm more
# (half that) keeps a figure clear of the border.
CELL_PADDING_MM = 4.3

_NUMBER = re.compile(r"^[\d.,/%\s–≤≥-]+$")


@dataclass(frozen=True)
class Heading:
    """Who issues a document, its number, place and date, and who signs it."""

    superior: str = ""  # "UBND TỈNH KON TUM" / "ĐẢNG BỘ TỈNH KON TUM"
    issuer: str = ""  # "BAN CHỈ ĐẠO …" / "TỈNH ỦY"
    number: str = "Số:      /BC-BCĐ"
    place: str = ""
    dated: date | None = None
    subject: str = ""
    recipients: Sequence[str] = field(default_factory=lambda: ("Như trên;", "Lưu: VT."))
    on_behalf: str = ""  # the collective the signer signs for: "BAN CHỈ ĐẠO"
    signer_title: str = "TRƯỞNG BAN"
    signer_name: str = ""
    style: str = STATE  # STATE (Decree 30/2020) or PARTY (Hướng dẫn 36-HD/VPTW)


def date_line(place: str, dated: date | None, year: int) -> str:
    """Return "Kon Tum, ngày 05 tháng 01 năm 2016"; left blank to fill in when not dated."""
    if dated is None:
        return f"{place}, ngày      tháng      năm {year}"
    # Decree 30: days below 10 and months below 3 take a leading zero.
    day = f"{dated.day:02d}"
    month = f"{dated.month:02d}" if dated.month < 3 else str(dated.month)
    return f"{place}, ngày {day} tháng {month} năm {dated.year}"


# Characters XML 1.0 cannot carry (a stray control character in a name must not break Word).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Return `value` as text Word can store (control characters dropped)."""
    return _NOT_XML.sub("", str(value))


# --- runs and paragraphs --------------------------------------------------------------------


def _fonts(run_properties: Any) -> None:
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def run(
    paragraph: Paragraph,
    text: str,
    *,
    size: Length = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    """Add a Times New Roman run to `paragraph`."""
    added = paragraph.add_run(xml_text(text))
    added.font.name = FONT
    added.font.size = size
    added.font.bold = bold
    added.font.italic = italic
    if underline:
        added.font.underline = True
    _fonts(added._element.get_or_add_rPr())


def paragraph(
    container: Any,
    text: str = "",
    *,
    size: Length = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    after: Length = NO_SPACE,
    indent: bool = False,
    keep_with_next: bool = False,
) -> Paragraph:
    """Add a paragraph of one run to a document, cell, header or footer."""
    added = container.add_paragraph()
    added.alignment = align
    added.paragraph_format.space_before = Pt(0)
    added.paragraph_format.space_after = after
    if indent:
        added.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    if keep_with_next:
        added.paragraph_format.keep_with_next = True
    if text:
        run(added, text, size=size, bold=bold, italic=italic)
    return added


def body(document: Any, text: str) -> None:
    """Add `text` as justified body paragraphs (one per line), first-line indent, 6 pt after."""
    for chunk in (part.strip() for part in text.splitlines()):
        if not chunk:
            continue
        added = paragraph(
            document, chunk, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=Pt(6), indent=True
        )
        added.paragraph_format.line_spacing = 1.15


def section_title(document: Any, text: str) -> None:
    """Add a bold section title kept with what follows it."""
    added = paragraph(
        document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=Pt(6), indent=True
    )
    added.paragraph_format.keep_with_next = True


def rule_under(target: Paragraph, *, inset: Length) -> None:
    """Draw a solid rule under `target`, `inset` in from each side of its column."""
    target.paragraph_format.left_indent = inset
    target.paragraph_format.right_indent = inset
    properties = target._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")  # eighths of a point
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    properties.append(borders)


def _rule(container: Any, column: Length, length: Length) -> None:
    """Add a paragraph that is only a centred rule `length` long in a `column`-wide cell."""
    marker = paragraph(container, "", size=Pt(2))
    inset = max((column.mm - CELL_PADDING_MM - length.mm) / 2, 0.0)
    rule_under(marker, inset=Mm(inset))


def _page_field(target: Paragraph, size: Length) -> None:
    """Put a PAGE field (the page's number, kept current by the reader) into `target`."""
    added = target.add_run()
    added.font.name = FONT
    added.font.size = size
    _fonts(added._element.get_or_add_rPr())
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
        added._r.append(element)


# --- tables ---------------------------------------------------------------------------------


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _fixed_grid(table: Table, widths: Sequence[Length]) -> None:
    """Give `table` a fixed layout whose grid and cells have `widths` (see the module doc)."""
    table.autofit = False
    properties = table._tbl.tblPr
    layout = properties.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        properties.append(layout)
    layout.set(qn("w:type"), "fixed")
    total = properties.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        properties.append(total)
    total.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    total.set(qn("w:type"), "dxa")
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    size: Length = TABLE_SIZE,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    no_wrap: bool = False,
) -> None:
    first = cell.paragraphs[0]
    first.alignment = align
    first.paragraph_format.space_after = Pt(0)
    run(first, text, size=size, bold=bold)
    if no_wrap:
        properties = cell._tc.get_or_add_tcPr()
        properties.append(OxmlElement("w:noWrap"))


def _row_flags(row: Any, *, header: bool) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def text_width_mm(text: str, size: Length = TABLE_SIZE, *, bold: bool = False) -> float:
    """Return a generous estimate of `text`'s width in mm in Times New Roman at `size`.

    Advances in ems, rounded up from the font's metrics: capitals 0.72, lower case and
    digits 0.5, spaces and punctuation 0.3; bold 8 % wider.
    """
    ems = 0.0
    for character in text:
        if character.isupper():
            ems += 0.72
        elif character.isalnum():
            ems += 0.5
        elif character == "%":
            ems += 0.85
        else:
            ems += 0.3
    if bold:
        ems *= 1.08
    return ems * size.pt * 25.4 / 72


def is_number(text: str) -> bool:
    """Return whether a cell holds a figure ("17.874/30.978", "34,0", "2007–2015")."""
    return bool(text) and bool(_NUMBER.match(text))


def content_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    total_mm: float,
    flexible: int,
    size: Length = TABLE_SIZE,
) -> list[Length]:
    """Return column widths from contents: each column as wide as its longest figure or word.

    A figure never wraps, so a column is at least its widest figure; text columns are at
    least their longest word (header included). The `flexible` column (the label) takes what
    is left; when that is less than its longest text or a third of the width, the other
    columns shrink in proportion towards those floors (a short text such as "Chưa đạt" may
    then wrap between its words, a figure never).
    """
    needs: list[float] = []
    floors: list[float] = []
    for index, title in enumerate(header):
        cells = [str(row[index]) for row in rows if index < len(row)]
        figures = [text for text in cells if is_number(text)]
        # Header words are bold; a word longer than 40 mm (an address, a code) may break
        # rather than widen the table.
        longest_word = min(
            max(
                [text_width_mm(w, size) for text in cells for w in text.split()]
                + [text_width_mm(w, size, bold=True) for w in title.split()],
                default=0.0,
            ),
            40.0,
        )
        longest_figure = max((text_width_mm(f, size) for f in figures), default=0.0)
        floor = max(longest_word, longest_figure) + CELL_PADDING_MM
        longest_text = max((text_width_mm(text, size) for text in cells), default=0.0)
        cap = total_mm if index == flexible else 45.0
        needs.append(max(floor, min(longest_text + CELL_PADDING_MM, cap)))
        floors.append(floor)
    fixed = sum(need for index, need in enumerate(needs) if index != flexible)
    room = total_mm - fixed
    label = min(max(floors[flexible], total_mm / 3), needs[flexible])
    if room < label:
        # Squeeze the other columns towards their floors to give the label its room.
        wanted = total_mm - label
        squeezable = sum(
            needs[i] - floors[i]
            for i in range(len(needs))
            if i != flexible and needs[i] > floors[i]
        )
        excess = fixed - wanted
        for index in range(len(needs)):
            if index == flexible or squeezable <= 0:
                continue
            share = (needs[index] - floors[index]) / squeezable
            needs[index] = max(floors[index], needs[index] - excess * share)
        room = total_mm - sum(need for index, need in enumerate(needs) if index != flexible)
    needs[flexible] = max(room, floors[flexible])
    return [Mm(round(need, 1)) for need in needs]


def _add_rows(
    table: Table,
    rows: Sequence[Sequence[str]],
    *,
    size: Length,
    text_columns: set[int],
) -> None:
    for values in rows:
        row = table.add_row()
        _row_flags(row, header=False)
        for index, text in enumerate(values):
            text = str(text)
            if index in text_columns:
                _cell_text(row.cells[index], text, size=size)
            else:
                _cell_text(
                    row.cells[index],
                    text,
                    size=size,
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    no_wrap=is_number(text),
                )


def grid_table(
    container: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flexible: int = 1,
    total: Length = TEXT_WIDTH,
    size: Length = TABLE_SIZE,
    left_columns: Sequence[int] = (),
    keep_last: int = 0,
) -> Table | tuple[Table, _Cell]:
    """Add a bordered table sized by its contents, its header row repeated on every page.

    Figures are centred and never wrap; columns in `left_columns` (and the flexible one)
    are left-aligned text. With `keep_last`, the last rows go into one closing row that
    cannot split (a nested table on the same grid), and that row's cell is returned with the
    table for the caller to add what must stay with the end of the list — the signatures: a
    reader never finds them alone on a page. (LibreOffice keeps no two rows together any
    other way, and its "keep with next" on a table moves the whole table.)
    """
    widths = content_widths(header, rows, total_mm=total.mm, flexible=flexible, size=size)
    table = container.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _row_flags(table.rows[0], header=True)
    for index, title in enumerate(header):
        _cell_text(
            table.rows[0].cells[index], title, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
        )
    text_columns = {flexible, *left_columns}
    split = len(rows) - keep_last if keep_last else len(rows)
    _add_rows(table, rows[:split], size=size, text_columns=text_columns)
    _fixed_grid(table, widths)
    if not keep_last:
        return table
    closing = table.add_row()
    _row_flags(closing, header=False)
    cell = closing.cells[0].merge(closing.cells[-1])
    properties = cell._tc.get_or_add_tcPr()
    margins = OxmlElement("w:tcMar")
    for side in ("top", "left", "bottom", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    borders = OxmlElement("w:tcBorders")
    for side in ("left", "bottom", "right"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "nil")
        borders.append(border)
    properties.append(borders)
    for paragraph_element in list(cell.paragraphs):
        paragraph_element._p.getparent().remove(paragraph_element._p)
    if rows[split:]:
        nested = cell.add_table(rows=0, cols=len(header))
        nested.style = "Table Grid"
        _no_top_border(nested)
        _add_rows(nested, rows[split:], size=size, text_columns=text_columns)
        _fixed_grid(nested, widths)
    return table, cell


def _no_top_border(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side, value in (
        ("top", "nil"),
        ("left", "single"),
        ("bottom", "single"),
        ("right", "single"),
        ("insideH", "single"),
        ("insideV", "single"),
    ):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), value)
        if value == "single":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    table._tbl.tblPr.append(borders)


# --- the page, the heading and the signature -------------------------------------------------


def new_document(*, demo: bool = False, title: str = "") -> Any:
    """Return an empty A4 document with the decree's margins, fonts and page numbers."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = TOP_MARGIN
    section.bottom_margin = BOTTOM_MARGIN
    section.left_margin = LEFT_MARGIN
    section.right_margin = RIGHT_MARGIN
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header, BODY_SIZE)
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if demo:
        run(first, DEMO_MARK, size=Pt(10), bold=True)
        run(header, f"   ({DEMO_MARK})", size=Pt(10), bold=True)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr())
    if title:
        document.core_properties.title = xml_text(title)
    if demo:
        document.core_properties.keywords = DEMO_MARK
    return document


def _two_columns(document: Any, left_width: Length, right_width: Length) -> tuple[_Cell, _Cell]:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_grid(table, (left_width, right_width))
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return left, right


def heading(document: Any, heading: Heading, year: int) -> None:
    """Add the administrative heading of `heading.style` (see the module doc)."""
    left, right = _two_columns(document, HEADING_LEFT, HEADING_RIGHT)
    if heading.style == PARTY:
        if heading.superior:
            paragraph(left, heading.superior.upper(), size=Pt(14))
        paragraph(left, heading.issuer.upper(), size=Pt(14), bold=True)
        paragraph(left, "*", size=Pt(14))
        paragraph(left, heading.number, size=Pt(14))
        paragraph(right, PARTY_TITLE, size=Pt(15), bold=True)
        _rule(right, HEADING_RIGHT, Mm(text_width_mm(PARTY_TITLE, Pt(15), bold=True) * RULE_SHARE))
        paragraph(right, "", size=Pt(6))
        paragraph(right, date_line(heading.place, heading.dated, year), size=Pt(14), italic=True)
        return
    if heading.superior:
        paragraph(left, heading.superior.upper(), size=Pt(13))
    paragraph(left, heading.issuer.upper(), size=Pt(13), bold=True)
    _rule(left, HEADING_LEFT, Mm(20))
    if heading.number:
        paragraph(left, "", size=Pt(6))
        paragraph(left, heading.number, size=Pt(13))
    paragraph(right, NATIONAL_TITLE, size=Pt(13), bold=True)
    paragraph(right, MOTTO, size=Pt(14), bold=True)
    # The rule under the motto is as long as the motto (Decree 30/2020, Appendix I).
    _rule(right, HEADING_RIGHT, Mm(text_width_mm(MOTTO, Pt(14), bold=True) * RULE_SHARE))
    paragraph(right, "", size=Pt(6))
    paragraph(right, date_line(heading.place, heading.dated, year), size=Pt(14), italic=True)


def title(document: Any, kind: str, subject: str, *, party: bool = False) -> None:
    """Add the document's name ("BÁO CÁO") and its subject, full width, with a short rule."""
    paragraph(document, "", size=Pt(12))
    paragraph(document, kind.upper(), size=Pt(15 if party else 14), bold=True, keep_with_next=True)
    paragraph(document, subject, size=Pt(14), bold=True, keep_with_next=True)
    if party:
        paragraph(document, "-----", size=Pt(14))
    else:
        _rule(document, TEXT_WIDTH, Mm(35))
    paragraph(document, "", size=Pt(6))


def signature(document: Any, heading: Heading) -> None:
    """Add "Nơi nhận:" on the left and "TM. …" / title / space / name on the right.

    The block is one table row that cannot split, and the paragraph before it keeps with it,
    so the signature never stands alone at the top of a page.
    """
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    paragraph(document, "", size=Pt(6), keep_with_next=True)
    left, right = _two_columns(document, Mm(75), Mm(90))
    _row_flags(document.tables[-1].rows[0], header=False)
    if heading.recipients:
        first = paragraph(left, "", align=WD_ALIGN_PARAGRAPH.LEFT)
        run(first, "Nơi nhận:", size=Pt(12), bold=True, italic=True)
        for recipient in heading.recipients:
            paragraph(left, f"- {recipient}", size=Pt(11), align=WD_ALIGN_PARAGRAPH.LEFT)
    else:
        paragraph(left, "")
    if heading.on_behalf:
        prefix = "T/M" if heading.style == PARTY else "TM."
        paragraph(right, f"{prefix} {heading.on_behalf.upper()}", size=Pt(14), bold=True)
    paragraph(right, heading.signer_title.upper(), size=Pt(14), bold=True)
    for _ in range(4):
        paragraph(right, "", size=Pt(14))
    paragraph(right, heading.signer_name or "", size=Pt(14), bold=True)


def signature_columns(
    container: Any, columns: Sequence[tuple[str, str]], *, total: Length = TEXT_WIDTH
) -> None:
    """Add side-by-side signature blocks (title in bold, then a note) with room to sign."""
    table = container.add_table(rows=2, cols=len(columns))
    _no_borders(table)
    width = total.mm / len(columns)
    _fixed_grid(table, [Mm(width)] * len(columns))
    for row in table.rows:
        _row_flags(row, header=False)
    for cell, (label, _note) in zip(table.rows[0].cells, columns, strict=True):
        _cell_text(cell, label, size=Pt(13), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    for cell, (_label, note) in zip(table.rows[1].cells, columns, strict=True):
        _cell_text(cell, note, size=Pt(12), align=WD_ALIGN_PARAGRAPH.CENTER)
        for _ in range(4):
            paragraph(cell, "", size=Pt(13))


def page_break(document: Any) -> None:
    """Start a new page."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def saved(document: Any) -> bytes:
    """Return the document's bytes."""
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
