"""Organisations and people of the twinning network."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.twinning.models import (
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
)
from ketnghia.twinning.services._common import _period_problems, _refuse


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    province: Unit,
    short_name: str = "",
    parent: Organisation | None = None,
    district: Unit | None = None,
    actor: Actor,
) -> Organisation:
    """Create an organisation; a district office names its district."""
    problems: list[Problem] = []
    if kind not in OrganisationKind.values:
        problems.append(
            Problem(
                _("Unknown organisation kind “%(kind)s”.") % {"kind": kind}, Location(field="kind")
            )
        )
    if kind == OrganisationKind.DISTRICT_OFFICE and (
        district is None or district.level != UnitLevel.DISTRICT
    ):
        problems.append(
            Problem(
                _("%(name)s: a district office must name its district.") % {"name": name},
                Location(field="district"),
            )
        )
    if Organisation.objects.filter(name=name.strip()).exists():
        problems.append(
            Problem(
                _("An organisation named %(name)s already exists.") % {"name": name},
                Location(field="name"),
            )
        )
    _refuse(problems)
    organisation = Organisation(
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        province=province,
        parent=parent,
        district=district,
    )
    save_by(organisation, actor)
    return organisation


def person_problems(
    *,
    full_name: str,
    role: str,
    active_from: date,
    active_to: date | None,
    organisation: Organisation | None,
    commune: Unit | None,
    village: Unit | None,
) -> list[Problem]:
    """Return every rule a new person would break (empty when it may be written)."""
    record = full_name.strip()
    problems = _period_problems(record, active_from, active_to)
    if role not in PersonRole.values:
        problems.append(
            Problem(_("Unknown role “%(role)s”.") % {"role": role}, Location(field="role"))
        )
    if role in (PersonRole.COMMITTEE_MEMBER, PersonRole.PARTY_MEMBER) and (
        commune is None or commune.level != UnitLevel.COMMUNE
    ):
        problems.append(
            Problem(
                _("%(record)s: a committee or Party member belongs to a commune.")
                % {"record": record},
                Location(field="commune"),
            )
        )
    if role == PersonRole.CADRE and organisation is None:
        problems.append(
            Problem(
                _("%(record)s: a cadre belongs to an organisation.") % {"record": record},
                Location(field="organisation"),
            )
        )
    if village is not None and (commune is None or village.parent_id != commune.pk):
        problems.append(
            Problem(
                _("%(record)s: village %(village)s is not in the person's commune.")
                % {"record": record, "village": village.name},
                Location(field="village"),
            )
        )
    return problems


@transaction.atomic
def person_create(
    *,
    full_name: str,
    sex: str,
    ethnicity: str,
    role: str,
    active_from: date,
    birth_year: int | None = None,
    phone: str = "",
    organisation: Organisation | None = None,
    commune: Unit | None = None,
    village: Unit | None = None,
    active_to: date | None = None,
    file_code: str = "",
    actor: Actor,
) -> Person:
    """Register a cadre (of an organisation) or a committee or Party member (of a commune).

    `file_code` is the code of its own an import file gave the person ("M1").
    """
    record = full_name.strip()
    problems = person_problems(
        full_name=full_name,
        role=role,
        active_from=active_from,
        active_to=active_to,
        organisation=organisation,
        commune=commune,
        village=village,
    )
    _refuse(problems)
    person = Person(
        full_name=record,
        sex=sex,
        ethnicity=ethnicity,
        role=role,
        active_from=active_from,
        active_to=active_to,
        birth_year=birth_year,
        phone=phone.strip(),
        organisation=organisation,
        commune=commune,
        village=village,
        file_code=file_code.strip(),
    )
    save_by(person, actor)
    return person
