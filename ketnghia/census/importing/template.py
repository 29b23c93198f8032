"""The census file a commune fills in: an .xlsx template (or CSV) generated per round.

The workbook has an instructions sheet, the households sheet (Vietnamese headers, a drop-down
list on every column that has a closed set of values, households pre-filled with the round's
own current entries, or for a round still empty with the commune's previous round, which the
title and the instructions then say), the members sheet (one row per person, the registry's members of
those households born by the round's year pre-filled) and a hidden sheet holding the lists. An indicator column is
headed by the indicator's Vietnamese name; its code is in the header cell's comment. What the
template writes, the import reads back unchanged (a round-trip test holds them together):
an officer who downloads it mid-round and edits three rows changes those three rows only.
The file names its commune and year in its title and in custom document properties
(`mark`), so it cannot be imported into another commune's or year's round. Every text cell
goes through `core.outputs` (a name beginning with "=" stays a name).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ketnghia.census.importing import columns as cols
from ketnghia.census.importing.mark import title_text
from ketnghia.census.importing.members import MEMBER_COLUMNS
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.workflow import FROZEN_FROM, ORDER
from ketnghia.core.outputs import csv_row, xlsx_set
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES
from ketnghia.households.models import Household, Member, Relation, Sex
from ketnghia.imports.mark import mark_workbook
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.selectors import standard_get

DATA_SHEET = "Hộ gia đình"
MEMBERS_SHEET = "Nhân khẩu"
INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
# Rows of the title block above the header.
HEADER_ROW = 4
# Empty rows with drop-down lists below the pre-filled ones, for new households.
SPARE_ROWS = 500

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_INDICATOR_FILL = PatternFill("solid", fgColor="FCE4D6")


@dataclass(frozen=True)
class _Prefill:
    code: str
    head_name: str
    village: str
    area: str
    member_count: int | None
    income: int | None
    flags: tuple[int | None, ...]
    surveyed_on: datetime.date | None = None


@dataclass(frozen=True)
class _Source:
    """Where the pre-filled rows come from: the round itself, an earlier round, the registry."""

    rows: list[_Prefill]
    round: CensusRound | None
    own: bool

    def note(self, census_round: CensusRound) -> str:
        """Return the sentence the title and the instructions give about the rows."""
        if self.own:
            return _("Pre-filled with this round's current entries (%(count)s households).") % {
                "count": len(self.rows)
            }
        if self.round is not None:
            return _(
                "This round has no entries yet: pre-filled with the census of %(year)s "
                "(revision %(revision)s). Update every row to this year's survey."
            ) % {"year": self.round.year, "revision": self.round.revision}
        return _("This round has no entries yet: pre-filled with the registry's households.")


def _columns(standard: Standard) -> list[tuple[str, str, str]]:
    """Return (key, header, comment) of the template's columns, in order."""
    by_key = {column.key: column for column in cols.census_columns(standard)}
    result = [(key, by_key[key].label, "") for key in cols.TEMPLATE_KEYS]
    for indicator in standard.indicators:
        key = cols.indicator_key(indicator.code)
        comment = f"{indicator.code} — {indicator.name.en}" if indicator.name.en else indicator.code
        result.append((key, by_key[key].label, comment))
    return result


def _villages(commune: Unit) -> list[Unit]:
    return list(Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("code"))


def _previous_round(census_round: CensusRound) -> CensusRound | None:
    """Return the round an empty round starts from: an earlier revision of its year, else
    the commune's latest round before its year (approved revision first)."""
    same_year = (
        CensusRound.objects.filter(
            commune_id=census_round.commune_id,
            year=census_round.year,
            revision__lt=census_round.revision,
        )
        .order_by("-revision")
        .first()
    )
    if same_year is not None:
        return same_year
    earlier = CensusRound.objects.filter(
        commune_id=census_round.commune_id, year__lt=census_round.year
    ).order_by("-year", "-revision")
    latest_year = earlier.values_list("year", flat=True).first()
    if latest_year is None:
        return None
    of_year = [r for r in earlier if r.year == latest_year]
    approved = [r for r in of_year if ORDER.index(r.state) >= FROZEN_FROM]
    return (approved or of_year)[0]


def _entry_rows(
    source: CensusRound, standard: Standard, villages: dict[str, str]
) -> list[_Prefill]:
    from_standard = standard_get(source.standard_code)
    # Carry a deprivation only where the source's standard had the same indicator.
    positions = [
        from_standard.indicator_codes.index(code) if code in from_standard.indicator_codes else None
        for code in standard.indicator_codes
    ]
    rows = []
    for entry in CensusEntry.objects.filter(round=source).order_by("household_code").iterator():
        flags = tuple(
            None if position is None else (entry.deprivations >> position) & 1
            for position in positions
        )
        rows.append(
            _Prefill(
                entry.household_code,
                entry.head_name,
                villages.get(entry.village_code, ""),
                entry.area,
                entry.member_count,
                entry.monthly_income_per_person,
                flags,
                entry.surveyed_on,
            )
        )
    return rows


def _prefill(census_round: CensusRound, standard: Standard) -> _Source:
    """Return the households to list: the round's own entries; for an empty round the
    previous round's, else the registry's households."""
    villages = {unit.code: unit.name for unit in _villages(census_round.commune)}
    if census_round.pk is not None and CensusEntry.objects.filter(round=census_round).exists():
        return _Source(_entry_rows(census_round, standard, villages), census_round, own=True)
    previous = _previous_round(census_round)
    if previous is not None:
        return _Source(_entry_rows(previous, standard, villages), previous, own=False)
    rows = [
        _Prefill(
            h.code,
            h.head_name,
            villages.get(h.village.code, "") if h.village else "",
            h.area,
            None,
            None,
            (None,) * len(standard.indicators),
        )
        for h in Household.objects.filter(
            commune_id=census_round.commune_id, left_year__isnull=True
        )
        .select_related("village")
        .order_by("code")
    ]
    return _Source(rows, None, own=False)


def _values(row: _Prefill) -> list[object]:
    return [
        row.code,
        row.head_name,
        row.village,
        cols.AREA_LABELS.get(row.area, ""),
        row.member_count,
        row.surveyed_on,
        row.income,
        *row.flags,
    ]


def census_template(*, census_round: CensusRound, disclosure: Disclosure) -> bytes:
    """Return the .xlsx census template of `census_round`'s commune and year.

    Members' personal IDs go through `disclosure`: whole or masked as the gate decides for
    its user (a masked ID imported back leaves the stored one as it is).
    """
    standard = standard_get(census_round.standard_code)
    commune = census_round.commune
    columns = _columns(standard)
    villages = _villages(commune)
    source = _prefill(census_round, standard)
    prefill = source.rows

    workbook = Workbook()
    mark_workbook(workbook, commune=commune.code, year=census_round.year)
    sheet = workbook.active
    sheet.title = DATA_SHEET
    _instructions(
        workbook.create_sheet(INSTRUCTIONS_SHEET, 0),
        census_round,
        standard,
        source.note(census_round),
    )
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    xlsx_set(lists["A1"], "Thôn, làng")
    for index, village in enumerate(villages, start=2):
        xlsx_set(lists.cell(index, 1), village.name)
    xlsx_set(lists["B1"], "Khu vực")
    for index, label in enumerate(cols.AREA_LABELS.values(), start=2):
        xlsx_set(lists.cell(index, 2), label)
    workbook.active = 1

    xlsx_set(sheet["A1"], title_text(commune, census_round.year))
    sheet["A1"].font = Font(bold=True, size=14)
    xlsx_set(
        sheet["A2"],
        f"{commune.name} (mã {commune.code}) — chuẩn nghèo {standard.code}: {standard.name.vi}",
    )
    xlsx_set(sheet["A3"], source.note(census_round))
    sheet["A3"].font = Font(italic=True)
    for index, (_key, header, comment) in enumerate(columns, start=1):
        cell = xlsx_set(sheet.cell(HEADER_ROW, index), header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.fill = _INDICATOR_FILL if comment else _HEADER_FILL
        if comment:
            cell.comment = Comment(_("Indicator code: %(code)s") % {"code": comment}, "ketnghia")
        sheet.column_dimensions[get_column_letter(index)].width = 14 if comment else 22
    sheet.row_dimensions[HEADER_ROW].height = 60
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    surveyed_letter = get_column_letter([key for key, *_r in columns].index(cols.SURVEYED_ON) + 1)
    for offset, row in enumerate(prefill, start=1):
        for index, value in enumerate(_values(row), start=1):
            xlsx_set(sheet.cell(HEADER_ROW + offset, index), value)
        if row.surveyed_on is not None:
            sheet[f"{surveyed_letter}{HEADER_ROW + offset}"].number_format = "dd/mm/yyyy"

    last = HEADER_ROW + len(prefill) + SPARE_ROWS
    keys = [key for key, _header, _comment in columns]

    def span(key: str) -> str:
        letter = get_column_letter(keys.index(key) + 1)
        return f"{letter}{HEADER_ROW + 1}:{letter}{last}"

    income_letter = get_column_letter(keys.index(cols.INCOME) + 1)
    for row in range(HEADER_ROW + 1, last + 1):
        sheet[f"{income_letter}{row}"].number_format = "#,##0"
    if villages:
        _list_validation(sheet, f"='{LISTS_SHEET}'!$A$2:$A${len(villages) + 1}", span(cols.VILLAGE))
    _list_validation(sheet, f"='{LISTS_SHEET}'!$B$2:$B$3", span(cols.AREA))
    for key in keys:
        if key.startswith(cols.INDICATOR_PREFIX):
            _list_validation(sheet, '"0,1"', span(key))
    whole = DataValidation(type="whole", operator="between", formula1="1", formula2="99")
    whole.error = _("A household has between 1 and %(max)s members.") % {"max": 99}
    whole.add(span(cols.MEMBER_COUNT))
    sheet.add_data_validation(whole)

    _members_sheet(
        workbook.create_sheet(MEMBERS_SHEET, 2),
        lists,
        [row.code for row in prefill],
        census_round,
        disclosure,
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_SEX_LABELS = {Sex.MALE: "nam", Sex.FEMALE: "nữ"}
_RELATION_LABELS = {
    Relation.HEAD: "chủ hộ",
    Relation.SPOUSE: "vợ/chồng",
    Relation.CHILD: "con",
    Relation.PARENT: "bố/mẹ",
    Relation.GRANDCHILD: "cháu",
    Relation.SIBLING: "anh/chị/em",
    Relation.OTHER: "khác",
}


def _members_sheet(
    sheet, lists, codes: list[str], census_round: CensusRound, disclosure: Disclosure
) -> None:
    """Add the members sheet: one row per person, the registry's members pre-filled.

    A round of a past year (a revision of 2015 opened today) lists the members the census of
    that year counts: those born by its year, or of unknown birth. The registry keeps no
    dated membership (a member's history records edits, not when they joined or left the
    household), so the members are today's, without those born later; the import leaves
    such persons out in any case and keeps them as they are.
    """
    header = [column.label for column in MEMBER_COLUMNS]
    for index, label in enumerate(header, start=1):
        cell = xlsx_set(sheet.cell(1, index), label)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 22
    sheet.freeze_panes = "A2"
    wanted = set(codes)
    members = (
        Member.objects.filter(household__commune_id=census_round.commune_id)
        .filter(Q(birth_year__isnull=True) | Q(birth_year__lte=census_round.year))
        .select_related("household")
        .order_by("household__code", "id")
    )
    row = 1
    for member in members.iterator():
        if member.household.code not in wanted:
            continue
        row += 1
        values = [
            member.household.code,
            member.full_name,
            _SEX_LABELS.get(member.sex, member.sex),
            member.birth_year,
            ETHNIC_GROUP_NAMES.get(member.ethnicity, member.ethnicity),
            _RELATION_LABELS.get(member.relation, member.relation),
            disclosure.show(
                member.personal_id,
                kind=Kind.PERSONAL_ID,
                path=member.household.unit_path,
                subject=member.household_id,
            )
            or None,
        ]
        for index, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row, index), value)
    for column, values in (
        ("C", _SEX_LABELS.values()),
        ("D", _RELATION_LABELS.values()),
        ("E", ETHNIC_GROUP_NAMES.values()),
    ):
        xlsx_set(lists[f"{column}1"], {"C": "Giới tính", "D": "Quan hệ", "E": "Dân tộc"}[column])
        for index, value in enumerate(values, start=2):
            xlsx_set(lists[f"{column}{index}"], value)
    last = row + SPARE_ROWS * 4
    for letter, lists_column, count in (("C", "C", 2), ("F", "D", 7), ("E", "E", 54)):
        _list_validation(
            sheet,
            f"='{LISTS_SHEET}'!${lists_column}$2:${lists_column}${count + 1}",
            f"{letter}2:{letter}{last}",
        )


def _list_validation(sheet, formula: str, cells: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = _("Choose a value from the list.")
    validation.errorTitle = _("Value not in the list")
    validation.add(cells)
    sheet.add_data_validation(validation)


def _instructions(sheet, census_round: CensusRound, standard: Standard, note: str) -> None:
    lines = [
        _("Census of %(year)s — %(commune)s (code %(code)s)")
        % {
            "year": census_round.year,
            "commune": census_round.commune.name,
            "code": census_round.commune.code,
        },
        _("Poverty standard: %(code)s — %(name)s")
        % {"code": standard.code, "name": standard.name.vi},
        note,
        _(
            "This file is for this commune and this year only: an import into another "
            "commune's or year's round is refused."
        ),
        "",
        _("Fill one row per household on the sheet “%(sheet)s”; do not change the headers.")
        % {"sheet": DATA_SHEET},
        _("Household code: unique within the commune; keep the codes of last year's households."),
        _(
            "Village: choose from the list. Area: nông thôn (rural) or thành thị (urban); left "
            "blank, the village's area is used."
        ),
        _("Monthly income per person in đồng, e.g. 1.500.000. Survey date as dd/mm/yyyy."),
        _("Deprivation columns: 1 (or x) if the household is deprived on the indicator, 0 if not."),
        _("Rows that only sum up the table (“Tổng cộng”) are skipped."),
        _(
            "Sheet “%(sheet)s”: one row per person. A household listed there gets exactly those "
            "members; households not listed keep theirs."
        )
        % {"sheet": MEMBERS_SHEET},
        _(
            "Upload the file on the round's page, or run: ketnghia import-census FILE --commune "
            "%(code)s --year %(year)s --dry-run"
        )
        % {"code": census_round.commune.code, "year": census_round.year},
    ]
    if standard.indicators:
        lines += ["", _("Indicators of this standard, in order:")]
        lines += [
            f"{index}. {indicator.name.vi} ({indicator.code})"
            for index, indicator in enumerate(standard.indicators, start=1)
        ]
    for index, line in enumerate(lines, start=1):
        xlsx_set(sheet.cell(index, 1), line)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110


def census_template_csv(*, census_round: CensusRound, disclosure: Disclosure) -> bytes:
    """Return the same template as CSV (UTF-8 with BOM, for Excel): a title line naming the
    commune and year, the header and the households; formula-like text guarded.

    It carries no member data today; `disclosure` is where member columns would pass.
    """
    standard = standard_get(census_round.standard_code)
    columns = _columns(standard)
    source = _prefill(census_round, standard)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        csv_row(
            [f"{title_text(census_round.commune, census_round.year)}. {source.note(census_round)}"]
        )
    )
    writer.writerow(csv_row(header for _key, header, _comment in columns))
    for row in source.rows:
        writer.writerow(csv_row(_csv_cell(value) for value in _values(row)))
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value
