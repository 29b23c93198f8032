"""Shared import machinery: table readers and cell parsers every two-phase import uses.

Not a Django app: it holds no models, only the code that turns a CSV or XLSX file into rows
with their spreadsheet location, so every import reports problems the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package is imported before Django is set up (the import worker)
    from ketnghia.core.errors import Problem


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do): row and record counts."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    # What the reader noticed and did not import, located (a value outside the table's
    # columns): shown with the preview and after the import; they block nothing.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)
