"""`ketnghia coverage --program nq04 --year 2015 [--json]`: the network's coverage per commune."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.gate import EVERYTHING
from ketnghia.core.text import format_number
from ketnghia.programs.selectors import program_get
from ketnghia.twinning.coverage import coverage_report


class Command(BaseCommand):
    help = gettext_lazy(
        "Print the twinning network's coverage of each program commune in a year: each measure "
        "as a numerator over a denominator, and the program-wide totals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, metavar="CODE")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--json", action="store_true", help=gettext_lazy("Print JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            program = program_get(options["program"])
        except KetnghiaError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("No coverage was computed."), returncode=2) from None
        report = coverage_report(scope=EVERYTHING, program=program, year=options["year"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
            return
        for row in report.communes:
            figures = ", ".join(
                f"{name} {format_number(r.numerator)}/{format_number(r.denominator)}"
                for name, r in row.measures.items()
            )
            self.stdout.write(f"{row.commune.code} {row.commune.name}: {figures}")
        totals = ", ".join(
            f"{name} {format_number(r.numerator)}/{format_number(r.denominator)}"
            for name, r in report.totals.items()
        )
        self.stdout.write(_("Total: %(figures)s") % {"figures": totals})
