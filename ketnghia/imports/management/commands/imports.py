"""`ketnghia imports sweep`: fail the import jobs a dead worker left running."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.imports.jobs import jobs_sweep


class Command(BaseCommand):
    help = gettext_lazy(
        "Mark failed every import job left running by a worker that is gone, or running "
        "longer than KETNGHIA_IMPORT_JOB_STALE_SECONDS; its page then says why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep"], help=gettext_lazy("What to do."))

    def handle(self, *args: Any, **options: Any) -> None:
        failed = jobs_sweep()
        self.stdout.write(_("%(count)s stuck import job(s) marked failed.") % {"count": failed})
