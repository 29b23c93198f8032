from django.urls import path

from ketnghia.economy import views

app_name = "economy"
urlpatterns = [
    path("models/", views.model_list, name="models"),
    path("models/<int:pk>/", views.model_detail, name="model"),
    path("outcomes/", views.outcome_page, name="outcomes"),
]
