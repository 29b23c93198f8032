"""Criteria pages under /criteria/; each view declares its gate rule."""

from django.urls import path

from ketnghia.criteria import views

app_name = "criteria"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("infrastructure/", views.infrastructure, name="infrastructure"),
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
