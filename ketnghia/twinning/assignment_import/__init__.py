"""The import of the network's assignments from .xlsx/.csv, with the census import's rules.

One module a step, in order: `read` (the columns as `Field`s, the words officers write, the
cells; no ORM) → `resolve` (references inside the user's scope, the rules of one row) →
`plan` (the rows together against the stored assignments and the program's rules, pure) →
`write` (set-based, one transaction); `spec` is the importer `imports.run` runs them as,
with the change preview; `template` writes the per-commune .xlsx the import reads back.
"""

from ketnghia.twinning.assignment_import.spec import (
    AssignmentImportReport,
    assignments_import,
)

__all__ = ["AssignmentImportReport", "assignments_import"]
