"""The read step of the census import: refuse what cannot be read before reading it.

A file is checked for size (`KETNGHIA_IMPORT_MAX_BYTES`) and the round for being open
before any row is read; then the households table is opened (header found, columns matched)
with the members sheet set aside for `members`.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from ketnghia.census import workflow
from ketnghia.census.importing import members as import_members
from ketnghia.census.importing.columns import census_columns
from ketnghia.census.models import CensusRound
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.imports.files import check_size, file_sha256
from ketnghia.imports.readers import Table, open_table, workbook_sheets
from ketnghia.poverty.selectors import standard_get

# One size limit and one digest for every import (`imports.files`).
census_import_check_size = check_size


def _refuse(message: str, file: str = "") -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=file)))


def _check_file(path: Path, name: str) -> None:
    if not path.is_file():
        raise _refuse(_("File not found."), name)
    check_size(size=path.stat().st_size, file_name=name)


def census_import_open(*, census_round: CensusRound, path: str | Path, file_name: str) -> Table:
    """Open a census file for `census_round`, refusing what cannot be imported into it.

    Refused before any row is read: a missing or too large file, an approved round, an
    unknown standard, a file that is not a readable .csv or .xlsx, missing columns.
    """
    path = Path(path)
    _check_file(path, file_name)
    if census_round.pk is not None and workflow.is_frozen(census_round.state):
        raise _refuse(
            _("Round %(round)s is approved and can no longer change; start a revision instead.")
            % {"round": census_round},
            file_name,
        )
    standard = standard_get(census_round.standard_code)
    members = import_members.members_sheet(workbook_sheets(path, name=file_name))
    return open_table(
        path,
        census_columns(standard),
        name=file_name,
        skip_sheets=[members] if members else [],
    )


__all__ = ["census_import_check_size", "census_import_open", "file_sha256"]
