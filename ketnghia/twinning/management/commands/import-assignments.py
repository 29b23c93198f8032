"""`ketnghia import-assignments FILE [--dry-run] [--confirm]`: the network's assignments import."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.imports.commands import ImportCommand
from ketnghia.twinning.assignment_import.resolve import commune_by_code
from ketnghia.twinning.assignment_import.spec import (
    ASSIGNMENTS,
    AssignmentImportReport,
    assignments_import,
    preview_lines,
)


class Command(ImportCommand):
    help = gettext_lazy(
        "Import the twinning network's assignments (twinning units, district offices, "
        "committee members, Party members) and, from a people sheet, the people they name, "
        "from a .xlsx or .csv file. Every problem is listed with its row and column and "
        "nothing is written unless the whole file is right; importing it again changes nothing."
    )

    file_help = gettext_lazy("The assignments file, .xlsx or .csv.")
    confirm_help = gettext_lazy(
        "Import even though the file closes stored assignments or changes a large share "
        "of them (see the change preview of --dry-run)."
    )
    actor_help = gettext_lazy(
        "User recorded as having made the import; the file may touch only what they "
        "may edit (default: none, everything)."
    )
    errors_out = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
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

    def handle(self, *args: Any, **options: Any) -> None:
        def call() -> AssignmentImportReport:
            actor = self.user_named(options.get("actor"))
            scope = EVERYTHING if actor is None else scope_for(actor, Action.EDIT)
            code = (options.get("commune") or "").strip()
            commune = commune_by_code(code, scope) if code else None
            if code and commune is None:
                raise InvalidInput(
                    Problem(
                        _("Unknown commune code “%(code)s”.") % {"code": code},
                        Location(field="commune"),
                    )
                )
            return assignments_import(
                path=options["file"],
                people_path=options.get("people"),
                scope=scope,
                commune=commune,
                actor=actor,
                dry_run=options["dry_run"],
                confirm=options["confirm"],
            )

        report = self.run_import(
            call,
            options=options,
            error_workbook=lambda path, problems: ASSIGNMENTS.error_workbook(
                path, file_name=path.name, problems=problems
            ),
        )
        self.preview(report)

    def preview(self, report: AssignmentImportReport) -> None:
        self.stdout.write("\n".join(preview_lines(report)))
