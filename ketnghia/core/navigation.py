"""The main menu: the areas a user may use, decided by the scoping gate, and where each opens.

A menu item is shown only when the gate lets the user through the route it opens, so no item
answers 403. Each area also names its help page (`core.help_pages`), which the breadcrumb row
links to from every page of the area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ketnghia.core import gate


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    url: str
    help_slug: str = ""


# Which area a page belongs to, by its URL namespace (the dashboards are the overview).
AREA_OF_NAMESPACE: dict[str, str] = {
    "dashboards": "overview",
    "census": "census",
    "households": "census",
    "twinning": "network",
    "criteria": "criteria",
    "support": "support",
    "reports": "reports",
    "economy": "economy",
    "geo": "units",
    "reform": "units",
    "admin": "admin",
    "portal": "bulletins",
}

HELP_OF_AREA: dict[str, str] = {
    "census": "census",
    "network": "network",
    "criteria": "criteria",
    "reports": "report",
}


def areas_for(user: Any) -> list[Area]:
    """Return the menu's areas `user` may open, in the menu's order."""
    if user is None or not user.is_authenticated:
        return []
    areas = [Area("overview", _("Overview"), reverse("core:home"))]
    # census.view and units.view are the same action (VIEW): one question to the gate.
    if gate.allows(user, "units.view"):
        areas += [
            Area("census", _("Poverty census"), reverse("census_area"), "census"),
            Area("network", _("Twinning network"), reverse("twinning:overview"), "network"),
            Area("criteria", _("Criteria"), reverse("criteria:overview"), "criteria"),
            Area("support", _("Support"), reverse("support:documents")),
            Area("economy", _("Economic models"), reverse("economy:models")),
            Area("reports", _("Reports"), reverse("reports:review"), "report"),
            Area("units", _("Administrative units"), reverse("geo:unit_tree")),
        ]
    # The public portal's work: the editor's bulletins, the moderator's comments.
    if gate.allows(user, "portal.edit"):
        areas.append(Area("bulletins", _("Bulletins"), reverse("portal:manage")))
    elif gate.allows(user, "portal.moderate"):
        areas.append(Area("bulletins", _("Bulletins"), reverse("portal:moderation")))
    if user.is_staff and gate.allows(user, "admin"):
        areas.append(Area("admin", _("Administration"), reverse("admin:index")))
    return areas


def current_area(namespace: str, url_name: str) -> str:
    """Return the key of the area a page (by its namespace and URL name) belongs to."""
    if namespace == "core":
        return {"help": "help", "help_page": "help", "search": "search"}.get(url_name, "overview")
    if not namespace and url_name == "census_area":
        return "census"
    return AREA_OF_NAMESPACE.get(namespace, "")
