"""Printable lists of a round: the poor and near-poor households of each village.

The list the commune posts publicly and reads at the village meeting (Decision 24/2021/QĐ-TTg):
per village, poor households then near-poor ones, each in Vietnamese alphabetical order of
the head's given name, with signature lines under each village. As .xlsx (every text cell
through `core.outputs`) and .docx. Names, household codes, village and status only: no
personal ID number, birth date or income leaves through these lists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.pagebreak import Break

from ketnghia.census.models import CensusRound, Status
from ketnghia.census.selectors import entry_list_for
from ketnghia.core import docx_layout as layout
from ketnghia.core.collation import name_key
from ketnghia.core.formatting import format_count
from ketnghia.core.gate import UnitScope
from ketnghia.core.outputs import DEMO_MARK, mark_demo_workbook, xlsx_set
from ketnghia.geo.models import Unit, UnitLevel

LISTED_STATUSES = (Status.POOR, Status.NEAR_POOR)


@dataclass(frozen=True)
class ListedHousehold:
    number: int
    household_code: str
    head_name: str
    status: str
    status_label: str


@dataclass
class VillageList:
    code: str
    name: str
    households: list[ListedHousehold] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for h in self.households if h.status == status)


@dataclass
class PostingList:
    census_round: CensusRound
    villages: list[VillageList]

    @property
    def title(self) -> str:
        return _("List of poor and near-poor households, %(year)s") % {
            "year": self.census_round.year
        }


def posting_list(*, scope: UnitScope, census_round: CensusRound) -> PostingList:
    """Return the round's poor and near-poor households per village, in reading order.

    Villages in the commune's order of codes (households without a known village last);
    within one, poor before near-poor, then the head's name in Vietnamese order.
    """
    entries = entry_list_for(scope=scope, census_round=census_round).filter(
        status__in=LISTED_STATUSES
    )
    rows = list(entries.values_list("household_code", "head_name", "village_code", "status"))
    villages = dict(
        Unit.objects.filter(parent_id=census_round.commune_id, level=UnitLevel.VILLAGE)
        .order_by("code")
        .values_list("code", "name")
    )
    labels = dict(Status.choices)
    by_village: dict[str, list[tuple[str, str, str]]] = {}
    for code, name, village, status in rows:
        by_village.setdefault(village or "", []).append((code, name, status))
    order = {status: index for index, status in enumerate(LISTED_STATUSES)}

    def village_order(code: str) -> tuple[int, str]:
        return (0 if code in villages else 1, code)

    result = []
    for village in sorted(by_village, key=village_order):
        listed = sorted(
            by_village[village], key=lambda row: (order[row[2]], name_key(row[1]), row[0])
        )
        result.append(
            VillageList(
                code=village,
                name=villages.get(village) or village or _("Village not given"),
                households=[
                    ListedHousehold(index, code, name, status, str(labels[status]))
                    for index, (code, name, status) in enumerate(listed, start=1)
                ],
            )
        )
    return PostingList(census_round=census_round, villages=result)


def _headers() -> list[str]:
    return [_("No."), _("Household code"), _("Head of household"), _("Status"), _("Notes")]


def _signatures() -> list[str]:
    return [_("Prepared by"), _("Village head"), _("For the commune People's Committee")]


def _summary(village: VillageList) -> str:
    return _("%(village)s: %(poor)s poor and %(near_poor)s near-poor households.") % {
        "village": village.name,
        "poor": format_count(village.count(Status.POOR)),
        "near_poor": format_count(village.count(Status.NEAR_POOR)),
    }


def _place_and_date() -> str:
    today = date.today()
    return _("……, day %(day)s month %(month)s year %(year)s") % {
        "day": "……",
        "month": "……",
        "year": today.year,
    }


def _subtitle(listing: PostingList) -> str:
    """Return where the list is of: "Xã Ngọk Wang – Huyện Đăk Hà" (public: no workflow state)."""
    commune = listing.census_round.commune
    district = commune.parent
    return f"{commune.name} – {district.name}" if district is not None else commune.name


def posting_list_xlsx(listing: PostingList, *, demo: bool = False) -> bytes:
    """Return the list as an .xlsx workbook: one printable block per village, page breaks."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("List")[:31]
    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for letter, width in zip("ABCDE", (6, 14, 34, 22, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    row = 1
    for index, village in enumerate(listing.villages):
        if index:
            sheet.row_breaks.append(Break(id=row - 1))
        xlsx_set(sheet.cell(row, 1), listing.title.upper()).font = Font(bold=True, size=13)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        row += 1
        subtitle = _subtitle(listing)
        xlsx_set(sheet.cell(row, 1), f"{subtitle} ({DEMO_MARK})" if demo else subtitle)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        row += 1
        xlsx_set(sheet.cell(row, 1), _("Village: %(village)s") % {"village": village.name})
        sheet.cell(row, 1).font = bold
        row += 1
        for column, header in enumerate(_headers(), start=1):
            cell = xlsx_set(sheet.cell(row, column), header)
            cell.font, cell.border = bold, box
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        row += 1
        for household in village.households:
            values = [household.number, household.household_code, household.head_name]
            values += [household.status_label, ""]
            for column, value in enumerate(values, start=1):
                xlsx_set(sheet.cell(row, column), value).border = box
            row += 1
        xlsx_set(sheet.cell(row, 1), _summary(village))
        row += 2
        xlsx_set(sheet.cell(row, 4), _place_and_date())
        row += 1
        for column, label in zip((1, 3, 4), _signatures(), strict=True):
            xlsx_set(sheet.cell(row, column), label).font = bold
        row += 1
        for column in (1, 3, 4):
            xlsx_set(sheet.cell(row, column), _("(sign, full name)"))
        row += 5
    if not listing.villages:
        xlsx_set(sheet.cell(1, 1), listing.title.upper()).font = Font(bold=True, size=13)
        xlsx_set(sheet.cell(2, 1), _subtitle(listing))
        xlsx_set(sheet.cell(3, 1), _("The round has no poor or near-poor household."))
    sheet.print_options.horizontalCentered = True
    if demo:
        mark_demo_workbook(workbook)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _place(commune: Unit) -> str:
    """Return the place of the date line: "Xã Đắk HRing" → "Đắk HRing"."""
    for prefix in ("Xã ", "Phường ", "Thị trấn "):
        if commune.name.startswith(prefix):
            return commune.name[len(prefix) :]
    return commune.name


def _list_heading(listing: PostingList) -> layout.Heading:
    commune = listing.census_round.commune
    district = commune.parent
    return layout.Heading(
        superior=f"UBND {district.name}" if district is not None else "",
        issuer=f"UBND {commune.name}",
        number="",
        place=_place(commune),
        recipients=(),
    )


def posting_list_docx(listing: PostingList, *, demo: bool = False) -> bytes:
    """Return the list as a .docx document in the commune's administrative layout.

    A4 with the decree's margins and Times New Roman; for each village a page (or more)
    headed "UBND HUYỆN … / UBND XÃ …" beside the national title, the list's public title, the
    table with its header row repeated on every page, the totals, the place and date line
    filled from the commune, and the signature lines kept on the page of the list's end.
    """
    document = layout.new_document(demo=demo, title=listing.title)
    heading = _list_heading(listing)
    year = listing.census_round.year
    villages = listing.villages or [None]
    for index, village in enumerate(villages):
        if index:
            layout.page_break(document)
        layout.heading(document, heading, year)
        layout.paragraph(document, "", size=Pt(10))
        layout.paragraph(document, listing.title.upper(), bold=True, keep_with_next=True)
        if village is None:
            layout.paragraph(document, _("The round has no poor or near-poor household."))
            continue
        village_line = _("Village: %(village)s") % {"village": village.name}
        layout.paragraph(
            document, f"{village_line} – {_subtitle(listing)}", italic=True, after=Pt(6)
        )
        if demo:
            layout.paragraph(document, f"{layout.DEMO_MARK}: số liệu giả lập", bold=True)
        rows = [
            [
                str(household.number),
                household.household_code,
                household.head_name,
                household.status_label,
                "",
            ]
            for household in village.households
        ]
        # The last rows, the totals, the date and the signatures form one block that never
        # splits: the signatures stay on the page where the list ends.
        _table, ending = layout.grid_table(
            document, _headers(), rows, flexible=2, size=Pt(13), left_columns=(4,), keep_last=2
        )
        summary = layout.paragraph(
            ending,
            _summary(village),
            size=Pt(13),
            align=WD_ALIGN_PARAGRAPH.LEFT,
            keep_with_next=True,
        )
        summary.paragraph_format.space_before = Pt(6)
        layout.paragraph(
            ending,
            layout.date_line(heading.place, None, year),
            size=Pt(13),
            italic=True,
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            keep_with_next=True,
        )
        layout.signature_columns(
            ending,
            [(label, _("(sign, full name)")) for label in _signatures()],
        )
    return layout.saved(document)
