from django.urls import path

from ketnghia.core.gate import gate
from ketnghia.imports.uploads import spec_template, spec_upload
from ketnghia.reform import views
from ketnghia.reform.uploads import REFORM_UPLOAD

app_name = "reform"
urlpatterns = [
    path("reform-2025/", views.reform_figures_page, name="figures"),
    # The mapping file, uploaded by a province administrator for the unit they administer.
    path(
        "reform-2025/import/<str:code>/",
        gate("admin")(spec_upload),
        {"upload": REFORM_UPLOAD},
        name="import",
    ),
    path(
        "reform-2025/import/<str:code>/template.xlsx",
        gate("admin")(spec_template),
        {"upload": REFORM_UPLOAD},
        name="import_template",
    ),
]
