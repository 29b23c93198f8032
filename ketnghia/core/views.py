"""Pages that belong to no domain: the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core import gate
from ketnghia.geo import selectors as geo_selectors


@gate.gate("public")
def home(request: HttpRequest) -> HttpResponse:
    """Say what the system is; for a signed-in user, also link to the units they answer for."""
    # The page itself is public, so the gate hands it no scope; the jurisdiction links are
    # asked of the gate explicitly, with the same rule the unit pages use.
    roots = None
    if gate.allows(request.user, "units.view"):
        scope = gate.check(request.user, "units.view")
        roots = geo_selectors.unit_roots_for(scope=scope)
    return render(request, "core/home.html", {"jurisdiction_roots": roots})
