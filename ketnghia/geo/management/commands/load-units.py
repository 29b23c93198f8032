"""`ketnghia load-units`: load provinces, districts and communes from `vietnam-provinces`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ketnghia.core.errors import KetnghiaError
from ketnghia.geo.management.commands._base import LoaderCommand
from ketnghia.geo.services import units_load_from_package


class Command(LoaderCommand):
    help = (
        "Load administrative units (provinces, districts, communes; structure before the 2025 "
        "reform) from the vietnam-provinces package. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--province",
            action="append",
            metavar="CODE",
            help="Load only this province (e.g. 62 for Kon Tum); repeatable. Default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = units_load_from_package(
                province_codes=options["province"], actor=self.actor(options)
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
