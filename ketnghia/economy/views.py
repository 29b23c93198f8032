"""Pages of economic models and of the outcome analysis; every read through the gate's scope."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core import gate
from ketnghia.core.attachments import attachment_url
from ketnghia.core.errors import NotFound
from ketnghia.economy import charts, selectors
from ketnghia.economy.panel import estimator_settings, kind_label, program_outcomes
from ketnghia.programs.models import Program
from ketnghia.programs.selectors import program_choices, program_for


def _program(request: HttpRequest) -> tuple[Program | None, list[Program]]:
    programs = program_choices(scope=request.scope)
    if not programs and not request.GET.get("program"):
        return None, []  # no program reaches the user's units: an empty page, not a 404
    try:
        return program_for(
            scope=request.scope, code=request.GET.get("program") or None, programs=programs
        ), programs
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@gate.gate("units.view")
def model_list(request: HttpRequest) -> HttpResponse:
    """List the program's economic models with how far each was replicated."""
    program, programs = _program(request)
    rows = selectors.model_rows(scope=request.scope, program=program) if program else []
    return render(
        request,
        "economy/models.html",
        {"program": program, "programs": programs, "rows": rows},
    )


@gate.gate("units.view")
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one model: results over the years, photos, participants and replications."""
    try:
        model = selectors.model_get_for(scope=request.scope, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    replications = selectors.Replications()
    results = selectors.model_results(model)
    origin = model.origin
    if origin is not None and not request.scope.contains_path(origin.unit_path):
        origin = None
    return render(
        request,
        "economy/model.html",
        {
            "model": model,
            "origin": origin,
            "spread": replications.spread(model.pk),
            "households": len(replications.households_of.get(model.pk, ())),
            "tree": replications.tree(model, scope=request.scope),
            "results": results,
            "results_chart": charts.results_chart(results) if results else None,
            "photos": [attachment_url(photo) for photo in model.photos.all()],
        },
    )


@gate.gate("units.view")
def outcome_page(request: HttpRequest) -> HttpResponse:
    """Show, per package kind, the matched difference in poverty exits and its checks."""
    program, programs = _program(request)
    results = program_outcomes(program, scope=request.scope) if program else []
    kinds = [
        {
            "result": result,
            "label": kind_label(result.kind),
            "chart": charts.event_study_chart(result.event_study) if result.event_study else None,
            "chart_id": f"event-study-{result.kind}",
        }
        for result in results
    ]
    return render(
        request,
        "economy/outcomes.html",
        {
            "program": program,
            "programs": programs,
            "kinds": kinds,
            "comparison": estimator_settings().comparison,
        },
    )
