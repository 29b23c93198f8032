"""`ketnghia import-census FILE --commune CODE --year YEAR`: the census file import."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from ketnghia.census.importing.pipeline import CENSUS
from ketnghia.census.management.commands._census_round import CensusImportCommand


class Command(CensusImportCommand):
    help = gettext_lazy(
        "Import a commune's census of one year from a .xlsx or .csv file (the template of "
        "`ketnghia census-template`, or a file with the same headers). Every problem is "
        "listed with its row and column and nothing is written unless the whole file is "
        "right; importing the same file again changes nothing."
    )
    file_help = gettext_lazy("The census file, .xlsx or .csv.")
    confirm_help = gettext_lazy(
        "Import even though the file changes a large share of the round's entries or "
        "brings back an earlier round's values (see the change preview of --dry-run)."
    )

    spec = CENSUS
    summary = gettext_lazy(
        "%(file)s → %(round)s (%(standard)s): %(rows)s households; entries created "
        "%(created)s, changed %(changed)s, unchanged %(unchanged)s; households created "
        "%(households_created)s, updated %(households_updated)s."
    )
