"""Criteria pages under /criteria/; each view declares its gate rule."""

from django.urls import path

from ketnghia.criteria import views
from ketnghia.criteria.uploads import INFRASTRUCTURE_UPLOAD
from ketnghia.imports.uploads import upload_paths

app_name = "criteria"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("infrastructure/", views.infrastructure, name="infrastructure"),
    # The infrastructure file, uploaded for a unit whose communes the user may edit.
    *upload_paths("infrastructure/import/<str:code>/", INFRASTRUCTURE_UPLOAD, "units.edit"),
    path("village/<str:village>/", views.village_progress, name="village"),
    path("village/<str:village>/<int:year>/facts/", views.village_facts_edit, name="village_facts"),
    path("assess/<str:code>/<int:year>/", views.manual_assessment, name="manual_assessment"),
    path("<str:commune>/", views.commune_matrix, name="commune"),
    path("<str:commune>/export.xlsx", views.commune_export, name="commune_export"),
    path(
        "<str:commune>/<int:year>/infrastructure/",
        views.infrastructure_edit,
        name="infrastructure_edit",
    ),
]
