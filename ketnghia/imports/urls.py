from django.urls import path

from ketnghia.imports import views

app_name = "imports"

urlpatterns = [
    path("<str:key>/", views.job_page, name="job"),
    path("<str:key>/confirm/", views.job_confirm, name="job_confirm"),
    path("<str:key>/errors.xlsx", views.job_errors, name="job_errors"),
]
