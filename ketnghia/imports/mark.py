"""What a file says it was made for: the scope and year in a template's document properties.

Every template an import hands out is marked with custom document properties
(`ketnghia.commune`, `ketnghia.year`, `ketnghia.team`, `ketnghia.cycle`; `mark_workbook`), read back here
straight from `docProps/custom.xml` without opening a sheet (`file_mark`). A CSV template
carries the commune and year in its title line ("… NĂM 2024 … (mã 23500)"), read from the
lines above the header. `check_mark` refuses a file marked for another commune or year,
naming both. A file made by hand has an empty mark.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.imports.readers import CSV_SUFFIXES, Table, csv_records

PROPERTY_COMMUNE = "ketnghia.commune"
PROPERTY_YEAR = "ketnghia.year"
PROPERTY_TEAM = "ketnghia.team"
# A support delivery cycle (the delivery import's template is one cycle's).
PROPERTY_CYCLE = "ketnghia.cycle"
# The custom properties part of a workbook is a few hundred bytes; a larger one is not ours.
_MAX_PROPERTIES_BYTES = 64 * 1024
_TITLE_YEAR = re.compile(r"\bNĂM\s+(\d{4})\b", re.IGNORECASE)
_TITLE_COMMUNE = re.compile(r"\(mã\s+(\d{5})\)", re.IGNORECASE)


@dataclass(frozen=True)
class Mark:
    """The commune code, year, work team and delivery cycle a file says it was made for (each
    may be empty)."""

    commune: str = ""
    year: int | None = None
    team: str = ""
    cycle: str = ""

    @property
    def present(self) -> bool:
        return bool(self.commune or self.year or self.team or self.cycle)


def custom_properties(path: Path) -> dict[str, str]:
    """Return a workbook's custom document properties by name ({} when it has none)."""
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


def mark_workbook(
    workbook: Any,
    *,
    commune: str = "",
    year: int | None = None,
    team: str = "",
    cycle: str = "",
) -> None:
    """Mark an openpyxl workbook with the scope and year it is made for."""
    from openpyxl.packaging.custom import StringProperty

    for name, value in (
        (PROPERTY_COMMUNE, commune),
        (PROPERTY_YEAR, str(year) if year else ""),
        (PROPERTY_TEAM, team),
        (PROPERTY_CYCLE, cycle),
    ):
        if value:
            workbook.custom_doc_props.append(StringProperty(name=name, value=value))


def title_mark(lines: list[str]) -> Mark:
    """Return the mark a title line gives ("… NĂM 2024 … (mã 23500)")."""
    text = " ".join(lines)
    commune = _TITLE_COMMUNE.search(text)
    year = _TITLE_YEAR.search(text)
    return Mark(commune.group(1) if commune else "", int(year.group(1)) if year else None)


def file_mark(path: Path, table: Table | None = None) -> Mark:
    """Return the mark of a file: the workbook's properties, or the CSV's title lines.

    Without `table` a CSV file has no mark (its title is not read).
    """
    if path.suffix.lower() in CSV_SUFFIXES:
        if table is None:
            return Mark()
        header = table.layouts[0].header_row
        lines: list[str] = []
        for number, values in csv_records(path, table.name, table.encoding, table.delimiter):
            if number >= header:
                break
            lines.extend(str(value) for value in values if value)
        return title_mark(lines)
    properties = custom_properties(path)
    year = properties.get(PROPERTY_YEAR, "")
    return Mark(
        commune=properties.get(PROPERTY_COMMUNE, ""),
        year=int(year) if year.isdigit() else None,
        team=properties.get(PROPERTY_TEAM, ""),
        cycle=properties.get(PROPERTY_CYCLE, ""),
    )


def check_mark(
    mark: Mark,
    *,
    commune_code: str,
    commune_name: str,
    year: int | None,
    file_name: str,
    commune_named: Callable[[str], str | None],
) -> None:
    """Refuse a file marked for another commune or another year, naming both.

    `commune_named(code)` names the marked commune (None when it is unknown or hidden).
    """
    problems = []
    if mark.commune and mark.commune != commune_code:
        problems.append(
            Problem(
                _(
                    "This file was made for %(other)s (code %(other_code)s), not for "
                    "%(commune)s (code %(code)s): download this commune's template."
                )
                % {
                    "other": commune_named(mark.commune) or _("another commune"),
                    "other_code": mark.commune,
                    "commune": commune_name,
                    "code": commune_code,
                },
                Location(file=file_name),
            )
        )
    if year and mark.year and mark.year != year:
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
