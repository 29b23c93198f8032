"""Which commune and year a census file was made for, and the check that it is this round's.

Household codes ("01-001") repeat in every commune, so a file must say whose it is. The
template carries its commune code and year twice: as custom document properties of the
workbook (`ketnghia.commune`, `ketnghia.year`, read here straight from `docProps/custom.xml`
without opening the sheets) and in its title ("… NĂM 2024", "(mã 23500)"), which is also the
first line of the CSV template. A file marked for another commune or year is refused naming
both. A file without a mark (made by hand) is compared with the registry instead: when most
of the household codes it shares with the commune have another head of household, it is
probably another commune's list and is refused (`check_overlap`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.imports.readers import CSV_SUFFIXES, Table, csv_records
from ketnghia.imports.staging import StagingTable

PROPERTY_COMMUNE = "ketnghia.commune"
PROPERTY_YEAR = "ketnghia.year"
# The custom properties part of a workbook is a few hundred bytes; a larger one is not ours.
_MAX_PROPERTIES_BYTES = 64 * 1024
_TITLE_YEAR = re.compile(r"\bNĂM\s+(\d{4})\b", re.IGNORECASE)
_TITLE_COMMUNE = re.compile(r"\(mã\s+(\d{5})\)", re.IGNORECASE)
# The overlap check: at least this many shared codes, and more than this share of them
# with another head (names compared without diacritics, case or spacing).
OVERLAP_MIN_MATCHED = 5
OVERLAP_MAX_OTHER_HEADS = 0.5
# Matched codes compared in Python (the first of the file): enough for a share.
OVERLAP_SAMPLE = 2000


@dataclass(frozen=True)
class Mark:
    """The commune code and year a file says it was made for (either may be unknown)."""

    commune: str = ""
    year: int | None = None

    @property
    def present(self) -> bool:
        return bool(self.commune or self.year)


def title_text(commune: Unit, year: int) -> str:
    """Return the title line that names the file's commune and year (read back by `_title_mark`)."""
    return f"DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM {year} — {commune.name} (mã {commune.code})"


def _custom_properties(path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo("docProps/custom.xml")
            except KeyError:
                return {}
            if info.file_size > _MAX_PROPERTIES_BYTES:
                return {}
            root = ElementTree.fromstring(archive.read(info))
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return {}
    found = {}
    for prop in root:
        name = prop.get("name")
        if name and len(prop):
            found[name] = (prop[0].text or "").strip()
    return found


def _title_mark(lines: list[str]) -> Mark:
    text = " ".join(lines)
    commune = _TITLE_COMMUNE.search(text)
    year = _TITLE_YEAR.search(text)
    return Mark(commune.group(1) if commune else "", int(year.group(1)) if year else None)


def file_mark(path: Path, table: Table) -> Mark:
    """Return the mark of a file: the workbook's properties, or the CSV's title lines."""
    if path.suffix.lower() in CSV_SUFFIXES:
        header = table.layouts[0].header_row
        lines: list[str] = []
        for number, values in csv_records(path, table.name, table.encoding, table.delimiter):
            if number >= header:
                break
            lines.extend(str(value) for value in values if value)
        return _title_mark(lines)
    properties = _custom_properties(path)
    year = properties.get(PROPERTY_YEAR, "")
    return Mark(properties.get(PROPERTY_COMMUNE, ""), int(year) if year.isdigit() else None)


def check_mark(mark: Mark, *, commune: Unit, year: int, file_name: str) -> None:
    """Refuse a file marked for another commune or another year, naming both."""
    problems = []
    if mark.commune and mark.commune != commune.code:
        other = (
            Unit.objects.filter(code=mark.commune, level=UnitLevel.COMMUNE)
            .values_list("name", flat=True)
            .first()
        )
        problems.append(
            Problem(
                _(
                    "This file was made for %(other)s (code %(other_code)s), not for "
                    "%(commune)s (code %(code)s): download this commune's template."
                )
                % {
                    "other": other or _("another commune"),
                    "other_code": mark.commune,
                    "commune": commune.name,
                    "code": commune.code,
                },
                Location(file=file_name),
            )
        )
    if mark.year and mark.year != year:
        problems.append(
            Problem(
                _(
                    "This file was made for the census of %(other)s, not of %(year)s: download "
                    "this round's template."
                )
                % {"other": mark.year, "year": year},
                Location(file=file_name),
            )
        )
    if problems:
        raise InvalidInput(problems)


def check_overlap(stage: StagingTable, *, commune: Unit, file_name: str) -> None:
    """Refuse an unmarked file whose shared household codes mostly have other heads."""
    households = connection.ops.quote_name(Household._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.head_name, h.head_name FROM {stage.quoted} s
            JOIN {households} h ON h.commune_id = %s AND h.code = s.code
            WHERE s.head_name IS NOT NULL
            ORDER BY s.line LIMIT {OVERLAP_SAMPLE}
            """,
            [commune.pk],
        )
        pairs = cursor.fetchall()
    if len(pairs) < OVERLAP_MIN_MATCHED:
        return
    other = sum(1 for staged, known in pairs if _name_key(staged) != _name_key(known))
    if other / len(pairs) <= OVERLAP_MAX_OTHER_HEADS:
        return
    raise InvalidInput(
        Problem(
            _(
                "This is probably another commune's list: of %(matched)s household codes it "
                "shares with %(commune)s (code %(code)s), %(other)s have another head of "
                "household. Check that the file is this commune's, or use its template."
            )
            % {
                "matched": len(pairs),
                "commune": commune.name,
                "code": commune.code,
                "other": other,
            },
            Location(file=file_name),
        )
    )


def _name_key(name: str) -> str:
    return " ".join(fold(name or "").split())
