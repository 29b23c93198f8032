"""`ketnghia aggregates rebuild|check [--program CODE]`: the maintained indicator aggregates."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import NotFound
from ketnghia.indicators import services
from ketnghia.programs.selectors import program_get


class Command(BaseCommand):
    help = gettext_lazy(
        "Rebuild the indicator aggregates from the source rows (set-based, swapped in one "
        "transaction), or check them against a fresh computation (exit 1 on differences)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["rebuild", "check"], help=gettext_lazy("What to do.")
        )
        parser.add_argument(
            "--program", help=gettext_lazy("Program code (check: only this program's rows).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = None
        if options["program"]:
            try:
                program = program_get(options["program"])
            except NotFound as error:
                raise CommandError(str(error.problems[0])) from error
        started = time.perf_counter()
        if options["action"] == "rebuild":
            rows = services.aggregates_rebuild()
            self.stdout.write(
                _("Aggregates rebuilt: %(rows)d rows in %(seconds).2f s.")
                % {"rows": rows, "seconds": time.perf_counter() - started}
            )
            return
        found = services.aggregates_check(program=program)
        for difference in found[:50]:
            self.stdout.write(
                f"{difference.indicator} program={difference.program_id} "
                f"unit={difference.unit_id} {difference.year} "
                f"official={difference.official} {difference.disaggregation or '-'}: "
                f"{difference.stored} ≠ {difference.computed}"
            )
        if found:
            self.stdout.write(_("%(count)d differences.") % {"count": len(found)})
            raise SystemExit(1)
        self.stdout.write(
            _("No differences (%(seconds).2f s).") % {"seconds": time.perf_counter() - started}
        )
