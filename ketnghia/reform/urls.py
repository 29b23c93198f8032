from django.urls import path

from ketnghia.reform import views

app_name = "reform"
urlpatterns = [
    path("reform-2025/", views.reform_figures_page, name="figures"),
]
