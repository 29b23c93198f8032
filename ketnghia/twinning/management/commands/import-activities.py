"""`ketnghia import-activities FILE [--team ID]`: import work teams' activity reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import EXIT_INVALID
from ketnghia.core.text import format_number
from ketnghia.imports.commands import ImportCommand
from ketnghia.twinning.activity_import.pipeline import (
    ActivityImportReport,
    activity_import,
    teams_user_may_import_for,
)


class Command(ImportCommand):
    help = gettext_lazy(
        "Import activities of work teams from the CSV export of the visit report form (ODK "
        "Central, KoBoToolbox) or a filled bulk-entry template (.xlsx). Every problem is "
        "listed with its row and column and nothing is written unless the whole file is "
        "right; reports imported before are not imported again."
    )

    file_help = gettext_lazy("The export (.csv) or template (.xlsx).")
    dry_run_help = gettext_lazy("Check the file and print the change preview, writing nothing.")
    confirm_help = gettext_lazy(
        "Import even though the file creates many activities or touches several "
        "communes (see the preview of --dry-run)."
    )
    actor_help = gettext_lazy(
        "User recorded as having made the import; their scope applies (default: none, every team)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--team",
            type=int,
            metavar="ID",
            help=gettext_lazy("Work team of the rows that name none (and of the whole file)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        actor = self.user_named(options.get("actor"))
        team = None
        if options["team"] is not None:
            team = teams_user_may_import_for(user=actor).get(options["team"])
            if team is None:
                raise CommandError(
                    _("Work team no. %(id)s not found.") % {"id": options["team"]},
                    returncode=EXIT_INVALID,
                )
        report = self.run_import(
            lambda: activity_import(
                path=path,
                user=actor,
                team=team,
                dry_run=options["dry_run"],
                confirm=options["confirm"],
            ),
            options=options,
        )
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s: %(rows)s report(s); activities created %(created)s, changed by "
                "an edit %(updated)s, already imported %(already)s, rejected by a reviewer "
                "%(rejected)s."
            )
            % {
                "file": report.file,
                "rows": format_number(report.rows),
                "created": format_number(report.created),
                "updated": format_number(report.updated),
                "already": format_number(report.already_imported),
                "rejected": format_number(report.rejected),
            }
        )
        self.preview(report)

    def preview(self, report: ActivityImportReport) -> None:
        for commune in report.communes:
            self.stdout.write(
                _(
                    "%(commune)s (%(code)s): %(new)s new, %(updated)s changed by an edit, "
                    "%(already)s already imported."
                )
                % {
                    "commune": commune.name,
                    "code": commune.code,
                    "new": format_number(commune.new),
                    "updated": format_number(commune.updated),
                    "already": format_number(commune.already),
                }
            )
        for line in report.frozen:
            self.stdout.write(line)
