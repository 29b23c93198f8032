"""The census import, as a package whose modules are the pipeline's steps, in order.

`columns` (the headers officers write, the words of their cells)
→ `checks` (a chunk checked column by column and classified, no ORM) → `plan` (SQL over the
staged file: what would change; an unmarked file that is probably another commune's; the
set-based writes, with their history rows). `preview` puts the plan in words and decides
whether it needs a confirmation, `members` is the same for the workbook's members sheet,
`template` the file the pipeline reads back, and `pipeline` is the spec (`CensusSpec`)
`imports.run` runs in one transaction (opening the file for the round: `census_import_open`).
"""

from ketnghia.census.importing.pipeline import (
    CensusImportReport,
    census_context,
    census_import,
    census_import_error_workbook,
    census_import_open,
)
from ketnghia.imports.confirm import ConfirmationNeeded

__all__ = [
    "CensusImportReport",
    "ConfirmationNeeded",
    "census_context",
    "census_import",
    "census_import_error_workbook",
    "census_import_open",
]
