"""A cycle's field form (XLSForm for ODK Central and KoBoToolbox): what each household received.

Every submission records the cycle, its commune and its fund's source (calculated); the
officer picks the village, then the household (the approved recipients first, marked, then
the commune's other households), and types the quantity received and the date. The form
checks what it can offline (not negative, not above the cap, not before the decision nor in
the future; a reason when the household is not on the list); the import checks everything
again (`pipeline.DeliverySpec`): the CSV export of the submissions comes back through it.
Labels are Vietnamese first, English beside them (`imports.xlsform`).
"""

from __future__ import annotations

import hashlib
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from ketnghia.core.collation import name_key
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.imports.xlsform import (
    CHOICE_COLUMNS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SURVEY_COLUMNS,
    both,
    choice,
    language,
    row,
    sheet,
)
from ketnghia.support.delivery_import import columns as cols
from ketnghia.support.models import Cycle

# A household choice's extra columns: its village, whether it is on the approved list.
_FILTER_COLUMNS = ("village", "listed", "entitled")


def form_id(cycle: Cycle) -> str:
    """Return the form's id: the same form for the same cycle across versions."""
    return f"ketnghia_delivery_c{cycle.pk}"


def _survey(cycle: Cycle) -> list[dict]:
    package = cycle.package
    item = f"instance('households')/root/item[name=${{{cols.HOUSEHOLD}}}]"
    limit = ". >= 0"
    limit_message = gettext_noop("The quantity cannot be negative.")
    if package.cap is not None:
        limit = f". >= 0 and . <= {package.cap}"
        limit_message = gettext_noop("Between 0 and the package's cap.")
    decision = cycle.decision_date.isoformat()
    return [
        row("start", "start"),
        row("end", "end"),
        row("begin_group", cols.GROUP, both(gettext_noop("Delivery"))),
        row("calculate", cols.CYCLE, calculation=f"'{cycle.pk}'"),
        row("calculate", cols.COMMUNE, calculation=f"'{cycle.commune.code}'"),
        row("calculate", cols.SOURCE, calculation=f"'{cycle.fund.source}'"),
        row("select_one villages", cols.VILLAGE, both(gettext_noop("Village")), required="yes"),
        row(
            "select_one households",
            cols.HOUSEHOLD,
            both(gettext_noop("Household")),
            required="yes",
            choice_filter=f"village=${{{cols.VILLAGE}}}",
            hint=both(gettext_noop("★ marks the households on the approved list.")),
        ),
        row("calculate", "listed", calculation=f"{item}/listed"),
        row("calculate", cols.ENTITLED, calculation=f"{item}/entitled"),
        row(
            "decimal",
            cols.QUANTITY,
            both(gettext_noop("Quantity received (%(unit)s)"), unit=package.unit),
            required="yes",
            constraint=limit,
            constraint_message=both(limit_message),
        ),
        row(
            "date",
            cols.DELIVERED_ON,
            both(gettext_noop("Date of delivery")),
            required="yes",
            constraint=f". >= date('{decision}') and . <= today()",
            constraint_message=both(
                gettext_noop("Not before the decision of %(date)s, nor in the future."),
                date=cycle.decision_date.strftime("%d/%m/%Y"),
            ),
        ),
        row(
            "text",
            cols.OVERRIDE,
            both(gettext_noop("Why is this household given support outside the list?")),
            required="yes",
            relevant="${listed} = 'no'",
        ),
        row(
            "text",
            cols.NOTE,
            both(gettext_noop("Why did the household receive a different quantity?")),
            relevant=f"${{listed}} = 'yes' and ${{{cols.QUANTITY}}} != ${{{cols.ENTITLED}}}",
        ),
        row("end_group", cols.GROUP),
    ]


def _choices(cycle: Cycle) -> list[dict]:
    names = [name for _code, name in LANGUAGES]
    villages = list(
        Unit.objects.filter(parent=cycle.commune, level=UnitLevel.VILLAGE).order_by("code")
    )
    choices = [
        choice("villages", village.code, dict.fromkeys(names, f"{village.name} ({village.code})"))
        for village in villages
    ]
    by_id = {v.pk: v.code for v in villages}
    listed = dict(
        cycle.deliveries.filter(household__isnull=False).values_list(
            "household_id", "entitled_quantity"
        )
    )
    households = list(
        Household.objects.filter(commune=cycle.commune, village_id__in=list(by_id)).values_list(
            "pk", "code", "head_name", "village_id"
        )
    )
    households.sort(key=lambda h: (h[0] not in listed, name_key(h[2]), h[1]))
    for pk, household_code, head, village_id in households:
        on_list = pk in listed
        label = f"{'★ ' if on_list else ''}{head} ({household_code})"
        choices.append(
            choice("households", household_code, dict.fromkeys(names, label))
            | {
                "village": by_id[village_id],
                "listed": "yes" if on_list else "no",
                "entitled": str(listed[pk]) if on_list else "",
            }
        )
    return choices


def delivery_xlsform(cycle: Cycle) -> bytes:
    """Return the field form of `cycle`; its version changes whenever its content does."""
    survey = _survey(cycle)
    choices = _choices(cycle)
    digest = hashlib.sha256(repr((survey, choices)).encode()).hexdigest()[:10]
    with language("vi"):
        title = _("Delivery — %(cycle)s") % {"cycle": cycle.name}
    settings_row = {
        "form_title": title,
        "form_id": form_id(cycle),
        "version": f"v{digest}",
        "default_language": DEFAULT_LANGUAGE,
        "instance_name": f"concat(${{{cols.HOUSEHOLD}}}, ' – ', ${{{cols.DELIVERED_ON}}})",
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet(workbook, "survey", (*SURVEY_COLUMNS, "relevant", "choice_filter"), survey)
    sheet(workbook, "choices", (*CHOICE_COLUMNS, *_FILTER_COLUMNS), choices)
    sheet(workbook, "settings", tuple(settings_row), [settings_row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
