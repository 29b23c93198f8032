"""The home page (the signed-in user's dashboard, else what the system is and their units)
and search across what the user may see: pages that read every app, so they sit on top."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.accounts.rules import Role
from ketnghia.core import gate
from ketnghia.dashboards import search, todos
from ketnghia.dashboards import views as dashboards_views
from ketnghia.geo import selectors as geo_selectors


@gate.gate("public")
def home(request: HttpRequest) -> HttpResponse:
    """Say what the system is; for a signed-in user, also link to the units they answer for.

    A user with a program dashboard (province viewers and administrators, district and commune
    officers, twinning-unit members) finds it here instead: it is their home page.
    """
    if request.user.is_authenticated:
        year, items = todos.todos_for(user=request.user)
        request.home_todos = items  # type: ignore[attr-defined]
        request.home_year = year  # type: ignore[attr-defined]
        request.at_home = True  # type: ignore[attr-defined]
    dashboard = dashboards_views.home_dashboard(request)
    if dashboard is not None:
        return dashboard
    # The page itself is public, so the gate hands it no scope; the jurisdiction links are
    # asked of the gate explicitly, with the same rule the unit pages use.
    roots = None
    if gate.allows(request.user, "units.view"):
        scope = gate.check(request.user, "units.view")
        roots = geo_selectors.unit_roots_for(scope=scope)
    return render(
        request,
        "core/home.html",
        {
            "jurisdiction_roots": roots,
            "todos": getattr(request, "home_todos", []),
            # The public portal's roles (bulletin editor, comment moderator) answer for a unit
            # without reaching its protected data: their home names it and says what is next.
            "portal_role": request.user.is_authenticated
            and request.user.role in (Role.PUBLIC_EDITOR, Role.PUBLIC_MODERATOR),
        },
    )


@gate.gate("signed_in")
def search_page(request: HttpRequest) -> HttpResponse:
    """Search units, villages, households, organisations and people the user may see."""
    query = request.GET.get("q", "")
    results = search.search_for(
        view_scope=gate.scope_for(request.user, gate.Action.VIEW),
        personal_scope=gate.scope_for(request.user, gate.Action.SEE_PERSONAL_DATA),
        query=query,
    )
    return render(
        request,
        "core/search.html",
        {"results": results, "search_query": query, "min_length": search.MIN_LENGTH},
    )
