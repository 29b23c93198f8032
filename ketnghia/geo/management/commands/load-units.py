"""`ketnghia load-units`: load provinces, districts and communes from `vietnam-provinces`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.geo.services import units_load_from_package


class Command(BaseCommand):
    help = (
        "Load administrative units (provinces, districts, communes; structure before the 2025 "
        "reform) from the vietnam-provinces package. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="User recorded in the history as having made the change (default: none).",
        )
        parser.add_argument(
            "--province",
            action="append",
            metavar="CODE",
            help="Load only this province (e.g. 62 for Kon Tum); repeatable. Default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = units_load_from_package(
                province_codes=options["province"], actor=self.user_named(options.get("actor"))
            )
        except KetnghiaError as error:
            raise self.refuse(error) from None
        self.stdout.write(
            _(
                "%(provinces)s province(s): created %(created)s, updated %(updated)s, "
                "unchanged %(unchanged)s."
            )
            % {
                "provinces": len(report.provinces),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
