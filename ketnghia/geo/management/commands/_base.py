"""What the geo loading commands share: actor lookup, problem listing and exit codes (the file
loaders on the one command base of the imports)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ketnghia.core.commands import BaseCommand
from ketnghia.core.formatting import format_count
from ketnghia.imports import ImportReport
from ketnghia.imports.commands import ImportCommand


class LoaderCommand(BaseCommand):
    """Base of the loading commands: `--actor`, problems on stderr and exit code 2."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="User recorded in the history as having made the change (default: none).",
        )

    def actor(self, options: dict[str, Any]) -> Any:
        return self.user_named(options.get("actor"))


class FileLoaderCommand(ImportCommand):
    """A command that imports one CSV/XLSX file through an `<entity>_import` service, on the
    one command base of the imports (`imports.commands.ImportCommand`)."""

    file_help = "CSV (UTF-8) or XLSX file."
    actor_help = "User recorded in the history as having made the change (default: none)."
    confirm_option = False

    def load_file(self, service: Any, options: dict[str, Any]) -> None:
        report = self.run_import(
            lambda: service(
                path=options["file"],
                dry_run=options["dry_run"],
                actor=self.user_named(options.get("actor")),
            ),
            options=options,
        )
        self.write_report(report)

    def write_report(self, report: ImportReport) -> None:
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s: %(rows)s rows; created %(created)s, updated %(updated)s, unchanged %(unchanged)s."
            )
            % {
                "file": report.file,
                "rows": format_count(report.rows),
                "created": format_count(report.created),
                "updated": format_count(report.updated),
                "unchanged": format_count(report.unchanged),
            }
        )
        for warning in report.warnings:
            self.stdout.write(_("Warning: %(warning)s") % {"warning": warning})
