from django.urls import path

from ketnghia.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("attachments/<uuid:key>/", views.attachment_download, name="attachment_download"),
]
