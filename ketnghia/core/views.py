"""Pages that belong to no domain: the home page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketnghia.accounts.rules import Role
from ketnghia.census import workflow
from ketnghia.core import gate, search, todos
from ketnghia.core.attachments import attachment_get_for, attachment_response
from ketnghia.core.errors import NotFound
from ketnghia.dashboards import views as dashboards_views
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import Unit, UnitLevel


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


@gate.gate("census.view")
def census_area(request: HttpRequest) -> HttpResponse:
    """The census area's entry: a commune officer's commune, a district's inbox, else a list.

    The list shows each district inside the scope with its inbox and each commune with its
    round of the census year and who holds its next step, so every round is two clicks away.
    """
    user = request.user
    if user.role == Role.COMMUNE_OFFICER and user.jurisdiction_id:
        return redirect("census:commune_census", user.jurisdiction.code)
    if user.role == Role.DISTRICT_OFFICER and user.jurisdiction_id:
        return redirect("census:district_inbox", user.jurisdiction.code)
    scope = request.scope  # type: ignore[attr-defined]
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else todos.census_year_for(scope=scope)
    communes = scope.filter(
        Unit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent"), "path"
    ).order_by("parent__name", "name")
    latest = todos.latest_rounds(scope, year) if year else {}
    by_district: dict[str, dict] = {}
    for commune in communes:
        if commune.pk not in latest and user.role == Role.TWINNING_MEMBER:
            continue
        found = latest.get(commune.pk)
        district = commune.parent
        entry = by_district.setdefault(
            district.code, {"district": district, "rows": [], "waiting": 0, "show_inbox": True}
        )
        holders = workflow.holder_roles(found.state) if found else []
        entry["rows"].append(
            {
                "commune": commune,
                "round": found,
                "holders": [str(Role(r).label) for r in holders],
                "late": found is not None and todos.is_late(todos.days_waiting(found)),
            }
        )
        if Role.DISTRICT_OFFICER in holders:
            entry["waiting"] += 1
    districts = list(by_district.values())
    for entry in districts:
        entry["show_inbox"] = scope.contains_path(entry["district"].path)
    return render(request, "core/census_area.html", {"year": year, "districts": districts})


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


HELP_PAGES = ("census", "template", "network", "criteria", "report")


@gate.gate("public")
def help_index(request: HttpRequest) -> HttpResponse:
    """The list of help pages, one per area."""
    return render(request, "core/help/index.html", {"pages": HELP_PAGES})


@gate.gate("public")
def help_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One short help page (Vietnamese) on an area's work, step by step."""
    if slug not in HELP_PAGES:
        raise Http404
    return render(request, f"core/help/{slug}.html", {"pages": HELP_PAGES, "slug": slug})


@gate.gate("units.view")
def attachment_download(request: HttpRequest, key: str) -> HttpResponse:
    """Send one attachment of a unit the user may view, as a download (never shown inline)."""
    try:
        attachment = attachment_get_for(scope=request.scope, key=key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return attachment_response(attachment)
