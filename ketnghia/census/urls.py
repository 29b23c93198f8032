"""Census pages under /census/; each view declares its gate rule (census.view or census.edit)."""

from django.urls import path

from ketnghia.census import views, views_households, views_workflow

app_name = "census"
urlpatterns = [
    # Before "<commune>/<year>/", which "inbox/<district>/" would otherwise match.
    path("inbox/<str:district>/", views_workflow.district_inbox, name="district_inbox"),
    path("<str:commune>/", views.commune_census, name="commune_census"),
    path(
        "<str:commune>/villages/<str:village>/",
        views_households.village_detail,
        name="village_detail",
    ),
    path("<str:commune>/rounds/", views.round_create, name="round_create"),
    path("<str:commune>/recompute/", views.round_recompute, name="round_recompute"),
    path(
        "<str:commune>/households/<str:code>/",
        views.household_detail,
        name="household_detail",
    ),
    path("<str:commune>/<int:year>/", views.round_detail, name="round_detail"),
    path("<str:commune>/<int:year>/advance/", views.round_advance, name="round_advance"),
    path("<str:commune>/<int:year>/meeting/", views.round_meeting, name="round_meeting"),
    path("<str:commune>/<int:year>/posting/", views.round_posting, name="round_posting"),
    path("<str:commune>/<int:year>/complaints/", views.complaint_record, name="complaint_record"),
    path(
        "<str:commune>/<int:year>/complaints/<int:pk>/resolve/",
        views.complaint_resolve,
        name="complaint_resolve",
    ),
    path("<str:commune>/<int:year>/override/", views.entry_override, name="entry_override"),
    path("<str:commune>/<int:year>/revise/", views.round_revise, name="round_revise"),
    path("<str:commune>/<int:year>/template/", views.round_template, name="round_template"),
    path("<str:commune>/<int:year>/return/", views_workflow.round_return, name="round_return"),
    path("<str:commune>/<int:year>/list/", views_workflow.round_list, name="round_list"),
    path("<str:commune>/<int:year>/xlsform/", views_workflow.round_xlsform, name="round_xlsform"),
    path("<str:commune>/<int:year>/import/", views.round_import, name="round_import"),
    path(
        "<str:commune>/<int:year>/import/<int:job>/",
        views.import_progress,
        name="import_progress",
    ),
    path(
        "<str:commune>/<int:year>/import/<int:job>/errors.xlsx",
        views.import_errors,
        name="import_errors",
    ),
    path(
        "<str:commune>/<int:year>/import/<int:job>/confirm/",
        views.import_confirm,
        name="import_confirm",
    ),
]
