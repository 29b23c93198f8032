from django.urls import path

from ketnghia.core import views

# The home page and search (`core:home`, `core:search`) read every app: the project URLconf
# adds them under this namespace (ketnghia/urls.py).
app_name = "core"
urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/<slug:slug>/", views.help_page, name="help_page"),
    path("attachments/<uuid:key>/", views.attachment_download, name="attachment_download"),
]
