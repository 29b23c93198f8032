"""`ketnghia load-reform-2025`: the post-2025 provinces and communes and their successions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.errors import KetnghiaError
from ketnghia.core.formatting import format_count
from ketnghia.geo.management.commands._base import LoaderCommand
from ketnghia.geo.reform import (
    REFORM_FILE,
    reform_2025_import,
    reform_2025_load_from_package,
)


class Command(LoaderCommand):
    help = gettext_lazy(
        "Load the units after the 2025 reform (new provinces and communes, valid from "
        "1 July 2025), close the old ones on 30 June 2025 and record the successions old "
        "commune → new commune, from the vietnamadminunits package or from a file. Idempotent; "
        "nothing is written if any problem is found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--province",
            action="append",
            metavar="CODE",
            help=gettext_lazy(
                "Old province (before the reform) to process, e.g. 62 for Kon Tum; repeatable. "
                "Default: every province of the package."
            ),
        )
        parser.add_argument(
            "--file",
            metavar="FILE",
            help=gettext_lazy(
                "Read the mapping from this CSV or XLSX file instead of the package (columns: "
                "Mã xã cũ, Mã xã mới, Tên xã mới, Mã tỉnh mới, Tên tỉnh mới, Tỷ lệ)."
            ),
        )
        parser.add_argument(
            "--errors-out",
            metavar="FILE.xlsx",
            help=gettext_lazy("Write the problems and the faulty rows to this workbook."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check the mapping and report what would change, writing nothing."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        try:
            if options["file"]:
                report = reform_2025_import(
                    path=options["file"], dry_run=options["dry_run"], actor=actor
                )
            else:
                report = reform_2025_load_from_package(
                    province_codes=options["province"], dry_run=options["dry_run"], actor=actor
                )
        except KetnghiaError as error:
            refused = self.refuse(error)
            source, out = options["file"], options["errors_out"]
            if source and out and Path(source).is_file():
                Path(out).write_bytes(
                    REFORM_FILE.error_workbook(
                        Path(source), file_name=Path(source).name, problems=error.problems
                    )
                )
                self.stderr.write(_("The problems are listed in %(file)s.") % {"file": out})
            raise refused from None
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(old)s old communes → %(new)s new communes; units created %(created)s, "
                "updated %(updated)s, closed %(closed)s; successions created %(s_created)s, "
                "updated %(s_updated)s; unchanged %(unchanged)s."
            )
            % {
                "old": format_count(report.old_communes),
                "new": format_count(report.new_communes),
                "created": format_count(report.units_created),
                "updated": format_count(report.units_updated),
                "closed": format_count(report.units_closed),
                "s_created": format_count(report.successions_created),
                "s_updated": format_count(report.successions_updated),
                "unchanged": format_count(report.unchanged),
            }
        )
