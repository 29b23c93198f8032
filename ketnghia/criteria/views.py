"""Criteria pages: the province's counts, a commune's matrix, a village's years, infrastructure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, NotFound, add_problems
from ketnghia.core.gate import Action, gate, reaches, scope_for
from ketnghia.criteria import display, exports, selectors, services
from ketnghia.criteria.domain import Kind, Level
from ketnghia.criteria.forms import InfrastructureForm, ManualAssessmentForm, VillageFactsForm
from ketnghia.criteria.models import CommuneInfrastructure, VillageFacts
from ketnghia.criteria.providers import VILLAGE_FACT_FIELDS
from ketnghia.criteria.services import INFRASTRUCTURE_FIELDS
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.geo.selectors import unit_get_for, unit_roots_for
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import (
    DEFAULT_CRITERIA_SET,
    DEFAULT_REVIEW_YEAR,
    program_for,
)

STATE_TEXT = {"met": "✓", "not_met": "✗", "missing": "–"}


def _unit(request: HttpRequest, code: str, level: str) -> Unit:
    try:
        unit = unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if unit.level != level:
        raise Http404(_("Unit %(code)s not found.") % {"code": code})
    return unit


def _default_year(years: Sequence[int], none: int) -> int:
    """The programs app's review year when it has data, else the first year listed."""
    return DEFAULT_REVIEW_YEAR if DEFAULT_REVIEW_YEAR in years else years[0] if years else none


def _choices(request: HttpRequest) -> dict[str, Any]:
    codes = selectors.set_codes()
    code = request.GET.get("set") or (
        DEFAULT_CRITERIA_SET if DEFAULT_CRITERIA_SET in codes else (codes[0] if codes else "")
    )
    if codes and code not in codes:
        raise Http404(_("Unknown criteria set."))
    years = selectors.years_with_results(code=code)
    try:
        year = int(request.GET.get("year") or _default_year(years, 0))
    except ValueError:
        raise Http404(_("Unknown year.")) from None
    names = selectors.set_names()
    return {
        "set_codes": codes,
        "set_choices": [(c, names.get(c, c)) for c in codes],
        "set_code": code,
        "set_name": names.get(code, code),
        "years": years,
        "year": year,
    }


def _cells(criteria_set: Any, assessment: Any) -> list[dict[str, Any]]:
    details = assessment.details if assessment else {}
    cells = []
    for criterion in criteria_set.criteria:
        detail = details.get(criterion.code, {"state": "missing", "value": None, "threshold": None})
        cells.append({**display.cell(criterion, detail), "mark": STATE_TEXT[detail["state"]]})
    return cells


def _failing(criteria_set: Any, assessment: Any) -> list[str]:
    return display.failing_labels(criteria_set, assessment.failing) if assessment else []


@gate("units.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Show how many villages and communes meet a set, by district and by program group."""
    choices = _choices(request)
    # The program whose groups are counted: the one asked for, else the newest with a commune
    # in the user's units; another province's program is not found.
    code = request.GET.get("program") or None
    try:
        program: Program | None = program_for(scope=request.scope, code=code)
    except NotFound as exc:
        if code is not None:
            raise Http404(str(exc)) from exc
        program = None
    counts = (
        selectors.province_counts(
            scope=request.scope, code=choices["set_code"], year=choices["year"], program=program
        )
        if choices["year"]
        else {"districts": [], "groups": []}
    )
    labels = {
        "key": _("Key communes of the program"),
        "program": _("Other communes of the program"),
        "outside": _("Communes outside the program"),
    }
    for group in counts["groups"]:
        group["label"] = labels[group["key"]]
    # A district's row opens its communes (?district=CODE), each linking to its matrix: the
    # overview is no dead end.
    district_code = request.GET.get("district", "")
    district_communes = (
        request.scope.filter(
            Unit.objects.filter(parent__code=district_code, level=UnitLevel.COMMUNE), "path"
        ).order_by("name")
        if district_code
        else None
    )
    return render(
        request,
        "criteria/overview.html",
        {
            **choices,
            **counts,
            "program": program,
            "section": "criteria",
            "district_code": district_code,
            "district_communes": district_communes,
        },
    )


@gate("units.view")
def commune_matrix(request: HttpRequest, commune: str) -> HttpResponse:
    """Show a commune's villages × criteria for one year, and the commune's own result."""
    unit = _unit(request, commune, UnitLevel.COMMUNE)
    choices = _choices(request)
    context = {
        **choices,
        **_matrix(request, unit, choices["set_code"], choices["year"]),
        "commune": unit,
    }
    context["can_edit"] = reaches(request.user, Action.EDIT, unit.path)
    return render(request, "criteria/commune.html", context)


def _matrix(request: HttpRequest, unit: Unit, code: str, year: int) -> dict[str, Any]:
    villages = list(Unit.objects.filter(parent=unit, level=UnitLevel.VILLAGE).order_by("code"))
    village_set, village_results = selectors.stored_results(
        scope=request.scope, code=code, level=Level.VILLAGE, year=year, units=villages
    )
    commune_set, commune_results = selectors.stored_results(
        scope=request.scope, code=code, level=Level.COMMUNE, year=year, units=[unit]
    )
    rows = []
    if village_set is not None:
        for village in villages:
            assessment = village_results.get(village.pk)
            rows.append(
                {
                    "unit": village,
                    "assessment": assessment,
                    "cells": _cells(village_set, assessment),
                    "failing": _failing(village_set, assessment),
                }
            )
    commune_row = None
    if commune_set is not None:
        assessment = commune_results.get(unit.pk)
        commune_row = {
            "unit": unit,
            "assessment": assessment,
            "cells": _cells(commune_set, assessment),
            "failing": _failing(commune_set, assessment),
        }
    return {
        "village_set": village_set,
        "commune_set": commune_set,
        "rows": rows,
        "commune_row": commune_row,
        "commune_row_list": [commune_row] if commune_row else [],
    }


@gate("units.view")
def commune_export(request: HttpRequest, commune: str) -> HttpResponse:
    """Download the commune's matrix as .xlsx."""
    unit = _unit(request, commune, UnitLevel.COMMUNE)
    choices = _choices(request)
    matrix = _matrix(request, unit, choices["set_code"], choices["year"])
    matrix.pop("commune_row_list")
    content = exports.matrix_workbook(commune=unit, year=choices["year"], **matrix)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tieu-chi-{unit.code}-{choices["year"]}.xlsx"'
    )
    return response


@gate("units.view")
def village_progress(request: HttpRequest, village: str) -> HttpResponse:
    """Show a village's result year by year, with what held it back."""
    unit = _unit(request, village, UnitLevel.VILLAGE)
    code = request.GET.get("set") or DEFAULT_CRITERIA_SET
    rows = selectors.village_progress(scope=request.scope, village=unit, code=code)
    facts = {row.year: row for row in VillageFacts.objects.filter(village=unit)}
    sets: dict[int, Any] = {}
    for row in rows:
        if row.set_version_id not in sets:
            sets[row.set_version_id] = row.set_version.as_set()
    context = {
        "village": unit,
        "set_code": code,
        "set_name": selectors.set_names().get(code, code),
        "rows": [
            {
                "assessment": row,
                "facts": facts.get(row.year),
                "failing": _failing(sets[row.set_version_id], row),
            }
            for row in rows
        ],
        "can_edit": reaches(request.user, Action.EDIT, unit.path),
    }
    return render(request, "criteria/village.html", context)


def _edit(
    request: HttpRequest,
    *,
    unit: Unit,
    year: int,
    form_class: Any,
    instance: Any,
    fields: Any,
    save: Any,
    template: str,
    back: str,
) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in fields}
            try:
                save(values)
            except InvalidInput as error:
                add_problems(form, error)
            else:
                return redirect(back)
        status = 400
    return render(
        request, template, {"form": form, "unit": unit, "year": year, "back": back}, status=status
    )


@gate("units.edit")
def village_facts_edit(request: HttpRequest, village: str, year: int) -> HttpResponse:
    """Enter a village's facts of one year; its results and its commune's are refreshed."""
    unit = _unit(request, village, UnitLevel.VILLAGE)
    instance = VillageFacts.objects.filter(village=unit, year=year).first() or VillageFacts(
        village=unit, year=year
    )
    return _edit(
        request,
        unit=unit,
        year=year,
        form_class=VillageFactsForm,
        instance=instance,
        fields=VILLAGE_FACT_FIELDS,
        save=lambda values: services.village_facts_set(
            village=unit, year=year, values=values, actor=request.user
        ),
        template="criteria/edit.html",
        back=reverse("criteria:village", args=[unit.code]),
    )


@gate("units.edit")
def infrastructure_edit(request: HttpRequest, commune: str, year: int) -> HttpResponse:
    """Enter a commune's infrastructure of one year; results are refreshed."""
    unit = _unit(request, commune, UnitLevel.COMMUNE)
    instance = CommuneInfrastructure.objects.filter(
        commune=unit, year=year
    ).first() or CommuneInfrastructure(commune=unit, year=year)
    return _edit(
        request,
        unit=unit,
        year=year,
        form_class=InfrastructureForm,
        instance=instance,
        fields=INFRASTRUCTURE_FIELDS,
        save=lambda values: services.infrastructure_set(
            commune=unit, year=year, values=values, actor=request.user
        ),
        template="criteria/edit.html",
        back=reverse("criteria:infrastructure") + f"?year={year}",
    )


@gate("units.view")
def infrastructure(request: HttpRequest) -> HttpResponse:
    """Show the communes' infrastructure of one year."""
    years = selectors.infrastructure_years()
    try:
        year = int(request.GET.get("year") or _default_year(years, DEFAULT_REVIEW_YEAR))
    except ValueError:
        raise Http404(_("Unknown year.")) from None
    rows = selectors.infrastructure_list_for(scope=request.scope, year=year)
    road_ok = sum(
        1 for _c, row in rows if row and row.road_to_centre in ("all_season", "dry_season")
    )
    context = {
        "years": years,
        "year": year,
        "rows": rows,
        "road_ok": road_ok,
        "section": "criteria",
        # The units whose communes' infrastructure the user may upload (their edit scope's).
        "import_units": unit_roots_for(scope=scope_for(request.user, Action.EDIT)),
    }
    return render(request, "criteria/infrastructure.html", context)


@gate("units.edit")
def manual_assessment(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Record an assessed criterion of a village or commune, with its evidence."""
    try:
        unit = unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    level = {UnitLevel.VILLAGE: Level.VILLAGE, UnitLevel.COMMUNE: Level.COMMUNE}.get(unit.level)
    set_code = request.GET.get("set") or request.POST.get("set") or DEFAULT_CRITERIA_SET
    try:
        criteria_set = selectors.criteria_set_get(code=set_code, level=str(level), year=year)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    choices = [
        (c.code, display.criterion_label(c))
        for c in criteria_set.criteria
        if c.kind == Kind.ASSESSED
    ]
    if not choices:
        raise Http404(_("This set has no assessed criterion."))
    form = ManualAssessmentForm(request.POST or None, request.FILES or None, criteria=choices)
    back = (
        reverse("criteria:village", args=[unit.code])
        if level == Level.VILLAGE
        else reverse("criteria:commune", args=[unit.code]) + f"?year={year}"
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.manual_assessment_record(
                    unit=unit, year=year, set_code=set_code, actor=request.user, **form.cleaned_data
                )
            except InvalidInput as error:
                add_problems(form, error)
            else:
                return redirect(back)
        status = 400
    context = {"form": form, "unit": unit, "year": year, "back": back, "set_code": set_code}
    return render(request, "criteria/edit.html", context, status=status)
