"""Network pages under /network/; each view declares its gate rule."""

from django.urls import path

from ketnghia.twinning import views

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
]
