"""The unit tree's files taken from the web (`imports.uploads`): villages, classifications
and successions, each uploaded by a province administrator for a unit they administer."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ketnghia.geo.importers import CLASSIFICATIONS, SUCCESSIONS, VILLAGES
from ketnghia.imports.uploads import Upload


def _unit_page(code: str) -> str:
    return reverse("geo:unit_detail", args=[code])


VILLAGES_UPLOAD = Upload(
    spec=VILLAGES,
    title=_("Import villages"),
    intro=_(
        "One row a village: the commune code, the village name, and optionally its code and "
        "kind. A row without a code matches the commune's village of the same name or gets "
        "the next free code; a file never moves a village to another commune."
    ),
    url_name="geo:import_villages",
    file_stem="mau-thon",
    back=_unit_page,
)
CLASSIFICATIONS_UPLOAD = Upload(
    spec=CLASSIFICATIONS,
    title=_("Import unit classifications"),
    intro=_(
        "One row a classification: the unit code, the scheme (blank: the one of the unit's "
        "level), the value, the first and last year, and the legal basis."
    ),
    url_name="geo:import_classifications",
    file_stem="mau-phan-loai",
    back=_unit_page,
)
SUCCESSIONS_UPLOAD = Upload(
    spec=SUCCESSIONS,
    title=_("Import unit successions"),
    intro=_(
        "One row a succession: the old unit code, the new unit code, the effective date, the "
        "share that passes (blank: all of it) and a note. Both units must lie under this unit."
    ),
    url_name="geo:import_successions",
    file_stem="mau-ke-thua",
    back=_unit_page,
)
