"""`ketnghia classify`: classify a CSV of households under a standard (no database)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.poverty.batch import classify_csv
from ketnghia.poverty.management.commands._problems import fail
from ketnghia.poverty.management.commands.standards import with_local_files
from ketnghia.poverty.rules import Status
from ketnghia.poverty.standards import get_standard


class Command(BaseCommand):
    help = gettext_lazy(
        "Classify the households of a CSV file (household_code, area, "
        "monthly_income_per_person and one 0/1 column per indicator) under a poverty "
        "standard, writing the rows with status, deprivation_count and rule added."
    )
    # Auditors run this where there is no database: no checks, nothing touches it.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", metavar="IN.csv")
        parser.add_argument("-o", "--output", required=True, metavar="OUT.csv")
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy("Standard code, e.g. vn-2022 (see `ketnghia standards`)."),
        )
        parser.add_argument(
            "--standard-file",
            action="append",
            default=[],
            metavar="FILE.toml",
            help=gettext_lazy(
                "A local standard file; its code may then be given to --standard "
                "(alone, the last file's standard is used)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = options["standard_file"]
        if not options["standard"] and not files:
            raise CommandError(_("Give --standard CODE (or --standard-file)."), returncode=2)
        try:
            standards = with_local_files(files)
            code = options["standard"] or list(standards)[-1]
            standard = get_standard(code, standards)
            summary = classify_csv(standard, Path(options["input"]), Path(options["output"]))
        except KetnghiaError as error:
            raise fail(self, error) from None
        if not standard.verified:
            self.stderr.write(
                _("Warning: standard %(code)s is not verified: %(note)s")
                % {"code": standard.code, "note": standard.note}
            )
        counts = ", ".join(
            f"{label}: {summary.by_status.get(value, 0)}" for value, label in Status.choices
        )
        self.stdout.write(
            _("%(rows)s households classified under %(code)s (%(counts)s).")
            % {"rows": summary.rows, "code": standard.code, "counts": counts}
        )
