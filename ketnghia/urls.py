"""Every route of the project; each declares its scoping-gate rule (see core/gate.py)."""

from django.urls import include, path
from django.views.i18n import set_language

from ketnghia.census import views_area
from ketnghia.core import urls as core_urls
from ketnghia.core.admin_site import admin_site
from ketnghia.core.gate import gate
from ketnghia.dashboards import home

# Core imports no app: the home page and search (in dashboards, as they read every app) join
# core's routes here, under their namespace, so `core:home` and `core:search` keep their names.
core_routes = [
    path("", home.home, name="home"),
    path("search/", home.search_page, name="search"),
    *core_urls.urlpatterns,
]

urlpatterns = [
    path("", include((core_routes, core_urls.app_name))),
    path("accounts/", include("ketnghia.accounts.urls")),
    # Before the unit pages: "reform-2025" would otherwise be read as a unit code.
    path("units/", include("ketnghia.reform.urls")),
    path("units/", include("ketnghia.geo.urls")),
    # The census area's entry; the commune and district pages below hang under it.
    path("census/", views_area.census_area, name="census_area"),
    path("census/", include("ketnghia.households.urls")),
    path("census/", include("ketnghia.census.urls")),
    path("criteria/", include("ketnghia.criteria.urls")),
    path("network/", include("ketnghia.twinning.urls")),
    path("support/", include("ketnghia.support.urls")),
    path("imports/", include("ketnghia.imports.urls")),
    path("reports/", include("ketnghia.reports.urls")),
    # Economic models (/models/…) and whether support worked (/outcomes/…).
    path("", include("ketnghia.economy.urls")),
    path("dashboards/", include("ketnghia.dashboards.urls")),
    path("bulletins/", include("ketnghia.portal.urls")),
    path("api/", include("ketnghia.api_urls")),
    path("i18n/setlang/", gate("public")(set_language), name="set_language"),
    path("admin/", admin_site.urls),
]

# The database down answers a 503 page (or JSON under /api/), anything else the 500 page.
handler500 = "ketnghia.core.unavailable.server_error"
