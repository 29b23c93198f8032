"""`ketnghia backup -o FILE`: the whole database in one file (see `core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core import backup
from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.text import format_number


class Command(BaseCommand):
    help = gettext_lazy(
        "Back up the whole database to one file: SQLite's online backup on SQLite, pg_dump -Fc "
        "on PostgreSQL. The media directory is copied separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help=gettext_lazy("The backup file.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            info = backup.backup_create(path=Path(options["output"]))
        except KetnghiaError as error:
            raise self.refuse(error) from None
        self.stdout.write(
            _("%(file)s: a %(engine)s backup of %(tables)s tables, %(size)s bytes.")
            % {
                "file": info.path,
                "engine": info.engine,
                "tables": format_number(info.tables),
                "size": format_number(info.size),
            }
        )
