"""`ketnghia load-villages FILE`: the two-phase import of villages."""

from __future__ import annotations

from typing import Any

from ketnghia.geo.importers import villages_import
from ketnghia.geo.management.commands._base import FileLoaderCommand


class Command(FileLoaderCommand):
    help = "Import villages (commune code, village name, optional village code and kind) from a CSV or XLSX file. Nothing is written if any row is wrong."

    def handle(self, *args: Any, **options: Any) -> None:
        self.load_file(villages_import, options)
