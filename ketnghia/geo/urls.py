from django.urls import path

from ketnghia.core.gate import gate
from ketnghia.geo import views
from ketnghia.geo.uploads import CLASSIFICATIONS_UPLOAD, SUCCESSIONS_UPLOAD, VILLAGES_UPLOAD
from ketnghia.imports.uploads import spec_template, spec_upload

app_name = "geo"
urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
    path("<str:code>/children/", views.unit_children, name="unit_children"),
]
# The unit tree's files, uploaded by a province administrator (the gate's "admin" rule) for
# a unit they administer: one page and one template download per spec.
for _upload in (VILLAGES_UPLOAD, CLASSIFICATIONS_UPLOAD, SUCCESSIONS_UPLOAD):
    _name = _upload.url_name.partition(":")[2]
    _slug = _name.removeprefix("import_")
    urlpatterns += [
        path(
            f"<str:code>/import/{_slug}/",
            gate("admin")(spec_upload),
            {"upload": _upload},
            name=_name,
        ),
        path(
            f"<str:code>/import/{_slug}/template.xlsx",
            gate("admin")(spec_template),
            {"upload": _upload},
            name=f"{_name}_template",
        ),
    ]
