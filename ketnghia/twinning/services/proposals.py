"""Accepting a proposed list of Party members → households."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household
from ketnghia.twinning.models import (
    Assignment,
    AssignmentKind,
    Person,
)
from ketnghia.twinning.services._common import _refuse
from ketnghia.twinning.services.assignments import assignment_create


@transaction.atomic
def proposal_accept(
    *,
    commune: Unit,
    rows: Iterable[tuple[int, int]],
    start_date: date,
    decision_number: str = "",
    decision_date: date | None = None,
    actor: Actor,
) -> list[Assignment]:
    """Write the accepted proposal rows (household id, Party member id) as assignments.

    All or nothing: one refused row refuses the whole acceptance, every problem listed.
    """
    rows = list(rows)
    households = Household.objects.filter(
        commune=commune, pk__in=[h for h, _ in rows]
    ).select_related("commune", "village")
    people = Person.objects.filter(pk__in=[p for _, p in rows]).select_related("commune")
    households_by_id = {h.pk: h for h in households}
    people_by_id = {p.pk: p for p in people}
    created: list[Assignment] = []
    problems: list[Problem] = []
    # Each row reports its commune; the transaction refreshes them once, at its commit.
    _accept_rows(
        rows,
        households_by_id,
        people_by_id,
        start_date,
        decision_number,
        decision_date,
        actor,
        created,
        problems,
    )
    _refuse(problems)
    return created


def _accept_rows(
    rows: list[tuple[int, int]],
    households_by_id: dict[int, Household],
    people_by_id: dict[int, Person],
    start_date: date,
    decision_number: str,
    decision_date: date | None,
    actor: Actor,
    created: list[Assignment],
    problems: list[Problem],
) -> None:
    for index, (household_id, person_id) in enumerate(rows, start=1):
        household = households_by_id.get(household_id)
        person = people_by_id.get(person_id)
        if household is None or person is None:
            problems.append(
                Problem(
                    _("Row %(row)s: the household or the Party member is not of this commune.")
                    % {"row": index},
                    Location(row=index),
                )
            )
            continue
        try:
            created.append(
                assignment_create(
                    kind=AssignmentKind.MEMBER_HOUSEHOLD,
                    person=person,
                    household=household,
                    start_date=start_date,
                    decision_number=decision_number,
                    decision_date=decision_date,
                    actor=actor,
                )
            )
        except InvalidInput as error:
            problems.extend(
                Problem(p.message, Location(row=index, field=p.location.field))
                for p in error.problems
            )
