"""`ketnghia reform-figures`: a program's figure of one year under the communes after 2025."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import NotFound
from ketnghia.core.formatting import NO_VALUE, format_count, format_decimal, format_percent
from ketnghia.core.gate import EVERYTHING
from ketnghia.programs.selectors import program_get
from ketnghia.reform.selectors import ReformFigures, reform_figures


def figures_json(figures: ReformFigures) -> dict[str, Any]:
    """Return the figures as plain data (what `--json` prints)."""
    return {
        "program": figures.program.code,
        "indicator": figures.code,
        "label": {"vi": figures.label_vi, "en": figures.label_en},
        "year": figures.year,
        "official": figures.official,
        "factor": figures.factor,
        "value": figures.value,
        "numerator": figures.numerator,
        "denominator": figures.denominator,
        "before_reform": {
            "value": figures.old_value,
            "numerator": figures.old_numerator,
            "denominator": figures.old_denominator,
        },
        "units": [
            {
                "code": row.national_code,
                "stored_code": row.code,
                "name": row.name,
                "value": row.value,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "partial": row.partial,
                "from": [
                    {
                        "code": part.code,
                        "name": part.name,
                        "district": part.district,
                        "share": part.fraction,
                        "value": part.value,
                        "numerator": part.numerator,
                        "denominator": part.denominator,
                    }
                    for part in row.parts
                ],
                "without_figure": row.without_figure,
            }
            for row in figures.units
        ],
    }


def _value(value: float | None, factor: int) -> str:
    return (
        format_percent(value)
        if factor == 100
        else format_decimal(value, 2)
        if value is not None
        else NO_VALUE
    )


class Command(BaseCommand):
    help = gettext_lazy(
        "Print a program's figure for one year under the communes after the 2025 reform, "
        "re-aggregated from the old communes along the successions, with the old communes "
        "behind each new one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", default="nq04", help=gettext_lazy("Program code."))
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Year."))
        parser.add_argument(
            "--indicator", default="poverty_rate", help=gettext_lazy("Indicator code.")
        )
        parser.add_argument(
            "--in-progress",
            action="store_true",
            help=gettext_lazy("Include census rounds in progress (not only approved ones)."),
        )
        parser.add_argument("--json", action="store_true", help=gettext_lazy("Print JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            figures = reform_figures(
                scope=EVERYTHING,
                program=program_get(options["program"]),
                code=options["indicator"],
                year=options["year"],
                official=not options["in_progress"],
            )
        except NotFound as error:
            raise CommandError(str(error.problems[0]), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(figures_json(figures), ensure_ascii=False, indent=2))
            return
        label = figures.label_en if (get_language() or "vi").startswith("en") else figures.label_vi
        self.stdout.write(
            _("%(label)s %(year)s, program %(program)s: %(value)s before and after the reform.")
            % {
                "label": label,
                "year": figures.year,
                "program": figures.program.code,
                "value": _value(figures.value, figures.factor),
            }
        )
        for row in figures.units:
            value = _value(row.value, figures.factor)
            self.stdout.write(
                f"{row.national_code}\t{row.name}\t{value}\t"
                f"{format_count(row.numerator)}/{format_count(row.denominator)}\t"
                + ", ".join(f"{p.code} {p.name}" for p in row.parts)
            )
