"""`ketnghia load-classifications FILE`: the two-phase import of classifications."""

from __future__ import annotations

from typing import Any

from ketnghia.geo.importers import classifications_import
from ketnghia.geo.management.commands._base import FileLoaderCommand


class Command(FileLoaderCommand):
    help = "Import unit classifications (unit code, scheme, value, from year, to year, legal basis) from a CSV or XLSX file. Nothing is written if any row is wrong."

    def handle(self, *args: Any, **options: Any) -> None:
        self.load_file(classifications_import, options)
