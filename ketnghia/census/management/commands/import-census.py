"""`ketnghia import-census FILE --commune CODE --year YEAR`: the census file import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.census.importing import census_import, census_import_error_workbook
from ketnghia.census.importing.pipeline import CensusImportReport
from ketnghia.census.importing.preview import preview_lines
from ketnghia.census.management.commands._census_round import (
    commune_by_code,
    round_for,
    round_to_import_into,
)
from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.personal_data import disclosure_open
from ketnghia.core.text import format_number
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.poverty.rules import Status

# Exit code for a file the import refused (problems listed on stderr), as the issue asks.


class Command(BaseCommand):
    help = gettext_lazy(
        "Import a commune's census of one year from a .xlsx or .csv file (the template of "
        "`ketnghia census-template`, or a file with the same headers). Every problem is "
        "listed with its row and column and nothing is written unless the whole file is "
        "right; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("The census file, .xlsx or .csv."))
        parser.add_argument("--commune", required=True, metavar="CODE")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy(
                "Poverty standard of a new round (default: the one in force that year)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check the file and report what would change, writing nothing."),
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help=gettext_lazy(
                "Import even though the file changes a large share of the round's entries or "
                "brings back an earlier round's values (see the change preview of --dry-run)."
            ),
        )
        parser.add_argument(
            "--errors-out",
            metavar="FILE.xlsx",
            help=gettext_lazy("Write the problems and the faulty rows to this workbook."),
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=gettext_lazy("User recorded as having made the import (default: none)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        census_round = None
        try:
            actor = self.user_named(options.get("actor"))
            commune = commune_by_code(options["commune"])
            census_round = round_for(commune, options["year"], options["standard"])
            with transaction.atomic():
                census_round = round_to_import_into(
                    census_round, dry_run=options["dry_run"], actor=actor
                )
                report = census_import(
                    census_round=census_round,
                    path=path,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    actor=actor,
                    confirm=options["confirm"],
                )
        except ConfirmationNeeded as error:
            self._preview(error.report)
            raise self.refuse_unconfirmed(error) from None
        except KetnghiaError as error:
            refused = self.refuse(error)
            if options["errors_out"] and census_round is not None:
                with disclosure_open(
                    user=None,
                    output="census.import_errors_cli",
                    unit_path=census_round.unit_path,
                    detail=path.name,
                ) as door:
                    content = census_import_error_workbook(
                        census_round=census_round,
                        path=path,
                        file_name=path.name,
                        problems=error.problems,
                        disclosure=door,
                    )
                Path(options["errors_out"]).write_bytes(content)
                self.stderr.write(
                    _("The problems are listed in %(file)s.") % {"file": options["errors_out"]}
                )
            raise refused from None
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s → %(round)s (%(standard)s): %(rows)s households; entries created "
                "%(created)s, changed %(changed)s, unchanged %(unchanged)s; households created "
                "%(households_created)s, updated %(households_updated)s."
            )
            % {
                "file": report.file,
                "round": report.round,
                "standard": report.standard,
                "rows": report.rows,
                "created": report.created,
                "changed": report.updated,
                "unchanged": report.unchanged,
                "households_created": report.households_created,
                "households_updated": report.households_updated,
            }
        )
        counts = ", ".join(
            f"{Status(status).label}: {format_number(count)}"
            for status, count in report.by_status.items()
        )
        self.stdout.write(_("By status: %(counts)s.") % {"counts": counts})
        self._preview(report)
        if report.skipped_rows:
            self.stdout.write(_("%(count)s total row(s) skipped.") % {"count": report.skipped_rows})
        if report.absent:
            self.stdout.write(
                _(
                    "%(count)s household(s) of the round are not in the file; they were kept "
                    "as they were."
                )
                % {"count": report.absent}
            )

    def _preview(self, report: CensusImportReport) -> None:
        """Write the change preview: per field, returning households, reverted values, sample."""
        for line in preview_lines(report):
            self.stdout.write(line)
