"""Unit pages: the tree, search, and one unit with its classification history and children."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import gate
from ketnghia.geo import selectors


@gate("units.view")
def unit_tree(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "roots": selectors.unit_roots_for(scope=request.scope),
        "query": query,
        "results": selectors.unit_search_for(scope=request.scope, query=query) if query else None,
    }
    return render(request, "geo/unit_tree.html", context)


@gate("units.view")
def unit_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = selectors.unit_search_for(scope=request.scope, query=query) if query else None
    return render(request, "geo/_search_results.html", {"query": query, "results": results})


@gate("units.view")
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = selectors.unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    children = selectors.unit_children_for(scope=request.scope, unit=unit)
    return render(request, "geo/_children.html", {"unit": unit, "children": children})


@gate("units.view")
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = selectors.unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit=unit),
        "children": selectors.unit_children_for(scope=request.scope, unit=unit),
        "classifications": selectors.unit_classification_history(unit=unit),
    }
    return render(request, "geo/unit_detail.html", context)
