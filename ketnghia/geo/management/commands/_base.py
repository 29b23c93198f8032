"""What the geo loading commands share: actor lookup, problem listing and exit codes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.formatting import format_count
from ketnghia.imports import ImportReport


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


class FileLoaderCommand(LoaderCommand):
    """A command that imports one CSV/XLSX file through an `<entity>_import` service."""

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, writing nothing.",
        )

    def run_import(self, service: Any, options: dict[str, Any]) -> None:
        try:
            report = service(
                path=options["file"], dry_run=options["dry_run"], actor=self.actor(options)
            )
        except KetnghiaError as error:
            raise self.refuse(error) from None
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
