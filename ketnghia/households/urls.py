"""Household pages under /census/<commune>/; each view declares its gate rule."""

from django.urls import path

from ketnghia.households import views

app_name = "households"
urlpatterns = [
    path("<str:commune>/new-household/", views.household_add, name="household_add"),
    path(
        "<str:commune>/households/<str:code>/edit/",
        views.household_edit,
        name="household_edit",
    ),
    path(
        "<str:commune>/households/<str:code>/members/",
        views.member_add,
        name="member_add",
    ),
    path(
        "<str:commune>/households/<str:code>/members/<int:pk>/",
        views.member_edit,
        name="member_edit",
    ),
    path(
        "<str:commune>/households/<str:code>/members/<int:pk>/delete/",
        views.member_delete,
        name="member_delete",
    ),
]
