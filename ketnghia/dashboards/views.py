"""Dashboards: the program's figures for a province, district, commune or twinning unit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.accounts.models import Role
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.dashboards import charts, selectors, services
from ketnghia.dashboards import rows as dashboard_rows
from ketnghia.dashboards.models import CommuneMap
from ketnghia.dashboards.support_card import support_card_for, support_chart
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import cache as page_cache
from ketnghia.indicators.coverage import figure_coverage
from ketnghia.programs.models import Program


class _Options:
    """The dashboard's query string: ?program=nq04&year=2015&official=0."""

    def __init__(self, request: HttpRequest) -> None:
        self.program_code = request.GET.get("program") or None
        raw_year = request.GET.get("year", "")
        self.year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
        self.official = request.GET.get("official", "1") != "0"

    def query(self, program: Program, year: int | None, **changes: Any) -> str:
        values: dict[str, Any] = {"program": program.code}
        if year is not None:
            values["year"] = year
        if not self.official:
            values["official"] = "0"
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v is not None})


def _program(request: HttpRequest, options: _Options) -> Program:
    programs = getattr(request, "dashboard_programs", None)
    if programs is None:
        programs = selectors.program_choices(scope=request.scope)
        request.dashboard_programs = programs  # type: ignore[attr-defined]
    try:
        return selectors.program_for(
            scope=request.scope, code=options.program_code, programs=programs
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _unit_dashboard(
    request: HttpRequest, unit: Unit, *, at_home: bool = False, csrf_token: str | None = None
) -> HttpResponse:
    """Render a unit's dashboard, its body from the cache shared by the scope (`csrf_token`:
    what the page carries instead of the request's, see `page_cache.kept_page`)."""
    options = _Options(request)
    program = _program(request, options)
    version = getattr(request, "data_version", None) or page_cache.data_version(unit_path=unit.path)
    may_see_households = gate.reaches(request.user, gate.Action.VIEW, unit.path)
    may_upload_map = gate.allows(request.user, "admin")
    # Everything the body depends on besides the scope, language and data version.
    key = page_cache.key_for(
        page="dashboard",
        scope=request.scope,
        version=version,
        parts=[
            request.path,
            unit.code,
            program.code,
            options.year,
            options.official,
            may_see_households,
            may_upload_map,
        ],
    )

    def build() -> str:
        context = _unit_context(request, unit, options, program, version=version.token)
        context["may_see_households"] = may_see_households
        context["may_upload_map"] = may_upload_map
        return render_to_string("dashboards/_unit_body.html", context)

    body = page_cache.cached_text(key, build)
    # Our own template's output, kept as text in the cache.
    context = {"unit": unit, "body": mark_safe(body), "at_home": at_home}
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    return render(request, "dashboards/unit.html", context)


def _unit_context(
    request: HttpRequest, unit: Unit, options: _Options, program: Program, *, version: str
) -> dict[str, Any]:
    """Return what the dashboard's body shows (the same for every user of the same scope).

    A province's dashboard is read from its stored row when there is one of the current data
    `version` (`dashboard_rows.stored_dashboard_for`), and computed from the aggregates otherwise.
    """

    def commune_url(code: str) -> str:
        return reverse("dashboards:unit", args=[code]) + "?" + options.query(program, year)

    year = options.year
    stored = dashboard_rows.stored_dashboard_for(
        scope=request.scope,
        program=program,
        unit=unit,
        year=year,
        official=options.official,
        version=version,
        map_url=lambda code: commune_url(code),
    )
    if stored is not None:
        dashboard, coverage = stored
    else:
        try:
            dashboard = selectors.dashboard_for(
                scope=request.scope,
                program=program,
                unit=unit,
                year=year,
                official=options.official,
                map_url=lambda code: commune_url(code),
            )
        except Unit.DoesNotExist as exc:
            raise Http404(_("Unit not found.")) from exc
        coverage = selectors.coverage_for(
            scope=request.scope,
            program=program,
            unit=unit,
            year=dashboard.year,
            official=bool(dashboard.official),
        )
    year = dashboard.year
    query = options.query(program, year)
    support = support_card_for(
        scope=request.scope,
        program=program,
        unit=unit,
        year=year,
        official=bool(dashboard.official),
    )
    return {
        "support": support,
        "support_chart": support_chart(support) if support and support.sources else None,
        "dashboard": dashboard,
        "coverage": coverage,
        "program": program,
        "programs": request.dashboard_programs,  # type: ignore[attr-defined]
        "unit": unit,
        "ancestors": _ancestors_in_scope(request, unit),
        "query": query,
        "official_query": options.query(program, year, official=None),
        "in_progress_query": options.query(program, year, official="0"),
        "form_action": request.path,
        "trend_chart": charts.trend_chart(dashboard.trends, dashboard.breaks)
        if dashboard.trends
        else None,
        "district_chart": charts.district_chart(
            dashboard.districts, lambda code: reverse("dashboards:unit", args=[code]) + "?" + query
        )
        if dashboard.districts
        else None,
        "review_query": urlencode(
            {
                "program": program.code,
                "baseline": dashboard.years[-1] if dashboard.years else "",
                "year": year or "",
            }
        ),
    }


def _ancestors_in_scope(request: HttpRequest, unit: Unit) -> list[Unit]:
    codes = unit.ancestor_codes
    if not codes:
        return []
    found = request.scope.filter(Unit.objects.filter(code__in=codes)).only("code", "name", "path")
    return sorted(found, key=lambda u: len(u.path))


def home_dashboard(request: HttpRequest) -> HttpResponse | None:
    """Return the signed-in user's own dashboard for the home page, or None when they have none."""
    if not gate.allows(request.user, "units.view"):
        return None
    request.scope = gate.check(request.user, "units.view")  # type: ignore[attr-defined]
    programs = selectors.program_choices(scope=request.scope)
    if not programs:
        return None
    request.dashboard_programs = programs  # type: ignore[attr-defined]
    _open_on_census_year(request)
    if request.user.role == Role.TWINNING_MEMBER:
        return _twinning_dashboard(request)
    unit = selectors.home_unit_for(user=request.user, scope=request.scope)
    if unit is None:
        return None
    return _unit_dashboard(request, unit, at_home=True)


def _open_on_census_year(request: HttpRequest) -> None:
    """Open the home on the census year (`request.home_year`, the open round's), not the last
    approved one; while that year has rounds in progress, with their provisional figures."""
    year = getattr(request, "home_year", None)
    if year is None or "year" in request.GET:
        return
    query = request.GET.copy()
    query["year"] = str(year)
    if "official" not in query and selectors.year_in_progress(scope=request.scope, year=year):
        query["official"] = "0"
    request.GET = query


@gate.gate("units.view")
def my_dashboard(request: HttpRequest) -> HttpResponse:
    """Open the dashboard of the unit the user answers for (a twinning unit: its communes)."""
    if request.user.role == Role.TWINNING_MEMBER:
        return redirect(reverse("dashboards:twinning") + _query_string(request))
    unit = selectors.home_unit_for(user=request.user, scope=request.scope)
    if unit is None:
        raise Http404(_("Unit not found."))
    return redirect(reverse("dashboards:unit", args=[unit.code]) + _query_string(request))


def _query_string(request: HttpRequest) -> str:
    return "?" + request.GET.urlencode() if request.GET else ""


def _dashboard_unit(request: HttpRequest, code: str) -> Unit | None:
    """Return the unit `code` inside the user's scope (looked up once per request)."""
    if not hasattr(request, "dashboard_unit"):
        try:
            unit: Unit | None = selectors.unit_for(scope=request.scope, code=code)
        except NotFound:
            unit = None
        request.dashboard_unit = unit  # type: ignore[attr-defined]
    return request.dashboard_unit  # type: ignore[attr-defined]


def _dashboard_path(request: HttpRequest, code: str) -> str | None:
    unit = _dashboard_unit(request, code)
    return unit.path if unit is not None else None


@gate.gate("units.view")
@page_cache.revalidated("dashboard", _dashboard_path)
def unit_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Show a province's, district's or commune's dashboard (404 outside the user's units)."""
    unit = _dashboard_unit(request, code)
    if unit is None:
        raise Http404(_("Unit %(code)s not found.") % {"code": code})
    # The whole page is kept for the user, checked before anything of the page is read: a
    # repeat costs the session, the user, the unit and the data version (`revalidated`).
    key = page_cache.user_page_key(
        request,
        page="dashboard",
        version=request.data_version,  # type: ignore[attr-defined]
        parts=[
            unit.code,
            gate.reaches(request.user, gate.Action.VIEW, unit.path),
            gate.allows(request.user, "admin"),
        ],
    )
    return page_cache.kept_page(
        request, key, lambda csrf_token: _unit_dashboard(request, unit, csrf_token=csrf_token)
    )


@gate.gate("units.view")
def figure_units(request: HttpRequest, code: str) -> HttpResponse:
    """List the communes (or villages) behind one figure of a unit's dashboard."""
    options = _Options(request)
    program = _program(request, options)
    figure_code = request.GET.get("figure", "")
    try:
        unit = selectors.unit_for(scope=request.scope, code=code)
        if options.year is None:
            raise NotFound(_("Figure not found."))
        behind = selectors.units_behind_for(
            scope=request.scope,
            program=program,
            unit=unit,
            code=figure_code,
            year=options.year,
            official=options.official,
            group=request.GET.get("group", ""),
        )
    except (NotFound, Unit.DoesNotExist) as exc:
        raise Http404(str(exc)) from exc
    query = options.query(program, options.year)
    group = request.GET.get("group", "")
    left_out = figure_coverage(
        scope=request.scope,
        program=program,
        year=options.year,
        within=unit,
        codes=[figure_code],
        disaggregation=group,
        official=options.official,
    ).get(figure_code)
    rows = [*behind.meeting, *behind.others]
    households = {
        row.commune_code
        for row in rows
        if row.commune_path and gate.reaches(request.user, gate.Action.VIEW, row.commune_path)
    }
    return render(
        request,
        "dashboards/behind.html",
        {
            "behind": behind,
            "program": program,
            "unit": unit,
            "year": options.year,
            "official": options.official,
            "query": query,
            "household_links": households,
            "coverage": left_out if left_out is not None and left_out.missing else None,
            # A criteria figure is explained by the criteria matrix, not by the households.
            "criteria_figure": figure_code.endswith("_meeting_criteria"),
        },
    )


def _twinning_dashboard(request: HttpRequest) -> HttpResponse:
    options = _Options(request)
    program = _program(request, options)
    year, years, communes = selectors.twinning_dashboard_for(
        scope=request.scope, program=program, year=options.year, official=options.official
    )
    return render(
        request,
        "dashboards/twinning.html",
        {
            "program": program,
            "year": year,
            "years": years,
            "official": options.official,
            "communes": communes,
            "query": options.query(program, year),
            "official_query": options.query(program, year, official=None),
            "in_progress_query": options.query(program, year, official="0"),
            "form_action": request.path,
            "organisation": request.user.organisation,
        },
    )


@gate.gate("units.view")
def twinning_dashboard(request: HttpRequest) -> HttpResponse:
    """Show a twinning unit's communes and their figures."""
    return _twinning_dashboard(request)


class CommuneMapForm(forms.Form):
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"), queryset=Unit.objects.none(), empty_label=None
    )
    code_property = forms.CharField(
        label=gettext_lazy("Property holding the commune code"),
        max_length=services.CODE_PROPERTY_MAX,
        initial="ma_xa",
        help_text=gettext_lazy("For example ma_xa or code: the name used in the file's features."),
    )
    file = forms.FileField(label=gettext_lazy("GeoJSON file"))


@gate.gate("admin")
def commune_maps(request: HttpRequest) -> HttpResponse:
    """Upload a province's commune map (GeoJSON keyed by commune code) and see what is loaded."""
    provinces = request.scope.filter(Unit.objects.filter(level=UnitLevel.PROVINCE)).order_by("code")
    form = CommuneMapForm(request.POST or None, request.FILES or None)
    form.fields["province"].queryset = provinces
    problems = []
    saved = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.commune_map_save(
                province=form.cleaned_data["province"],
                uploaded_file=form.cleaned_data["file"],
                code_property=form.cleaned_data["code_property"],
                actor=request.user,
            )
        except InvalidInput as exc:
            problems = exc.problems
    maps = CommuneMap.objects.filter(province__in=provinces).select_related(
        "province", "uploaded_by"
    )
    status = 400 if request.method == "POST" and (problems or form.errors) else 200
    return render(
        request,
        "dashboards/maps.html",
        {"form": form, "problems": problems, "saved": saved, "maps": maps},
        status=status,
    )
