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

from django.utils.translation import gettext_noop

from ketnghia.core.collation import name_key
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.imports import xlsform as form
from ketnghia.imports.xlsform import both, fixed, named, question, row
from ketnghia.support.delivery_import import columns as cols
from ketnghia.support.models import Cycle

_FIELD = cols.BY_KEY


def form_id(cycle: Cycle) -> str:
    """Return the form's id: the same form for the same cycle across versions."""
    return form.form_id("delivery", f"c{cycle.pk}")


def _survey(cycle: Cycle) -> list[dict]:
    package = cycle.package
    item = f"instance('households')/root/item[name=${{{cols.HOUSEHOLD}}}]"
    limit = ". >= 0"
    limit_message = gettext_noop("The quantity cannot be negative.")
    if package.cap is not None:
        limit = f". >= 0 and . <= {package.cap}"
        limit_message = gettext_noop("Between 0 and the package's cap.")
    decision = cycle.decision_date.isoformat()
    return form.group(
        cols.GROUP,
        gettext_noop("Delivery"),
        [
            fixed(cols.CYCLE, cycle.pk),
            fixed(cols.COMMUNE, cycle.commune.code),
            fixed(cols.SOURCE, cycle.fund.source),
            row("select_one villages", cols.VILLAGE, gettext_noop("Village"), required="yes"),
            question(
                _FIELD[cols.HOUSEHOLD],
                gettext_noop("Household"),
                type_="select_one households",
                choice_filter=f"village=${{{cols.VILLAGE}}}",
                hint=gettext_noop("★ marks the households on the approved list."),
            ),
            row("calculate", "listed", calculation=f"{item}/listed"),
            row("calculate", cols.ENTITLED, calculation=f"{item}/entitled"),
            question(
                _FIELD[cols.QUANTITY],
                both(gettext_noop("Quantity received (%(unit)s)"), unit=package.unit),
                constraint=limit,
                constraint_message=limit_message,
            ),
            question(
                _FIELD[cols.DELIVERED_ON],
                gettext_noop("Date of delivery"),
                constraint=f". >= date('{decision}') and . <= today()",
                constraint_message=both(
                    gettext_noop("Not before the decision of %(date)s, nor in the future."),
                    date=cycle.decision_date.strftime("%d/%m/%Y"),
                ),
            ),
            question(
                _FIELD[cols.OVERRIDE],
                gettext_noop("Why is this household given support outside the list?"),
                required="yes",
                relevant="${listed} = 'no'",
            ),
            question(
                _FIELD[cols.NOTE],
                gettext_noop("Why did the household receive a different quantity?"),
                relevant=f"${{listed}} = 'yes' and ${{{cols.QUANTITY}}} != ${{{cols.ENTITLED}}}",
            ),
        ],
    )


def _choices(cycle: Cycle) -> list[dict]:
    villages = list(
        Unit.objects.filter(parent=cycle.commune, level=UnitLevel.VILLAGE).order_by("code")
    )
    choices = [named("villages", v.code, f"{v.name} ({v.code})") for v in villages]
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
        choices.append(
            named(
                "households",
                household_code,
                f"{'★ ' if on_list else ''}{head} ({household_code})",
                village=by_id[village_id],
                listed="yes" if on_list else "no",
                entitled=str(listed[pk]) if on_list else "",
            )
        )
    return choices


def delivery_xlsform(cycle: Cycle) -> bytes:
    """Return the field form of `cycle`; its version changes whenever its content does."""
    return form.xlsform(
        title=form.in_vietnamese(gettext_noop("Delivery — %(cycle)s"), cycle=cycle.name),
        form_id=form_id(cycle),
        survey=_survey(cycle),
        choices=_choices(cycle),
        instance_name=f"concat(${{{cols.HOUSEHOLD}}}, ' – ', ${{{cols.DELIVERED_ON}}})",
    )
