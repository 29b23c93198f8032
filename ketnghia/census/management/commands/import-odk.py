"""`ketnghia import-odk`: import the CSV export of the census form's ODK/KoBoToolbox submissions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from ketnghia.census.management.commands._census_round import CensusImportCommand
from ketnghia.census.odk import ODK


class Command(CensusImportCommand):
    help = gettext_lazy(
        "Import the CSV export of the census form's submissions (ODK Central or "
        "KoBoToolbox) into a commune's census round: the same checks as a census file, "
        "all or nothing."
    )
    file_help = gettext_lazy("The CSV export of the submissions.")
    confirm_help = gettext_lazy(
        "Import even though the export changes a large share of the round's entries or "
        "brings back an earlier round's values (see the change preview of --dry-run)."
    )

    spec = ODK
    summary = gettext_lazy(
        "%(file)s: %(submissions)s submissions, %(rejected)s rejected by a reviewer and "
        "left out; round %(round)s (%(standard)s): entries created %(created)s, updated "
        "%(updated)s, unchanged %(unchanged)s; households created %(households)s."
    )
