"""Printable delivery lists (danh sách cấp phát) per village: .docx in the decree's layout, and
.xlsx. Recipients in Vietnamese name order (given name first, `core.collation.name_key`), the
quantity, a column for the recipient's signature or thumbprint, the signature block.

The head's ID number passes the personal-data door (`support.delivery_list_docx` /
`support.delivery_list_xlsx`): whole for who may see it, masked otherwise, logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from ketnghia.core import docx_layout as layout
from ketnghia.core.collation import name_key
from ketnghia.core.formatting import format_decimal, format_money
from ketnghia.core.outputs import mark_demo_workbook, xlsx_append
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import Unit
from ketnghia.households.models import Member, Relation
from ketnghia.support.models import Cycle, Delivery

SIGN_COLUMN = "Ký nhận / điểm chỉ"


@dataclass(frozen=True)
class ListRow:
    number: int
    name: str
    code: str
    id_shown: str  # the head's ID number as the door showed it (whole or masked)
    quantity: str
    value: str


def list_rows(cycle: Cycle, deliveries: list[Delivery], door: Disclosure) -> list[ListRow]:
    """Return the rows of a village's list, in Vietnamese name order, IDs through the door."""
    heads = {
        m.household_id: m
        for m in Member.objects.filter(
            household_id__in=[d.household_id for d in deliveries if d.household_id],
            relation=Relation.HEAD,
        )
    }
    ordered = sorted(deliveries, key=lambda d: name_key(d.recipient_name))
    rows = []
    for number, delivery in enumerate(ordered, start=1):
        head = heads.get(delivery.household_id) if delivery.household_id else None
        shown = (
            door.show(
                head.personal_id,
                kind=Kind.PERSONAL_ID,
                path=delivery.unit_path,
                subject=delivery.household_id,
            )
            if head is not None
            else ""
        )
        quantity = delivery.delivered_quantity
        if quantity is None:
            quantity = delivery.entitled_quantity
        value = delivery.delivered_value
        if value is None:
            value = delivery.entitled_value
        rows.append(
            ListRow(
                number=number,
                name=delivery.recipient_name,
                code=delivery.snapshot.get("code", "") if delivery.household_id else "",
                id_shown=shown,
                quantity=f"{format_decimal(quantity, 2 if quantity % 1 else 0)} {cycle.package.unit}",
                value=format_money(value),
            )
        )
    return rows


def _headers() -> list[str]:
    return ["TT", "Họ và tên chủ hộ", "Số CCCD", "Số lượng", "Thành tiền", SIGN_COLUMN]


def _place(commune: Unit) -> str:
    for prefix in ("Xã ", "Phường ", "Thị trấn "):
        if commune.name.startswith(prefix):
            return commune.name[len(prefix) :]
    return commune.name


def _title(cycle: Cycle) -> str:
    return f"Danh sách cấp phát {cycle.package.name.lower()}"


def delivery_list_docx(
    cycle: Cycle, village: Unit, rows: list[ListRow], *, demo: bool = False
) -> bytes:
    """Return a village's delivery list as an A4 .docx in the commune's layout."""
    commune = cycle.commune
    district = commune.parent
    heading = layout.Heading(
        superior=f"UBND {district.name}" if district is not None else "",
        issuer=f"UBND {commune.name}",
        number="",
        place=_place(commune),
        recipients=(),
    )
    year = (cycle.delivered_on or cycle.decision_date).year
    document = layout.new_document(demo=demo, title=_title(cycle))
    layout.heading(document, heading, year)
    layout.paragraph(document, "", size=Pt(10))
    layout.paragraph(document, _title(cycle).upper(), bold=True, keep_with_next=True)
    basis = (
        f"Theo {cycle.decision_number} ngày {cycle.decision_date:%d/%m/%Y}"
        if (cycle.decision_number)
        else f"Theo quyết định ngày {cycle.decision_date:%d/%m/%Y}"
    )
    layout.paragraph(
        document,
        f"{village.name} – {commune.name} · {basis}",
        italic=True,
        after=Pt(6),
    )
    if demo:
        layout.paragraph(document, f"{layout.DEMO_MARK}: số liệu giả lập", bold=True)
    table_rows = [[str(r.number), r.name, r.id_shown, r.quantity, r.value, ""] for r in rows]
    if not table_rows:
        table_rows = [["", "", "", "", "", ""]]
    _table, ending = layout.grid_table(
        document,
        _headers(),
        table_rows,
        flexible=5,
        size=Pt(12),
        left_columns=(1,),
        keep_last=min(2, len(table_rows)),
    )
    total = sum(1 for _r in rows)
    summary = layout.paragraph(
        ending,
        f"Tổng số: {total} người nhận.",
        size=Pt(13),
        align=WD_ALIGN_PARAGRAPH.LEFT,
        keep_with_next=True,
    )
    summary.paragraph_format.space_before = Pt(6)
    layout.paragraph(
        ending,
        layout.date_line(heading.place, cycle.delivered_on, year),
        size=Pt(13),
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        keep_with_next=True,
    )
    layout.signature_columns(
        ending,
        [
            ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
            ("TRƯỞNG THÔN", "(Ký, ghi rõ họ tên)"),
            ("TM. UBND XÃ", "(Ký tên, đóng dấu)"),
        ],
    )
    return layout.saved(document)


def delivery_list_xlsx(
    cycle: Cycle, village: Unit, rows: list[ListRow], *, demo: bool = False
) -> bytes:
    """Return a village's delivery list as a workbook (A4 portrait when printed)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    thin = Side(style="thin")
    xlsx_append(sheet, [f"UBND {cycle.commune.name}".upper()])
    xlsx_append(sheet, [_title(cycle).upper()])
    xlsx_append(sheet, [f"{village.name} – {cycle.commune.name}"])
    xlsx_append(sheet, [])
    xlsx_append(sheet, _headers())
    header_row = sheet.max_row
    for row in rows:
        xlsx_append(
            sheet,
            [str(row.number), row.name, row.id_shown, row.quantity, row.value, ""],
        )
    for line in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for index in range(header_row + 1, sheet.max_row + 1):
        sheet.row_dimensions[index].height = 30  # room to sign or press a thumb
    for letter, width in zip("ABCDEF", (5, 28, 16, 12, 14, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    xlsx_append(sheet, [])
    xlsx_append(sheet, ["", "NGƯỜI LẬP BIỂU", "", "TRƯỞNG THÔN", "", "TM. UBND XÃ"])
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = f"{header_row}:{header_row}"
    if demo:
        mark_demo_workbook(book)
    output = BytesIO()
    book.save(output)
    return output.getvalue()
