"""Every route of the project; each declares its scoping-gate rule (see core/gate.py)."""

from django.urls import include, path
from django.views.i18n import set_language

from ketnghia.core import views as core_views
from ketnghia.core.admin_site import admin_site
from ketnghia.core.gate import gate

urlpatterns = [
    path("", include("ketnghia.core.urls")),
    path("accounts/", include("ketnghia.accounts.urls")),
    # Before the unit pages: "reform-2025" would otherwise be read as a unit code.
    path("units/", include("ketnghia.reform.urls")),
    path("units/", include("ketnghia.geo.urls")),
    # The census area's entry; the commune and district pages below hang under it.
    path("census/", core_views.census_area, name="census_area"),
    path("census/", include("ketnghia.households.urls")),
    path("census/", include("ketnghia.census.urls")),
    path("criteria/", include("ketnghia.criteria.urls")),
    path("network/", include("ketnghia.twinning.urls")),
    path("reports/", include("ketnghia.reports.urls")),
    path("dashboards/", include("ketnghia.dashboards.urls")),
    path("bulletins/", include("ketnghia.portal.urls")),
    path("api/", include("ketnghia.api_urls")),
    path("i18n/setlang/", gate("public")(set_language), name="set_language"),
    path("admin/", admin_site.urls),
]

# The database down answers a 503 page (or JSON under /api/), anything else the 500 page.
handler500 = "ketnghia.core.unavailable.server_error"
