from django.urls import path

from ketnghia.imports.uploads import upload_paths
from ketnghia.reform import views
from ketnghia.reform.uploads import REFORM_UPLOAD

app_name = "reform"
urlpatterns = [
    path("reform-2025/", views.reform_figures_page, name="figures"),
    # The mapping file, uploaded by a province administrator for the unit they administer.
    *upload_paths("reform-2025/import/<str:code>/", REFORM_UPLOAD, "admin"),
]
