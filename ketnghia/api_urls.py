"""All API routes, under /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ketnghia.accounts.api import MeApi
from ketnghia.core.gate import gate
from ketnghia.geo.api import UnitDetailApi, UnitListApi

app_name = "api"
urlpatterns = [
    path("schema/", gate("public")(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        gate("public")(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("me/", MeApi.as_view(), name="me"),
    path("units/", UnitListApi.as_view(), name="unit_list"),
    path("units/<str:code>/", UnitDetailApi.as_view(), name="unit_detail"),
]
