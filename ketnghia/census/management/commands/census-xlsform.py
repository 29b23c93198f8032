"""`ketnghia census-xlsform`: write the household census of a standard as an XLSForm (.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from ketnghia.census.management.commands._census_round import commune_by_code
from ketnghia.census.odk import census_xlsform, form_id
from ketnghia.core.commands import EXIT_INVALID, BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.poverty.selectors import standard_get


class Command(BaseCommand):
    help = gettext_lazy(
        "Write the household census questionnaire of a poverty standard as an XLSForm for "
        "ODK Central or KoBoToolbox (with a commune, its villages become a choice list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--standard",
            required=True,
            metavar="CODE",
            help=gettext_lazy("Standard code, e.g. vn-2022 (see `ketnghia standards`)."),
        )
        parser.add_argument(
            "--commune", metavar="CODE", help=gettext_lazy("Commune code (5 digits).")
        )
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            standard = standard_get(options["standard"])
            commune = commune_by_code(options["commune"]) if options["commune"] else None
        except KetnghiaError as error:
            raise CommandError(str(error), returncode=EXIT_INVALID) from None
        data = census_xlsform(standard=standard, commune=commune)
        # Check the form converts before handing it out: a server refusing it in the field
        # is far costlier than a refusal here.
        try:
            convert(xlsform=data, file_type=".xlsx")
        except PyXFormError as error:  # a bug of the generator, said plainly
            raise CommandError(
                _("The generated form does not convert: %(error)s") % {"error": error}
            ) from error
        Path(options["output"]).write_bytes(data)
        self.stdout.write(
            _("Form %(form_id)s written to %(file)s (%(indicators)s indicator questions).")
            % {
                "form_id": form_id(standard, commune),
                "file": options["output"],
                "indicators": len(standard.indicators),
            }
        )
