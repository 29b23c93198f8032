"""Unit pages: the tree with search, and one unit with its classification history and children."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import Action, gate, reaches
from ketnghia.geo import selectors
from ketnghia.geo.models import Unit, UnitLevel

# Search shows this many results; one more is fetched to know whether to say "refine".
SEARCH_LIMIT = 50


def _unit_or_404(request: HttpRequest, code: str) -> Unit:
    """Return the unit if the scope holds it; the same 404 for missing and forbidden."""
    try:
        return selectors.unit_get_for(scope=request.scope, code=code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _search(request: HttpRequest) -> dict[str, object]:
    query = request.GET.get("q", "").strip()
    if not query:
        return {"query": query, "results": None, "more": False}
    found = list(
        selectors.unit_search_for(scope=request.scope, query=query, limit=SEARCH_LIMIT + 1)
    )
    return {"query": query, "results": found[:SEARCH_LIMIT], "more": len(found) > SEARCH_LIMIT}


def _is_search_refresh(request: HttpRequest) -> bool:
    """Return whether htmx asks for the live search results only (not a full page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == "search-results" and not htmx.history_restore_request


@gate("units.view")
@vary_on_headers("HX-Request", "HX-Target")
def unit_tree(request: HttpRequest) -> HttpResponse:
    """Show the user's units as a lazily expanded tree, with search (live with htmx, else a form)."""
    search = _search(request)
    if _is_search_refresh(request):
        return render(request, "geo/_search_results.html", search)
    roots = list(selectors.unit_roots_for(scope=request.scope))
    # One root (a commune or district officer's jurisdiction) opens at once: the first thing
    # such a user wants is what lies below it.
    opened = roots[0] if len(roots) == 1 else None
    context = {
        **search,
        "roots": roots,
        "opened": opened,
        "opened_children": (
            selectors.unit_children_for(scope=request.scope, unit=opened) if opened else None
        ),
    }
    return render(request, "geo/unit_tree.html", context)


@gate("units.view")
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """Return the tree nodes below one unit (htmx); a plain visit goes to the unit's page."""
    unit = _unit_or_404(request, code)
    if not getattr(request, "htmx", False):
        return redirect(unit)
    children = selectors.unit_children_for(scope=request.scope, unit=unit)
    return render(request, "geo/_children.html", {"unit": unit, "children": children})


@gate("units.view")
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one unit: where it sits, what it is, its classification history and its children."""
    unit = _unit_or_404(request, code)
    # Ancestors above the user's scope are named (they are public administrative names) but
    # not linked: their pages would answer 404.
    breadcrumb = [
        (ancestor, request.scope.contains_path(ancestor.path))
        for ancestor in selectors.unit_ancestors(unit=unit)
    ]
    context = {
        "unit": unit,
        "breadcrumb": breadcrumb,
        "children": selectors.unit_children_for(scope=request.scope, unit=unit),
        "classifications": selectors.unit_classification_history(unit=unit),
        "this_year": timezone.localdate().year,
        # The unit tree's files are loaded by those who administer the unit (its uploads'
        # own gate rule, "admin", decides again).
        "may_import": unit.level != UnitLevel.VILLAGE
        and reaches(request.user, Action.ADMINISTER, unit.path),
    }
    return render(request, "geo/unit_detail.html", context)
