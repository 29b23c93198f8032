from django.urls import path

from ketnghia.geo import views
from ketnghia.geo.uploads import CLASSIFICATIONS_UPLOAD, SUCCESSIONS_UPLOAD, VILLAGES_UPLOAD
from ketnghia.imports.uploads import upload_paths

app_name = "geo"
urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
    path("<str:code>/children/", views.unit_children, name="unit_children"),
]
# The unit tree's files, uploaded by a province administrator (the gate's "admin" rule) for
# a unit they administer: one page and one template download per spec.
for _upload in (VILLAGES_UPLOAD, CLASSIFICATIONS_UPLOAD, SUCCESSIONS_UPLOAD):
    _slug = _upload.url_name.partition(":")[2].removeprefix("import_")
    urlpatterns += upload_paths(f"<str:code>/import/{_slug}/", _upload, "admin")
