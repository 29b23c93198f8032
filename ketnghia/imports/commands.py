"""The one command base of the CLI imports: the file, --dry-run, --confirm, --actor,
--errors-out, and one way to end — the preview, every problem on stderr, exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError, Problem
from ketnghia.imports.confirm import ConfirmationNeeded


class ImportCommand(BaseCommand):
    """Base of `ketnghia import-…`: subclass, add the importer's own arguments, and call
    `run_import` in `handle`."""

    file_help: Any = gettext_lazy("The file, .xlsx or .csv.")
    dry_run_help: Any = gettext_lazy(
        "Check the file and report what would change, writing nothing."
    )
    confirm_help: Any = gettext_lazy(
        "Import even though the change preview asks for a confirmation."
    )
    actor_help: Any = gettext_lazy(
        "User recorded as having made the import; their scope applies (default: none)."
    )
    # Whether the command offers --errors-out (the refused file's error workbook).
    errors_out = False
    # Whether it offers --confirm (an importer whose commit never asks for one does not).
    confirm_option = True
    # "--file" when the file is optional (a loader that reads a package without one).
    file_argument = "file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(self.file_argument, help=self.file_help)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        if self.confirm_option:
            parser.add_argument("--confirm", action="store_true", help=self.confirm_help)
        if self.errors_out:
            parser.add_argument(
                "--errors-out",
                metavar="FILE.xlsx",
                help=gettext_lazy("Write the problems and the faulty rows to this workbook."),
            )
        parser.add_argument("--actor", metavar="USERNAME", help=self.actor_help)

    def preview(self, report: Any) -> None:
        """Write the change preview of `report` (also when a confirmation is missing)."""

    def run_import(
        self,
        call: Callable[[], Any],
        *,
        options: dict[str, Any],
        error_workbook: Callable[[Path, list[Problem]], bytes | None] | None = None,
    ) -> Any:
        """Run the import; return its report, or end the command refused (exit code 2).

        `error_workbook(path, problems)` gives the refused file's workbook for --errors-out
        (None: none can be made, e.g. the scope was never found)."""
        path = Path(options["file"] or "")
        try:
            return call()
        except ConfirmationNeeded as error:
            self.preview(error.report)
            raise self.refuse_unconfirmed(error) from None
        except KetnghiaError as error:
            refused = self.refuse(error)
            out = options.get("errors_out")
            content = (
                error_workbook(path, error.problems)
                if out and error_workbook is not None and path.is_file()
                else None
            )
            if content is not None:
                Path(out).write_bytes(content)
                self.stderr.write(_("The problems are listed in %(file)s.") % {"file": out})
            raise refused from None
