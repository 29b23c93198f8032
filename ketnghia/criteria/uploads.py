"""Commune infrastructure taken from the web (`imports.uploads`), by whoever may edit the
communes of the unit it is uploaded for (the gate's `units.edit`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ketnghia.criteria.importing import INFRASTRUCTURE
from ketnghia.imports.uploads import Upload

INFRASTRUCTURE_UPLOAD = Upload(
    spec=INFRASTRUCTURE,
    title=_("Import commune infrastructure"),
    intro=_(
        "One row a commune and year: the commune code, the year and the indicators. A column "
        "left out of the file keeps the stored values; the criteria results of the communes "
        "and years it changes are computed again."
    ),
    url_name="criteria:import_infrastructure",
    file_stem="mau-ha-tang",
    back=lambda code: reverse("criteria:infrastructure"),
)
