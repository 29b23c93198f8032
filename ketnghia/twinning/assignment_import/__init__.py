"""The import of the network's assignments from .xlsx/.csv, with the census import's rules.

One module a step, in order: `columns` (the headers and words officers write) → `read`
(cells, no ORM) → `resolve` (references inside the user's scope, the rules of one row) →
`plan` (the rows together against the stored assignments and the program's rules, pure) →
`write` (through the twinning services, one transaction); `pipeline` runs them and gives
the change preview; `template` writes the per-commune .xlsx the import reads back.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AssignmentImportReport", "assignments_import"]


def __getattr__(name: str) -> Any:
    # Lazy, so the worker (`python -m ….worker`) can set Django up before any model loads.
    if name in __all__:
        from ketnghia.twinning.assignment_import import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
