"""The page of a program's figure under the units after the 2025 reform."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import Action, gate, scope_for
from ketnghia.geo.models import UnitLevel
from ketnghia.geo.selectors import unit_roots_for
from ketnghia.programs.selectors import program_defaults, program_get
from ketnghia.reform.selectors import reform_figures

DEFAULT_INDICATOR = "poverty_rate"


@gate("units.view")
def reform_figures_page(request: HttpRequest) -> HttpResponse:
    """List the communes after the reform with the figure re-aggregated from the old communes,
    and for each the old communes it came from; only what the reader's scope holds."""
    opened = program_defaults(scope=request.scope)  # type: ignore[attr-defined]
    try:
        year = int(request.GET.get("year") or opened.year)
    except ValueError:
        raise Http404(_("Unknown year.")) from None
    if not 1900 < year < 2100:
        raise Http404(_("Unknown year."))
    try:
        program = program_get(request.GET.get("program") or opened.program)
        figures = reform_figures(
            scope=request.scope,
            program=program,
            code=request.GET.get("indicator") or DEFAULT_INDICATOR,
            year=year,
            official=request.GET.get("official") != "0",
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    label = figures.label_en if (get_language() or "vi").startswith("en") else figures.label_vi
    # The mapping file is uploaded by a province administrator, for a province they administer.
    provinces = unit_roots_for(scope=scope_for(request.user, Action.ADMINISTER)).filter(
        level=UnitLevel.PROVINCE, valid_from__isnull=True
    )
    return render(
        request,
        "reform/figures.html",
        {"figures": figures, "label": label, "section": "units", "import_provinces": provinces},
    )
