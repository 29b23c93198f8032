from django.urls import path

from ketnghia.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:slug>/", views.help_page, name="help_page"),
    path("attachments/<uuid:key>/", views.attachment_download, name="attachment_download"),
]
