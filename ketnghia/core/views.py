"""Pages that belong to no domain: the home page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core import gate
from ketnghia.core.attachments import attachment_get_for, attachment_response
from ketnghia.core.errors import NotFound
from ketnghia.dashboards import views as dashboards_views
from ketnghia.geo import selectors as geo_selectors


@gate.gate("public")
def home(request: HttpRequest) -> HttpResponse:
    """Say what the system is; for a signed-in user, also link to the units they answer for.

    A user with a program dashboard (province viewers and administrators, district and commune
    officers, twinning-unit members) finds it here instead: it is their home page.
    """
    dashboard = dashboards_views.home_dashboard(request)
    if dashboard is not None:
        return dashboard
    # The page itself is public, so the gate hands it no scope; the jurisdiction links are
    # asked of the gate explicitly, with the same rule the unit pages use.
    roots = None
    if gate.allows(request.user, "units.view"):
        scope = gate.check(request.user, "units.view")
        roots = geo_selectors.unit_roots_for(scope=scope)
    return render(request, "core/home.html", {"jurisdiction_roots": roots})


@gate.gate("units.view")
def attachment_download(request: HttpRequest, key: str) -> HttpResponse:
    """Send one attachment of a unit the user may view, as a download (never shown inline)."""
    try:
        attachment = attachment_get_for(scope=request.scope, key=key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return attachment_response(attachment)
