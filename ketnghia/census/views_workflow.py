"""Census pages of the officers' workflow: the district's inbox and return step, the round's files.

Thin like `views.py`, whose lookups (the same 404 for missing and forbidden) they reuse.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from ketnghia.census import inbox, lists, services
from ketnghia.census.forms import ReturnForm
from ketnghia.census.odk import census_xlsform
from ketnghia.census.views import (
    XLSX,
    _download,
    _render_round,
    _round_or_404,
    _round_url,
    _standard_or_none,
)
from ketnghia.core import gate
from ketnghia.core.errors import KetnghiaError, NotFound
from ketnghia.core.models import holds_demo_data
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import UnitLevel

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@gate.gate("census.edit")
@require_POST
def round_return(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Return a round the commune approved to the commune, with the district's reason."""
    census_round = _round_or_404(request, commune, year)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.census_round_return(
                census_round=census_round, reason=form.cleaned_data["reason"], actor=request.user
            )
        except KetnghiaError as exc:
            form.add_problems(exc)
        else:
            messages.success(request, _("The round went back to the commune."))
            return HttpResponseRedirect(_round_url(census_round) + "#advance")
    return _render_round(request, census_round, {"return": form}, status=400)


@gate.gate("census.view")
def district_inbox(request: HttpRequest, district: str) -> HttpResponse:
    """List a district's communes for a year: their round's state, who holds it, since when."""
    try:
        unit = geo_selectors.unit_get_for(scope=request.scope, code=district)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if unit.level != UnitLevel.DISTRICT:
        raise Http404(_("Unit %(code)s not found.") % {"code": district})
    years = inbox.district_round_years(scope=request.scope, district=unit)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.now().year))
    except ValueError:
        raise Http404(_("No such year.")) from None
    rows = inbox.district_inbox(scope=request.scope, district=unit, year=year)
    context = {
        "district": unit,
        "year": year,
        "years": sorted({*years, year}, reverse=True),
        "rows": rows,
        "waiting": sum(1 for row in rows if row.waits_for_district),
    }
    return render(request, "census/inbox.html", context)


@gate.gate("census.view")
def round_list(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Download the poor and near-poor households per village (.xlsx, or .docx with ?format=docx)."""
    census_round = _round_or_404(request, commune, year)
    listing = lists.posting_list(scope=request.scope, census_round=census_round)
    name = f"danh-sach-ho-ngheo-{census_round.commune.code}-{census_round.year}"
    demo = holds_demo_data()
    if request.GET.get("format") == "docx":
        return _download(lists.posting_list_docx(listing, demo=demo), DOCX, f"{name}.docx")
    return _download(lists.posting_list_xlsx(listing, demo=demo), XLSX, f"{name}.xlsx")


@gate.gate("census.view")
def round_xlsform(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Download the round's household questionnaire as an XLSForm for ODK Central or KoBo."""
    census_round = _round_or_404(request, commune, year)
    standard = _standard_or_none(census_round.standard_code)
    if standard is None:
        raise Http404(_("Unknown standard %(code)s.") % {"code": census_round.standard_code})
    content = census_xlsform(standard=standard, commune=census_round.commune)
    try:
        convert(xlsform=content, file_type=".xlsx")
    except PyXFormError as error:  # a bug of the generator: say it, do not hand the form out
        raise RuntimeError(f"the generated XLSForm does not convert: {error}") from error
    name = f"bieu-mau-odk-{census_round.commune.code}-{census_round.year}.xlsx"
    return _download(content, XLSX, name)
