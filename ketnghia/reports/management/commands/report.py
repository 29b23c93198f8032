"""`ketnghia report review`: the review report of a program as JSON, .xlsx or .docx."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.core.gate import EVERYTHING
from ketnghia.poverty.management.commands._problems import fail
from ketnghia.reports import contributed, exports, narrative, selectors
from ketnghia.reports.domain import report_to_dict


class Command(BaseCommand):
    help = gettext_lazy("Review reports: the figures of a program between two years, as a file.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        review = sub.add_parser(
            "review", help=str(gettext_lazy("The review of a program from a baseline year."))
        )
        review.add_argument("--program", required=True, metavar="CODE")
        review.add_argument("--baseline", required=True, type=int, metavar="YEAR")
        review.add_argument("--year", required=True, type=int, metavar="YEAR")
        review.add_argument("--format", required=True, choices=exports.FORMATS, dest="fmt")
        review.add_argument("-o", "--output", required=True, metavar="FILE")
        review.add_argument(
            "--threshold",
            type=float,
            default=None,
            help=str(gettext_lazy("Poverty-rate threshold for the commune count (30 by default).")),
        )
        review.add_argument(
            "--unit",
            default="",
            metavar="CODE",
            help=str(gettext_lazy("A district or commune instead of the whole province.")),
        )
        review.add_argument(
            "--include-unapproved",
            action="store_true",
            help=str(gettext_lazy("Include census rounds still in progress (marked).")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._review(options)
        except KetnghiaError as error:
            raise fail(self, error) from None

    def _review(self, options: dict[str, Any]) -> None:
        request = selectors.review_request(
            scope=EVERYTHING,
            user=None,
            program_code=options["program"],
            baseline=options["baseline"],
            year=options["year"],
            unit_code=options["unit"],
            threshold=options["threshold"],
            official=not options["include_unapproved"],
        )
        report = selectors.review_report(scope=EVERYTHING, request=request)
        area = selectors.area_unit(request)
        saved = selectors.saved_report_for(scope=EVERYTHING, request=request, area=area)
        current = report_to_dict(report)["entries"]
        if saved is not None and saved.figures.get("entries") == current:
            text_vi, text_en = saved.narrative_vi, saved.narrative_en
            heading = exports.heading_of(saved)
            sections = exports.sections_of(saved)
            generated = False
            self.stderr.write(
                _("Using the saved summary of %(when)s.") % {"when": saved.updated_at}
            )
        else:
            if saved is not None:
                self.stderr.write(
                    _(
                        "The figures changed since the summary was saved: a new summary is generated."
                    )
                )
            both = narrative.summaries(report)
            text_vi, text_en = both.vi, both.en
            province = selectors.program_province(request.program)
            heading = exports.default_heading(
                program_name=request.program.name,
                province_name=province.name if province is not None else "",
                area_name=report.area_name,
                style=request.program.issuing_body,
            )
            sections, generated = {}, True
        out = exports.review_file(
            report=report,
            fmt=options["fmt"],
            narrative_vi=text_vi,
            narrative_en=text_en,
            heading=heading,
            sections=sections,
            generated=generated,
            contributed=contributed.for_review(request, scope=EVERYTHING, language="vi"),
        )
        target = Path(options["output"])
        try:
            target.write_bytes(out.content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": target, "error": error.strerror}
            ) from None
        self.stdout.write(
            _("%(file)s: %(count)s figures, %(size)s bytes.")
            % {"file": target, "count": len(report.entries), "size": len(out.content)}
        )
