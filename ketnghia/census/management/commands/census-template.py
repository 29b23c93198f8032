"""`ketnghia census-template --commune CODE --year YEAR -o FILE`: the file to fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.census.importing.template import census_template, census_template_csv
from ketnghia.census.management.commands._census_round import commune_by_code, round_for
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.personal_data import disclosure_open


class Command(BaseCommand):
    help = gettext_lazy(
        "Write the census template of a commune and year (.xlsx with drop-down lists, or "
        ".csv), with the households of the commune's previous round filled in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", required=True, metavar="CODE")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx|FILE.csv")
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy("Poverty standard when the round does not exist yet."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in {".xlsx", ".csv"}:
            raise CommandError(_("Write the template to a .xlsx or .csv file."), returncode=2)
        try:
            commune = commune_by_code(options["commune"])
            census_round = round_for(commune, options["year"], options["standard"])
            # The operator at the server's shell holds the database: IDs in full, logged.
            with disclosure_open(
                user=None,
                output="census.template_cli",
                unit_path=census_round.unit_path,
                detail=str(census_round),
            ) as door:
                build = census_template if suffix == ".xlsx" else census_template_csv
                content = build(census_round=census_round, disclosure=door)
        except KetnghiaError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("No template was written."), returncode=2) from None
        output.write_bytes(content)
        self.stdout.write(
            _("Template of %(commune)s, %(year)s (%(standard)s) written to %(file)s.")
            % {
                "commune": commune,
                "year": census_round.year,
                "standard": census_round.standard_code,
                "file": output,
            }
        )
