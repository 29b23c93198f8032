"""`ketnghia import-odk`: import the CSV export of the census form's ODK/KoBoToolbox submissions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.census.importing import ConfirmationNeeded
from ketnghia.census.importing.preview import preview_lines
from ketnghia.census.management.commands._census_round import (
    commune_by_code,
    round_for,
    round_to_import_into,
)
from ketnghia.census.models import Status
from ketnghia.census.odk import OdkImportReport, odk_import
from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError


class Command(BaseCommand):
    help = gettext_lazy(
        "Import the CSV export of the census form's submissions (ODK Central or "
        "KoBoToolbox) into a commune's census round: the same checks as a census file, "
        "all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument(
            "--commune", required=True, metavar="CODE", help=gettext_lazy("Commune code.")
        )
        parser.add_argument("--year", required=True, type=int, help=gettext_lazy("Census year."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check the file and report what would change, writing nothing."),
        )
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy(
                "Standard of the round when it does not exist yet (default: the year's)."
            ),
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help=gettext_lazy(
                "Import even though the export changes a large share of the round's entries or "
                "brings back an earlier round's values (see the change preview of --dry-run)."
            ),
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=gettext_lazy("User recorded as having made the import."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            actor = self.user_named(options["actor"])
            commune = commune_by_code(options["commune"])
            census_round = round_for(commune, options["year"], options["standard"])
            with transaction.atomic():
                census_round = round_to_import_into(
                    census_round, dry_run=options["dry_run"], actor=actor
                )
                report = odk_import(
                    census_round=census_round,
                    path=path,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    actor=actor,
                    confirm=options["confirm"],
                )
        except ConfirmationNeeded as error:
            for line in preview_lines(error.report):
                self.stdout.write(line)
            raise self.refuse_unconfirmed(error) from None
        except KetnghiaError as error:
            raise self.refuse(error) from None
        self._write(report)

    def _write(self, report: OdkImportReport) -> None:
        census = report.census
        prefix = _("Dry run, nothing written. ") if census.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s: %(submissions)s submissions, %(rejected)s rejected by a reviewer and "
                "left out; round %(round)s (%(standard)s): entries created %(created)s, updated "
                "%(updated)s, unchanged %(unchanged)s; households created %(households)s."
            )
            % {
                "file": census.file,
                "submissions": report.submissions,
                "rejected": report.rejected,
                "round": census.round,
                "standard": census.standard,
                "created": census.created,
                "updated": census.updated,
                "unchanged": census.unchanged,
                "households": census.households_created,
            }
        )
        counts = ", ".join(
            f"{label}: {census.by_status.get(value, 0)}" for value, label in Status.choices
        )
        self.stdout.write(_("By status: %(counts)s.") % {"counts": counts})
        for line in preview_lines(census):
            self.stdout.write(line)
        if census.absent:
            self.stdout.write(
                _(
                    "%(count)s household(s) of the round are not in the file; they were kept "
                    "as they were."
                )
                % {"count": census.absent}
            )
