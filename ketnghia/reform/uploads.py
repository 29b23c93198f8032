"""The 2025 reform's mapping file taken from the web (`imports.uploads`), by a province
administrator for the old communes of the unit they administer."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ketnghia.geo.reform import REFORM_FILE
from ketnghia.imports.uploads import Upload

REFORM_UPLOAD = Upload(
    spec=REFORM_FILE,
    title=_("Import the 2025 reform mapping"),
    intro=_(
        "One row an old commune (or a part of it): the old commune code, the new commune "
        "code and name, the new province code and name, and the share that passes when a "
        "commune is split. Every old commune of the province must pass to a new one; the "
        "new communes are valid from 1 July 2025 and the old ones end the day before."
    ),
    url_name="reform:import",
    file_stem="mau-sap-xep-2025",
    back=lambda code: reverse("reform:figures"),
)
