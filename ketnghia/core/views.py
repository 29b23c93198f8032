"""Pages that belong to no domain: help, attachment downloads.

The home page and search live in `dashboards.home` (they read every app), the census area's
entry in `census.views_area`: core imports no app. The project's URLconf keeps their names
(`core:home`, `core:search`, `census_area`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketnghia.core import gate
from ketnghia.core.attachments import attachment_get_for, attachment_response
from ketnghia.core.errors import NotFound

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
