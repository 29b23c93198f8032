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
(`imports.mark`), so it cannot be imported into another commune's or year's round. Every text cell
goes through `core.outputs` (a name beginning with "=" stays a name).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from ketnghia.census.importing import columns as cols
from ketnghia.census.importing.members import ETHNICITY, MEMBER_COLUMNS, RELATION, SEX
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.workflow import FROZEN_FROM, ORDER
from ketnghia.core.outputs import csv_row
from ketnghia.core.personal_data import Disclosure, Kind
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.ethnicities import ETHNIC_GROUP_NAMES
from ketnghia.households.models import Household, Member, Relation
from ketnghia.households.validity import SEX_LABELS
from ketnghia.imports.template import AMOUNT_FORMAT, DATE_FORMAT, Col, Sheet, template_workbook
from ketnghia.poverty.domain import Standard
from ketnghia.poverty.selectors import standard_get

DATA_SHEET = "Hộ gia đình"
MEMBERS_SHEET = "Nhân khẩu"
# Rows of the title block above the header.
HEADER_ROW = 4
# Empty rows with drop-down lists below the pre-filled ones, for new households.
SPARE_ROWS = 500
_RELATION_LABELS: dict[str, str] = {
    Relation.HEAD: "chủ hộ",
    Relation.SPOUSE: "vợ/chồng",
    Relation.CHILD: "con",
    Relation.PARENT: "bố/mẹ",
    Relation.GRANDCHILD: "cháu",
    Relation.SIBLING: "anh/chị/em",
    Relation.OTHER: "khác",
}


def title_text(commune: Unit, year: int) -> str:
    """Return the title line that names the file's commune and year (`imports.mark` reads it)."""
    return f"DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM {year} — {commune.name} (mã {commune.code})"


@dataclass(frozen=True)
class _Source:
    """The pre-filled rows (in the template's column order) and where they come from: the
    round itself, an earlier round, the registry."""

    rows: list[list[object]]
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


def _columns(standard: Standard, villages: list[str]) -> list[Col]:
    """Return the households sheet's columns, in order: the household's, then the indicators'."""
    label = {column.key: column.label for column in cols.census_columns(standard)}
    options: dict[str, dict] = {
        cols.VILLAGE: {"choices": villages},
        cols.AREA: {"choices": list(cols.AREA_LABELS.values())},
        cols.MEMBER_COUNT: {
            "whole": (1, cols.MAX_MEMBERS),
            "error": _("A household has between 1 and %(max)s members.")
            % {"max": cols.MAX_MEMBERS},
        },
        cols.SURVEYED_ON: {"format": DATE_FORMAT},
        cols.INCOME: {"format": AMOUNT_FORMAT},
    }
    return [Col(label[key], **options.get(key, {})) for key in cols.TEMPLATE_KEYS] + [
        Col(
            label[cols.indicator_key(indicator.code)],
            width=14,
            choices=("0", "1"),
            inline=True,
            fill="FCE4D6",
            comment=_("Indicator code: %(code)s")
            % {"code": " — ".join(filter(None, (indicator.code, indicator.name.en)))},
        )
        for indicator in standard.indicators
    ]


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
) -> list[list[object]]:
    from_standard = standard_get(source.standard_code)
    # Carry a deprivation only where the source's standard had the same indicator.
    positions = [
        from_standard.indicator_codes.index(code) if code in from_standard.indicator_codes else None
        for code in standard.indicator_codes
    ]
    return [
        [
            entry.household_code,
            entry.head_name,
            villages.get(entry.village_code, ""),
            cols.AREA_LABELS.get(entry.area, ""),
            entry.member_count,
            entry.surveyed_on,
            entry.monthly_income_per_person,
            *(None if at is None else (entry.deprivations >> at) & 1 for at in positions),
        ]
        for entry in CensusEntry.objects.filter(round=source).order_by("household_code").iterator()
    ]


def _prefill(census_round: CensusRound, standard: Standard) -> _Source:
    """Return the households to list: the round's own entries; for an empty round the
    previous round's, else the registry's households."""
    villages = {unit.code: unit.name for unit in _villages(census_round.commune)}
    if census_round.pk is not None and CensusEntry.objects.filter(round=census_round).exists():
        return _Source(_entry_rows(census_round, standard, villages), census_round, own=True)
    previous = _previous_round(census_round)
    if previous is not None:
        return _Source(_entry_rows(previous, standard, villages), previous, own=False)
    households = Household.objects.filter(
        commune_id=census_round.commune_id, left_year__isnull=True
    ).select_related("village")
    rows: list[list[object]] = [
        [h.code, h.head_name, villages.get(h.village.code, "") if h.village else ""]
        + [cols.AREA_LABELS.get(h.area, "")]
        + [None] * (3 + len(standard.indicators))
        for h in households.order_by("code")
    ]
    return _Source(rows, None, own=False)


def census_template(*, census_round: CensusRound, disclosure: Disclosure) -> bytes:
    """Return the .xlsx census template of `census_round`'s commune and year.

    Members' personal IDs go through `disclosure`: whole or masked as the gate decides for
    its user (a masked ID imported back leaves the stored one as it is).
    """
    standard = standard_get(census_round.standard_code)
    commune = census_round.commune
    source = _prefill(census_round, standard)
    households = Sheet(
        DATA_SHEET,
        _columns(standard, [village.name for village in _villages(commune)]),
        source.rows,
        heading=(
            title_text(commune, census_round.year),
            f"{commune.name} (mã {commune.code}) — chuẩn nghèo {standard.code}: {standard.name.vi}",
            source.note(census_round),
        ),
        header_row=HEADER_ROW,
        spare=SPARE_ROWS,
        freeze=2,
    )
    return template_workbook(
        [households, _members(census_round, {row[0] for row in source.rows}, disclosure)],
        instructions=_instructions(census_round, standard, source.note(census_round)),
        mark={"commune": commune.code, "year": census_round.year},
        instructions_first=True,
    )


def _members(census_round: CensusRound, codes: set[object], disclosure: Disclosure) -> Sheet:
    """Return the members sheet: one row per person, the registry's members pre-filled.

    A round of a past year (a revision of 2015 opened today) lists the members the census of
    that year counts: those born by its year, or of unknown birth. The registry keeps no
    dated membership (a member's history records edits, not when they joined or left the
    household), so the members are today's, without those born later; the import leaves
    such persons out in any case and keeps them as they are.
    """
    members = (
        Member.objects.filter(household__commune_id=census_round.commune_id)
        .filter(Q(birth_year__isnull=True) | Q(birth_year__lte=census_round.year))
        .select_related("household")
        .order_by("household__code", "id")
    )
    rows = [
        [
            member.household.code,
            member.full_name,
            SEX_LABELS.get(member.sex, member.sex),
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
        for member in members.iterator()
        if member.household.code in codes
    ]
    choices = {
        SEX: SEX_LABELS.values(),
        ETHNICITY: ETHNIC_GROUP_NAMES.values(),
        RELATION: _RELATION_LABELS.values(),
    }
    columns = [Col(c.label, choices=tuple(choices.get(c.key, ()))) for c in MEMBER_COLUMNS]
    return Sheet(MEMBERS_SHEET, columns, rows, spare=SPARE_ROWS * 4)


def _instructions(census_round: CensusRound, standard: Standard, note: str) -> list[str]:
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
    return lines


def census_template_csv(*, census_round: CensusRound, disclosure: Disclosure) -> bytes:
    """Return the same template as CSV (UTF-8 with BOM, for Excel): a title line naming the
    commune and year, the header and the households; formula-like text guarded.

    It carries no member data today; `disclosure` is where member columns would pass.
    """
    standard = standard_get(census_round.standard_code)
    source = _prefill(census_round, standard)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    title = title_text(census_round.commune, census_round.year)
    writer.writerow(csv_row([f"{title}. {source.note(census_round)}"]))
    writer.writerow(csv_row(column.header for column in _columns(standard, [])))
    for row in source.rows:
        writer.writerow(csv_row(_csv_cell(value) for value in row))
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value
