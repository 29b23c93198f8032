"""The assignments import as a spec of the import pipeline, for the one job model and page.

Its steps (`read` → `resolve` → `plan` → `write`) still run as `pipeline.assignments_import`
does them (two files, people and assignments, resolved together); the spec is what lets an
upload be an `ImportJob` run in the memory-capped worker like every other: `execute` runs
the import for the job's user inside what they may edit and only on the job's commune,
`open` gives the table the error workbook marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports import ImportReport
from ketnghia.imports.readers import Table
from ketnghia.imports.spec import ImportSpec, Progress, register
from ketnghia.twinning.assignment_import.pipeline import assignments_import
from ketnghia.twinning.assignment_import.read import open_tables


class AssignmentSpec(ImportSpec[Any, Any, Any, Any]):
    """The network's assignments (and people) of one commune. Scope: `commune` (its code)."""

    name = "twinning.assignments"

    def execute(
        self,
        path: Path,
        *,
        actor: Actor,
        scope: Mapping[str, Any],
        file_name: str,
        dry_run: bool,
        confirm: bool,
        progress: Progress | None = None,
        companion: tuple[Path, str] | None = None,
    ) -> ImportReport:
        commune = Unit.objects.filter(
            code=scope.get("commune") or "", level=UnitLevel.COMMUNE
        ).first()
        if commune is None:
            raise InvalidInput(Problem(_("Upload not found."), Location(file=file_name)))
        return assignments_import(
            path=path,
            file_name=file_name,
            people_path=companion[0] if companion else None,
            people_file_name=companion[1] if companion else None,
            scope=scope_for(actor, Action.EDIT) if actor is not None else EVERYTHING,
            commune=commune,
            actor=actor,
            dry_run=dry_run,
            confirm=confirm,
        )

    def open(self, path: Path, *, file_name: str) -> Table:
        """The file's assignments table, else its people table (the error workbook's)."""
        assignments, people = open_tables(path, file_name)
        return assignments or people  # type: ignore[return-value]  # one is found, or refused


ASSIGNMENTS = register(AssignmentSpec())
