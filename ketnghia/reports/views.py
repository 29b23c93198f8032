"""The review report's pages: figures with the units behind them, the narrative editor, files."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.gate import Action, allows, gate, scope_for
from ketnghia.indicators import cache as page_cache
from ketnghia.programs.selectors import program_choices, program_defaults
from ketnghia.reports import charts, contributed, exports, narrative, selectors, services
from ketnghia.reports.docx_export import SECTIONS, Heading
from ketnghia.reports.domain import ReviewReport, capped, report_from_dict, report_to_dict
from ketnghia.reports.forms import NarrativeForm

# Units listed behind each figure and communes ranked on the page and in the JSON; a national
# review has 10,000 communes and 100,000 villages (the .xlsx lists them all).
UNITS_SHOWN = int(getattr(settings, "KETNGHIA_REVIEW_UNITS_SHOWN", 100))


def _params(request: HttpRequest, data: QueryDict) -> dict[str, str]:
    # The program, baseline and year the review opens on: the programs app decides them.
    opened = program_defaults(scope=request.scope)  # type: ignore[attr-defined]
    defaults = {
        "program": opened.program,
        "baseline": str(opened.baseline),
        "year": str(opened.year),
    }
    params = {key: data.get(key, "") or default for key, default in defaults.items()}
    for key in ("threshold", "unit"):
        if data.get(key):
            params[key] = data[key]
    if data.get("include_unapproved") in ("1", "on", "true", "True"):
        params["include_unapproved"] = "1"
    return params


def _review_request(request: HttpRequest, params: dict[str, str]) -> selectors.ReviewRequest:
    try:
        return selectors.review_request(
            scope=request.scope,  # type: ignore[attr-defined]
            user=request.user,
            program_code=params["program"],
            baseline=params["baseline"],
            year=params["year"],
            unit_code=params.get("unit", ""),
            threshold=params.get("threshold"),
            official=params.get("include_unapproved") != "1",
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _build(
    request: HttpRequest, review: selectors.ReviewRequest, limit: int | None = None
) -> ReviewReport:
    """Return the report (whole, or the first `limit` units of each list), kept in the cache
    per (scope, request, limit, data version)."""
    return _build_keyed(request, review, limit)[0]


def _build_keyed(
    request: HttpRequest, review: selectors.ReviewRequest, limit: int | None = None
) -> tuple[ReviewReport, str]:
    """Return the report and its cache key (what is drawn from it is kept beside it)."""
    scope = request.scope  # type: ignore[attr-defined]
    version = page_cache.data_version(unit_path=review.area.path if review.area else None)
    key = page_cache.key_for(
        page="review",
        scope=scope,
        version=version,
        parts=[
            review.program.pk,
            review.baseline_year,
            review.review_year,
            review.area.pk if review.area else "",
            review.threshold,
            review.official,
            "" if limit is None else limit,
        ],
    )
    report = cache.get(key)
    if report is None:
        try:
            report = selectors.review_report(scope=scope, request=review, limit=limit)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        cache.set(key, report, timeout=settings.KETNGHIA_PAGE_CACHE_SECONDS)
    return report, key


def _links(request: HttpRequest, report: ReviewReport) -> dict[str, Any]:
    """Return which drill-down links the user gets: households only with personal-data rights."""
    personal = scope_for(request.user, Action.SEE_PERSONAL_DATA)
    allowed = set()
    for entry in report.entries:
        for unit in entry.units:
            if unit.path and personal.contains_path(unit.path):
                allowed.add(unit.code)
    return {"households": allowed}


def _heading(review: selectors.ReviewRequest, report: ReviewReport) -> Heading:
    province = selectors.program_province(review.program)
    return exports.default_heading(
        program_name=review.program.name,
        province_name=province.name if province is not None else "",
        area_name=report.area_name,
        style=review.program.issuing_body,
    )


@gate("units.view")
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Show the review: each figure, the communes behind it, the trend, the narrative editor."""
    params = _params(request, request.GET)
    try:
        review_request = _review_request(request, params)
    except InvalidInput as error:
        return render(
            request,
            "reports/review.html",
            {
                "errors": error.problems,
                "params": params,
                "programs": program_choices(scope=request.scope),
            },
            status=400,
        )
    # The page reads and shows the first units behind each figure and of the ranking, with
    # how many there are (the .xlsx has them all): a national program has 10,000 communes.
    report, key = _build_keyed(request, review_request, UNITS_SHOWN)
    area = selectors.area_unit(review_request)
    saved = selectors.saved_report_for(
        scope=request.scope,
        request=review_request,
        area=area,  # type: ignore[attr-defined]
    )
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    # The text and the chart written from the figures: as the figures, once per version.
    generated, trend_png = cache.get(f"{key}:drawn:{language}") or (None, None)
    if generated is None:
        generated, trend_png = narrative.summaries(report), _trend_png(report, language)
        cache.set(
            f"{key}:drawn:{language}",
            (generated, trend_png),
            timeout=settings.KETNGHIA_PAGE_CACHE_SECONDS,
        )
    if saved is not None:
        heading = exports.heading_of(saved)
        # The saved snapshot holds every unit: compared as the page reads the figures.
        stale = (
            report_to_dict(capped(report_from_dict(saved.figures), UNITS_SHOWN))["entries"]
            != report_to_dict(report)["entries"]
        )
        versions = saved.history.select_related("history_user").order_by("-history_date")[:10]
    else:
        heading = _heading(review_request, report)
        stale = False
        versions = []
    form = NarrativeForm(
        initial={
            **params,
            "include_unapproved": params.get("include_unapproved") == "1",
            "narrative_vi": saved.narrative_vi if saved else generated.vi,
            "narrative_en": saved.narrative_en if saved else generated.en,
            "issuer_superior": heading.superior,
            "issuer": heading.issuer,
            "document_number": heading.number,
            "place": heading.place,
            "recipients": "\n".join(heading.recipients),
            "signer_on_behalf": heading.on_behalf,
            "signer_title": heading.signer_title,
            **(exports.sections_of(saved) if saved else {}),
            "signer_name": heading.signer_name,
        }
    )
    query = urlencode(params)
    return render(
        request,
        "reports/review.html",
        {
            "report": report,
            "review": review_request,
            "params": params,
            "query": query,
            "language": language,
            "saved": saved,
            "stale": stale,
            "versions": versions,
            "form": form,
            "generated": generated,
            "links": _links(request, report),
            "trend_png": trend_png,
            "units_shown": UNITS_SHOWN,
            "xlsx_url": reverse("reports:review_xlsx") + "?" + query,
            "may_save": _may_save(request, area.path),
            # The public portal's "Tạo bản tin" (a draft bulletin from this report).
            "may_publish": allows(request.user, "portal.edit"),
            "programs": program_choices(scope=request.scope),
            "downloads": [
                (fmt, reverse(f"reports:review_{fmt}") + "?" + query) for fmt in exports.FORMATS
            ],
            "contributed": contributed.for_review(review_request, scope=request.scope),
        },
    )


def _trend_png(report: ReviewReport, language: str) -> str:
    series = report.series_for("poverty_rate")
    if series is None or not series.points:
        return ""
    return base64.b64encode(charts.trend_chart(series, language=language)).decode()


def _may_save(request: HttpRequest, path: str) -> bool:
    return scope_for(request.user, Action.EDIT).contains_path(path)


@gate("units.edit")
@require_POST
def review_save(request: HttpRequest) -> HttpResponse:
    """Save the edited narrative and heading with the figures as they are now."""
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        if not {"program", "baseline", "year"} & set(form.errors):
            messages.error(
                request,
                _("The summary was not saved: %(errors)s")
                % {
                    "errors": "; ".join(
                        f"{form.fields[name].label or name}: {' '.join(errs)}"
                        for name, errs in form.errors.items()
                    )
                },
            )
            return redirect(
                reverse("reports:review") + "?" + urlencode(_params(request, request.POST))
            )
        raise Http404(_("Report not found."))
    data = form.cleaned_data
    params = _params(request, request.POST)
    review_request = _review_request(request, params)
    report = _build(request, review_request)
    area = selectors.area_unit(review_request)
    if not _may_save(request, area.path):
        raise Http404(_("Report not found."))
    heading = Heading(
        superior=data["issuer_superior"],
        issuer=data["issuer"],
        number=data["document_number"],
        place=data["place"],
        recipients=tuple(data["recipients"].splitlines()),
        on_behalf=data["signer_on_behalf"],
        signer_title=data["signer_title"],
        signer_name=data["signer_name"],
        style=review_request.program.issuing_body,
    )
    try:
        services.saved_report_save(
            actor=request.user,
            program=review_request.program,
            area=area,
            report=report,
            narrative_vi=data["narrative_vi"],
            narrative_en=data["narrative_en"],
            heading=heading,
            sections={name: data[name] for name, _title in SECTIONS[1:]},
        )
    except InvalidInput as error:
        for problem in error.problems:
            messages.error(request, str(problem))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    else:
        messages.success(request, _("The summary was saved with the figures."))
    return redirect(reverse("reports:review") + "?" + urlencode(params))


@gate("units.view")
@require_GET
def review_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """Return the review as a file: the saved version (figures and text) if there is one."""
    params = _params(request, request.GET)
    try:
        review_request = _review_request(request, params)
    except InvalidInput as error:
        return HttpResponse(
            "\n".join(str(p) for p in error.problems),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    area = selectors.area_unit(review_request)
    saved = selectors.saved_report_for(
        scope=request.scope,
        request=review_request,
        area=area,  # type: ignore[attr-defined]
    )
    if saved is not None:
        report = report_from_dict(saved.figures)
        text_vi, text_en = saved.narrative_vi, saved.narrative_en
        heading = exports.heading_of(saved)
        sections = exports.sections_of(saved)
    else:
        # Whoever may read the review gets its files at once: with nothing saved, the text
        # written from the figures, and the file says it is such a draft. The JSON reads the
        # first units of each list only; the .xlsx and .docx every unit.
        report = _build(request, review_request, UNITS_SHOWN if fmt == "json" else None)
        both = narrative.summaries(report)
        text_vi, text_en = both.vi, both.en
        heading = _heading(review_request, report)
        sections = {}
    if fmt == "json":  # the first units behind each figure; the .xlsx and .docx keep them all
        report = capped(report, UNITS_SHOWN)
    out = exports.review_file(
        report=report,
        fmt=fmt,
        narrative_vi=text_vi,
        narrative_en=text_en,
        heading=heading,
        sections=sections,
        generated=saved is None,
        contributed=contributed.for_review(review_request, scope=request.scope, language="vi"),
    )
    response = HttpResponse(out.content, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response
