"""Which work team or commune an activity template was made for (its document properties).

The template names its team (`ketnghia.team`, a team's template) and commune
(`ketnghia.commune`) in custom document properties, read from `docProps/custom.xml` without
opening a sheet, as the census template does (`census.importing.mark`). A CSV or a workbook
made by hand has no mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ketnghia.census.importing.mark import _custom_properties
from ketnghia.imports.readers import XLSX_SUFFIXES

PROPERTY_TEAM = "ketnghia.team"
PROPERTY_COMMUNE = "ketnghia.commune"


@dataclass(frozen=True)
class Mark:
    """The team id and commune code a file says it was made for (either may be empty)."""

    team: str = ""
    commune: str = ""


def file_mark(path: Path) -> Mark:
    """Return the mark of a workbook; an empty mark for a CSV file."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return Mark()
    properties = _custom_properties(path)
    return Mark(
        team=properties.get(PROPERTY_TEAM, ""), commune=properties.get(PROPERTY_COMMUNE, "")
    )
