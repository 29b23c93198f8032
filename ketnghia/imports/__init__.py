"""The import pipeline: every file the system takes in is a spec run by `imports.run`.

Not a Django app's domain: it knows no app. It holds the readers (`readers`), the spec
protocol and its runner (`spec`), the one confirmation rule (`confirm`), the file's mark
(`mark`), the size and digest checks (`files`), the staging table (`staging`), the error
workbook, the memory-capped worker (`worker`) and the one job model every web upload runs
through (`models.ImportJob`, `jobs`). See README.md: how to add an importer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package is imported before Django is set up (the import worker)
    from ketnghia.core.errors import Problem


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do): row and record counts, and whether
    its commit waits for a confirmation (and why)."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    needs_confirmation: bool = False
    confirmation_reasons: list[str] = field(default_factory=list)
    confirmed: bool = False
    # Whether committing the file writes anything (a dry run's preview says so).
    would_change: bool = False
    # What the reader noticed and did not import, located (a value outside the table's
    # columns): shown with the preview and after the import; they block nothing.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
