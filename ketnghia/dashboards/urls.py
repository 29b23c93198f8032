from django.urls import path

from ketnghia.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.my_dashboard, name="mine"),
    path("twinning/", views.twinning_dashboard, name="twinning"),
    path("maps/", views.commune_maps, name="maps"),
    path("units/<str:code>/", views.unit_dashboard, name="unit"),
    path("units/<str:code>/behind/", views.figure_units, name="behind"),
]
