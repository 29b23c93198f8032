"""`ketnghia load-successions FILE`: the two-phase import of successions."""

from __future__ import annotations

from typing import Any

from ketnghia.geo.importers import successions_import
from ketnghia.geo.management.commands._base import FileLoaderCommand


class Command(FileLoaderCommand):
    help = "Import successions between units (old unit code, new unit code, date, share, note) from a CSV or XLSX file. Nothing is written if any row is wrong."

    def handle(self, *args: Any, **options: Any) -> None:
        self.load_file(successions_import, options)
