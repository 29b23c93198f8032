"""Network pages under /network/; each view declares its gate rule."""

from django.urls import path

from ketnghia.twinning import views, views_activities

app_name = "twinning"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("coverage.xlsx", views.coverage_export, name="coverage_export"),
    path("activities/", views.activity_create, name="activity_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("<str:commune>/", views.commune_network, name="commune_network"),
    path("<str:commune>/proposal/", views.proposal, name="proposal"),
    path(
        "<str:commune>/activities/<int:pk>/confirm/",
        views.activity_confirm,
        name="activity_confirm",
    ),
    # Activities from the field (views_activities.py).
    path(
        "activities/xlsform.xlsx",
        views_activities.organisation_xlsform,
        name="activities_organisation_xlsform",
    ),
    path("activities/import/", views_activities.activities_import, name="activities_import"),
    path(
        "activities/import/confirm/",
        views_activities.activities_import_confirm,
        name="activities_import_confirm",
    ),
    path("teams/<int:pk>/xlsform.xlsx", views_activities.team_xlsform, name="team_xlsform"),
    path("teams/<int:pk>/template.xlsx", views_activities.team_template, name="team_template"),
    path(
        "<str:commune>/activities/template.xlsx",
        views_activities.commune_template,
        name="activities_commune_template",
    ),
    path(
        "<str:commune>/activities/<int:pk>/photos/",
        views_activities.activity_photo,
        name="activity_photo",
    ),
]

from ketnghia.twinning import views_assignments  # noqa: E402

urlpatterns += [
    path(
        "<str:commune>/assignments/template.xlsx",
        views_assignments.assignments_template_download,
        name="assignments_template",
    ),
    path(
        "<str:commune>/assignments/import/",
        views_assignments.assignments_upload,
        name="assignments_upload",
    ),
    path(
        "<str:commune>/assignments/import/<str:key>/confirm/",
        views_assignments.assignments_confirm,
        name="assignments_confirm",
    ),
    path(
        "<str:commune>/assignments/import/<str:key>/errors.xlsx",
        views_assignments.assignments_errors,
        name="assignments_errors",
    ),
]
