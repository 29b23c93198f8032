"""The .xlsx template of one cycle's deliveries, pre-filled with its approved recipients.

One row per recipient under the Vietnamese header (village, household code, head, what the
household is entitled to, then the cells to fill in: quantity received, date, the fund's
source already written, the reason for a recipient outside the target, the difference
explained). The cycle and its commune are marked in the document properties
(`imports.mark`), so the import refuses the file for another cycle or commune. Every text
cell goes through `core.outputs`.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from ketnghia.core.collation import name_key
from ketnghia.core.formatting import format_decimal
from ketnghia.imports.template import Sheet, col, template_workbook
from ketnghia.support.delivery_import import columns as cols
from ketnghia.support.models import Cycle, Delivery, FundSource

DATA_SHEET = "Cấp phát"


def _source_label(source: str) -> str:
    with translation.override("vi"):
        return str(FundSource(source).label)


def delivery_template(cycle: Cycle) -> bytes:
    """Return the template of `cycle`: its recipients, by village and Vietnamese name order."""
    package = cycle.package
    deliveries = list(
        Delivery.objects.filter(cycle=cycle, household__isnull=False)
        .select_related("unit", "household")
        .order_by("unit_path")
    )
    deliveries.sort(key=lambda d: (d.unit_path, name_key(d.recipient_name), d.pk))
    source = _source_label(cycle.fund.source)
    rows = []
    for delivery in deliveries:
        household = delivery.household
        assert household is not None
        values = {
            cols.VILLAGE: delivery.unit.name,
            cols.HOUSEHOLD: household.code,
            cols.HEAD: delivery.recipient_name,
            cols.ENTITLED: float(delivery.entitled_quantity),
            cols.QUANTITY: (
                float(delivery.delivered_quantity)
                if delivery.delivered_quantity is not None
                else None
            ),
            cols.DELIVERED_ON: delivery.delivered_on,
            cols.SOURCE: source,
            cols.OVERRIDE: delivery.override_reason or None,
            cols.NOTE: delivery.difference_note or None,
        }
        rows.append([values[field.key] for field in cols.TEMPLATE_FIELDS])
    title = _("DELIVERY OF %(package)s — %(cycle)s — %(commune)s (code %(code)s)") % {
        "package": package.name.upper(),
        "cycle": cycle.name,
        "commune": cycle.commune.name,
        "code": cycle.commune.code,
    }
    note = _(
        "Decision %(number)s of %(date)s; unit: %(unit)s; cap per recipient: %(cap)s. "
        "Fill in the quantity received and the date of each household."
    ) % {
        "number": cycle.decision_number or "—",
        "date": cycle.decision_date.strftime("%d/%m/%Y"),
        "unit": package.unit,
        "cap": format_decimal(package.cap, 2) if package.cap is not None else "—",
    }
    columns = [col(field) for field in cols.TEMPLATE_FIELDS]
    instructions = [
        _("How to fill in this file"),
        _(
            "A household not on the list may be added with its code; when the package's "
            "target does not include it, write the reason."
        ),
    ]
    return template_workbook(
        [Sheet(DATA_SHEET, columns, rows, heading=[title, note], header_row=3)],
        instructions=instructions,
        mark={"commune": cycle.commune.code, "cycle": str(cycle.pk)},
    )
