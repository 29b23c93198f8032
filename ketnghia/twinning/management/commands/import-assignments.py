"""`ketnghia import-assignments FILE [--dry-run] [--confirm]`: the network's assignments import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.twinning.assignment_import import (
    AssignmentImportReport,
    assignments_error_workbook,
    assignments_import,
)
from ketnghia.twinning.assignment_import.preview import preview_lines


class Command(BaseCommand):
    help = gettext_lazy(
        "Import the twinning network's assignments (twinning units, district offices, "
        "committee members, Party members) and, from a people sheet, the people they name, "
        "from a .xlsx or .csv file. Every problem is listed with its row and column and "
        "nothing is written unless the whole file is right; importing it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("The assignments file, .xlsx or .csv."))
        parser.add_argument(
            "--people",
            metavar="FILE",
            help=gettext_lazy("A people file (.csv or .xlsx) beside the assignments file."),
        )
        parser.add_argument(
            "--commune",
            metavar="CODE",
            help=gettext_lazy(
                "The only commune the file may touch (default: the one the file names)."
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
                "Import even though the file closes stored assignments or changes a large share "
                "of them (see the change preview of --dry-run)."
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
            help=gettext_lazy(
                "User recorded as having made the import; the file may touch only what they "
                "may edit (default: none, everything)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            actor = self.user_named(options.get("actor"))
            scope = EVERYTHING if actor is None else scope_for(actor, Action.EDIT)
            commune = self._commune(options.get("commune"), scope)
            report = assignments_import(
                path=path,
                people_path=options.get("people"),
                scope=scope,
                commune=commune,
                actor=actor,
                dry_run=options["dry_run"],
                confirm=options["confirm"],
            )
        except ConfirmationNeeded as error:
            self._preview(error.report)
            raise self.refuse_unconfirmed(error) from None
        except KetnghiaError as error:
            refused = self.refuse(error)
            if options["errors_out"] and path.is_file():
                Path(options["errors_out"]).write_bytes(
                    assignments_error_workbook(
                        path=path, file_name=path.name, problems=error.problems
                    )
                )
                self.stderr.write(
                    _("The problems are listed in %(file)s.") % {"file": options["errors_out"]}
                )
            raise refused from None
        self._preview(report)

    def _preview(self, report: AssignmentImportReport) -> None:
        for line in preview_lines(report):
            self.stdout.write(line)

    def _commune(self, code: str | None, scope: Any) -> Unit | None:
        if not code:
            return None
        code = code.strip()
        commune = Unit.objects.filter(
            code__in={code, code.zfill(5)}, level=UnitLevel.COMMUNE
        ).first()
        if commune is None or not scope.contains_path(commune.path):
            raise InvalidInput(
                Problem(
                    _("Unknown commune code “%(code)s”.") % {"code": code},
                    Location(field="commune"),
                )
            )
        return commune
