"""Writes about households and their members outside a census import.

Who saw their personal data is logged by `core.personal_data`.

Each function is one transaction and keeps history (`core.history.save_by`, the actor as
the history user). A household or member typed on the web goes through the census import's
own checks (`households.checks`, registered by the census): the same refusals, the same Vietnamese messages.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import derived, gate
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.checks import (
    CheckedHousehold,
    check_household,
    check_member,
)
from ketnghia.households.models import Household, Member, Relation

# What a change of a household's head (who, or their ethnicity) is reported as to
# `core.derived`: the indicators group census figures by the head's ethnicity.
HEADS = "households.heads"


def _refuse(message: str, field: str = "") -> InvalidInput:
    return InvalidInput(Problem(message, Location(field=field)))


def _this_year() -> int:
    return timezone.localdate().year


def _check_years(registered_year: int | None, left_year: int | None) -> None:
    if registered_year and left_year and left_year < registered_year:
        raise _refuse(_("A household cannot leave before it was registered."), "left_year")


def _apply(household: Household, checked: CheckedHousehold) -> None:
    household.head_name = checked.head_name
    household.village_id = checked.village.id if checked.village else None
    household.area = checked.area
    household.area_overridden = checked.area_overridden


@transaction.atomic
def household_create(
    *,
    commune: Unit,
    code: str,
    head_name: str,
    village: str = "",
    area: str = "",
    address: str = "",
    registered_year: int | None = None,
    actor: Actor,
) -> Household:
    """Register a household of `commune`, checked as a census file's row is checked.

    `village` is the code of one of the commune's villages; `area` "rural" or "urban", or ""
    for the village's own.
    """
    if commune.level != UnitLevel.COMMUNE:
        raise _refuse(_("A household belongs to a commune, not to %(unit)s.") % {"unit": commune})
    checked = check_household(
        code=code,
        head_name=head_name,
        village=village,
        area=area,
        commune=commune,
        year=_this_year(),
    )
    if Household.objects.filter(commune=commune, code=checked.code).exists():
        raise _refuse(
            _("Commune %(commune)s already has a household %(code)s.")
            % {"commune": commune.name, "code": checked.code},
            "code",
        )
    household = Household(
        commune=commune,
        code=checked.code,
        address=" ".join(address.split()),
        registered_year=registered_year or _this_year(),
    )
    _apply(household, checked)
    save_by(household, actor)
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    head_name: str,
    village: str = "",
    area: str = "",
    address: str = "",
    registered_year: int | None = None,
    left_year: int | None = None,
    actor: Actor,
) -> Household:
    """Change a household's registry facts (not its code: files match households by it).

    Census entries are snapshots and stay as they were; the next round takes the new facts.
    """
    checked = check_household(
        code=household.code,
        head_name=head_name,
        village=village,
        area=area,
        commune=household.commune,
        year=_this_year(),
    )
    _check_years(registered_year, left_year)
    _apply(household, checked)
    household.address = " ".join(address.split())
    household.registered_year = registered_year
    household.left_year = left_year
    save_by(household, actor)
    return household


def _head_changed(member: Member, before: tuple[str, str] | None, actor: Actor) -> None:
    """Report the household's commune when the head, or the head's ethnicity, changed."""
    after = (member.relation, member.ethnicity) if member.pk is not None else None
    if before == after:
        return
    if Relation.HEAD in {x[0] for x in (before, after) if x is not None}:
        derived.inputs_changed(commune_ids=[member.household.commune_id], source=HEADS, actor=actor)


def _may_set_ids(actor: Actor, household: Household) -> bool:
    return actor is None or gate.reaches(actor, gate.Action.SEE_PERSONAL_DATA, household.unit_path)


def _checked_member(household: Household, personal_id: str, **values: Any) -> Any:
    return check_member(
        household_code=household.code, personal_id=personal_id, year=_this_year(), **values
    )


def _refuse_ids() -> InvalidInput:
    return _refuse(
        _(
            "Only the commune's officers and the province administrators may enter or change "
            "personal ID numbers."
        ),
        "personal_id",
    )


@transaction.atomic
def member_create(
    *,
    household: Household,
    full_name: str,
    sex: str,
    birth_year: int | str | None,
    ethnicity: str,
    relation: str,
    personal_id: str = "",
    actor: Actor,
) -> Member:
    """Add a member to `household`, checked as a row of the members sheet is checked."""
    if personal_id.strip() and not _may_set_ids(actor, household):
        raise _refuse_ids()
    checked = _checked_member(
        household,
        personal_id,
        full_name=full_name,
        sex=sex,
        birth_year=birth_year,
        ethnicity=ethnicity,
        relation=relation,
    )
    member = Member(household=household, **asdict(checked))
    save_by(member, actor)
    _head_changed(member, None, actor)
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    full_name: str,
    sex: str,
    birth_year: int | str | None,
    ethnicity: str,
    relation: str,
    personal_id: str | None = None,
    actor: Actor,
) -> Member:
    """Change a member; `personal_id` None keeps the number (users who may not see it)."""
    household = member.household
    before = (member.relation, member.ethnicity)
    if personal_id is None:
        personal_id = member.personal_id
    elif personal_id.strip() != member.personal_id and not _may_set_ids(actor, household):
        raise _refuse_ids()
    checked = _checked_member(
        household,
        personal_id,
        full_name=full_name,
        sex=sex,
        birth_year=birth_year,
        ethnicity=ethnicity,
        relation=relation,
    )
    for name, value in asdict(checked).items():
        setattr(member, name, value)
    save_by(member, actor)
    _head_changed(member, before, actor)
    return member


@transaction.atomic
def member_delete(*, member: Member, actor: Actor) -> None:
    """Remove a member from its household; the history keeps who removed them and when."""
    before = (member.relation, member.ethnicity)
    member._history_user = actor  # type: ignore[attr-defined]
    member.delete()
    _head_changed(member, before, actor)
