"""`ketnghia load-reform-2025`: the post-2025 provinces and communes and their successions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.formatting import format_count
from ketnghia.geo.reform import (
    REFORM_FILE,
    reform_2025_import,
    reform_2025_load_from_package,
)
from ketnghia.imports.commands import ImportCommand


class Command(ImportCommand):
    help = gettext_lazy(
        "Load the units after the 2025 reform (new provinces and communes, valid from "
        "1 July 2025), close the old ones on 30 June 2025 and record the successions old "
        "commune → new commune, from the vietnamadminunits package or from a file. Idempotent; "
        "nothing is written if any problem is found."
    )
    file_argument = "--file"
    file_help = gettext_lazy(
        "Read the mapping from this CSV or XLSX file instead of the package (columns: "
        "Mã xã cũ, Mã xã mới, Tên xã mới, Mã tỉnh mới, Tên tỉnh mới, Tỷ lệ)."
    )
    dry_run_help = gettext_lazy("Check the mapping and report what would change, writing nothing.")
    actor_help = gettext_lazy(
        "User recorded in the history as having made the change (default: none)."
    )
    errors_out = True
    confirm_option = False

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

    def handle(self, *args: Any, **options: Any) -> None:
        actor, dry_run = self.user_named(options.get("actor")), options["dry_run"]
        report = self.run_import(
            lambda: (
                reform_2025_import(path=options["file"], dry_run=dry_run, actor=actor)
                if options["file"]
                else reform_2025_load_from_package(
                    province_codes=options["province"], dry_run=dry_run, actor=actor
                )
            ),
            options=options,
            error_workbook=lambda path, problems: REFORM_FILE.error_workbook(
                path, file_name=path.name, problems=problems
            ),
        )
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
