"""`ketnghia restore FILE [--confirm]`: replace the database with a backup (see `core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core import backup
from ketnghia.core.commands import EXIT_INVALID, BaseCommand
from ketnghia.core.errors import InvalidInput, KetnghiaError, Location, Problem
from ketnghia.core.text import format_number


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore a backup made by `ketnghia backup` into this database, replacing everything "
        "in it (one transaction). A database that holds tables needs --confirm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=gettext_lazy("The backup file."))
        parser.add_argument(
            "--confirm",
            action="store_true",
            help=gettext_lazy("Replace a database that already holds tables."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            backup.restore_problems(path=path)
            tables = backup.database_tables()
            if tables and not options["confirm"]:
                self.write_problems(
                    InvalidInput(
                        Problem(
                            _(
                                "This database already holds %(count)s tables: restoring "
                                "%(file)s replaces everything in it."
                            )
                            % {"count": format_number(len(tables)), "file": path.name},
                            Location(file=str(path)),
                        )
                    )
                )
                raise CommandError(
                    _("Nothing was changed. Run again with --confirm to replace the database."),
                    returncode=EXIT_INVALID,
                )
            info = backup.backup_restore(path=path)
        except KetnghiaError as error:
            raise self.refuse(error) from None
        self.stdout.write(
            _("%(file)s restored: %(tables)s tables. Run `ketnghia migrate` if it is older.")
            % {"file": info.path, "tables": format_number(info.tables)}
        )
