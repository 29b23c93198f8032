"""A draft bulletin from the review report: its narrative, its figures (aggregates only, above
the small-cell minimum) and its trend chart, for the editor to finish."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.formatting import format_count, format_decimal
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Unit
from ketnghia.portal import services
from ketnghia.portal.conf import setting
from ketnghia.portal.models import Bulletin
from ketnghia.portal.rules import publishable
from ketnghia.reports import charts, narrative
from ketnghia.reports import selectors as report_selectors
from ketnghia.reports.domain import Entry, ReviewReport

DEFAULTS = {"program": "nq04", "baseline": "2007", "year": "2015"}


def _value_text(entry: Entry) -> str:
    if entry.value is None:
        return "—"
    if entry.is_percent:
        return format_decimal(entry.value, 1, language="vi") + "\u00a0%"
    return format_count(entry.value, language="vi")


def public_entries(report: ReviewReport) -> list[Entry]:
    """Return the report's figures the public may see (no small cell)."""
    minimum = int(setting("small_cell_min"))
    return [
        e
        for e in report.entries
        if e.value is not None and publishable(e.numerator, e.denominator, minimum)
    ]


def body_from_report(report: ReviewReport, text: str) -> str:
    """Return the bulletin's body (HTML, sanitised by the service) from the report."""
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    rows = "".join(
        f"<tr><td>{escape(e.label.vi)}</td><td>{e.year if not e.period else f'{e.period[0]}–{e.period[1]}'}</td>"
        f"<td>{escape(_value_text(e))}</td></tr>"
        for e in public_entries(report)
    )
    table = (
        "<table><thead><tr><th>Chỉ tiêu</th><th>Năm</th><th>Kết quả</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "<h2>Số liệu chính</h2>" + table


def draft_from_review(*, request: HttpRequest, province: Unit) -> Bulletin:
    """Build the review asked for in `request.POST` and save it as a draft bulletin."""
    data = {k: request.POST.get(k, "") or v for k, v in DEFAULTS.items()}
    return draft_from_report(
        actor=request.user,
        scope=request.scope,  # type: ignore[attr-defined]
        province=province,
        program_code=data["program"],
        baseline=data["baseline"],
        year=data["year"],
        unit_code=request.POST.get("unit", ""),
        threshold=request.POST.get("threshold") or None,
    )


def draft_from_report(
    *,
    actor: Actor,
    scope: UnitScope,
    province: Unit,
    program_code: str,
    baseline: Any,
    year: Any,
    unit_code: str = "",
    threshold: Any = None,
    is_demo: bool = False,
) -> Bulletin:
    """Save the review report (official rounds only) as a draft bulletin of `province`."""
    try:
        review = report_selectors.review_request(
            scope=scope,
            user=actor,
            program_code=program_code,
            baseline=baseline,
            year=year,
            unit_code=unit_code,
            threshold=threshold,
            official=True,
        )
        report = report_selectors.review_report(scope=scope, request=review)
        area = report_selectors.area_unit(review)
        saved = report_selectors.saved_report_for(scope=scope, request=review, area=area)
    except (NotFound, Unit.DoesNotExist):
        raise InvalidInput(_("This review report cannot be read: no bulletin was made.")) from None
    text = saved.narrative_vi if saved else narrative.summaries(report).vi
    title = (
        f"Kết quả thực hiện {report.program_name} giai đoạn "
        f"{report.baseline_year}–{report.review_year}"
    )
    with transaction.atomic():
        bulletin = services.bulletin_create(
            actor=actor,
            unit=province,
            title=title[:200],
            lead=(text.split("\n")[0] if text else "")[:1000],
            body=body_from_report(report, text),
            byline=_("Steering committee of the program"),
            tags=[report.program_name[:60], "Giảm nghèo"],
            source=f"{report.program_name} · {report.baseline_year}–{report.review_year}",
            is_demo=is_demo,
        )
        series = report.series_for("poverty_rate")
        if series is not None and series.points:
            png = charts.trend_chart(series, language="vi")
            services.bulletin_image_add(
                actor=actor,
                bulletin=bulletin,
                uploaded_file=SimpleUploadedFile("xu-huong.png", png, content_type="image/png"),
                caption="Tỷ lệ hộ nghèo qua các năm",
                alt=f"Biểu đồ tỷ lệ hộ nghèo của {report.program_name} qua các năm",
            )
    return bulletin
