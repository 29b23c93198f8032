"""Census pages about a commune's households: a village's households by census year, and
the filters of a round's household list (village names, statuses)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ketnghia.census import villages as census_villages
from ketnghia.census.models import Status
from ketnghia.core import gate
from ketnghia.core.errors import NotFound
from ketnghia.geo import selectors as geo_selectors
from ketnghia.geo.models import UnitLevel
from ketnghia.households.views import PAGE_SIZE, commune_or_404, commune_villages


@gate.gate("census.view")
def village_detail(request: HttpRequest, commune: str, village: str) -> HttpResponse:
    """List a village's households and their census status by year, 50 a page."""
    unit = commune_or_404(request, commune)
    try:
        found = geo_selectors.unit_get_for(scope=request.scope, code=village)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if found.level != UnitLevel.VILLAGE or found.parent_id != unit.pk:
        raise Http404(_("Unit %(code)s not found.") % {"code": village})
    households = census_villages.village_household_list_for(scope=request.scope, village=found)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    table = census_villages.village_census_by_year(
        scope=request.scope, village=found, households=list(page.object_list)
    )
    context = {
        "commune": unit,
        "village": found,
        "page": page,
        "table": table,
        "statuses": Status.choices,
        "may_edit": gate.reaches(request.user, gate.Action.EDIT, found.path),
    }
    return render(request, "households/village.html", context)


# --- The household list of a census round: village names and filters ---------------------


def entry_filters(request: HttpRequest, census_round: Any) -> dict[str, Any]:
    """Return the round list's filters (village, status) as asked, with their choices.

    `filter_query` keeps the search and the filters in the pages' links.
    """
    villages = commune_villages(request, census_round.commune)
    names = {v.code: v.name for v in villages}
    village = request.GET.get("village", "")
    status = request.GET.get("status", "")
    village = village if village in names else ""
    status = status if status in Status.values else ""
    params = {"revision": census_round.revision, "q": request.GET.get("q", "").strip()}
    params |= {"village": village, "status": status}
    return {
        "village": village,
        "status": status,
        "village_names": names,
        "village_choices": list(names.items()),
        "status_choices": Status.choices,
        "filter_query": urlencode({k: v for k, v in params.items() if v}),
    }


def with_village_names(entries: Any, names: dict[str, str]) -> list[Any]:
    """Return `entries` (one page) with `village_name` set from the commune's villages."""
    listed = list(entries)
    for entry in listed:
        entry.village_name = names.get(entry.village_code, entry.village_code)
    return listed
