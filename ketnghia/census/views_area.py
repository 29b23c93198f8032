"""The census area's entry page (`census_area`, under /census/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketnghia.accounts.rules import Role
from ketnghia.census import inbox, workflow
from ketnghia.core import gate
from ketnghia.geo.models import Unit, UnitLevel


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
    year = int(raw) if raw.isdigit() and len(raw) == 4 else inbox.census_year_for(scope=scope)
    communes = scope.filter(
        Unit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent"), "path"
    ).order_by("parent__name", "name")
    latest = inbox.latest_rounds(scope, year) if year else {}
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
                "late": found is not None and inbox.is_late(inbox.days_waiting(found)),
            }
        )
        if Role.DISTRICT_OFFICER in holders:
            entry["waiting"] += 1
    districts = list(by_district.values())
    for entry in districts:
        entry["show_inbox"] = scope.contains_path(entry["district"].path)
    return render(request, "core/census_area.html", {"year": year, "districts": districts})
