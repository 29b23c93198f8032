"""The admin's writes: inside what the acting user administers."""

from __future__ import annotations

from django.db import transaction

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems, stored_version
from ketnghia.twinning.models import (
    Organisation,
    Twinning,
)
from ketnghia.twinning.services._common import network_changed
from ketnghia.twinning.services.twinnings import _twinning_problems


def _province_path(organisation: Organisation | None) -> str | None:
    return organisation.province.path if organisation and organisation.province_id else None


def organisation_write_problems(*, organisation: Organisation, actor: Actor) -> list[Problem]:
    """Return why `actor` may not write `organisation`: its province, before and after."""
    paths = [("province", _province_path(organisation))]
    stored = stored_version(organisation)
    if isinstance(stored, Organisation):
        paths.append(("province", _province_path(stored)))
    return administer_problems(actor=actor, paths=paths)


@transaction.atomic
def organisation_save(*, organisation: Organisation, actor: Actor) -> Organisation:
    """Save an organisation of a province the actor administers; history kept."""
    if problems := organisation_write_problems(organisation=organisation, actor=actor):
        raise InvalidInput(problems)
    save_by(organisation, actor)
    return organisation


def twinning_write_problems(*, twinning: Twinning, actor: Actor) -> list[Problem]:
    """Return why `actor` may not write `twinning`: its organisation's province and its commune.

    Both must lie inside what the actor administers, as they were and as they become: a
    province administrator cannot twin an organisation with a commune of another province.
    """
    paths = [
        (
            "organisation",
            _province_path(twinning.organisation) if twinning.organisation_id else None,
        ),
        ("commune", twinning.commune.path if twinning.commune_id else None),
    ]
    stored = stored_version(twinning)
    if isinstance(stored, Twinning):
        paths += [
            ("organisation", _province_path(stored.organisation)),
            ("commune", stored.commune.path),
        ]
    problems = administer_problems(actor=actor, paths=paths)
    if problems or not (twinning.organisation_id and twinning.commune_id and twinning.start_date):
        return problems
    # The admin writes under the program's rules too, as `twinning_create` does.
    return _twinning_problems(
        organisation=twinning.organisation,
        commune=twinning.commune,
        start_date=twinning.start_date,
        end_date=twinning.end_date,
        exclude_pk=twinning.pk,
    )


@transaction.atomic
def twinning_save(*, twinning: Twinning, actor: Actor) -> Twinning:
    """Save a twinning of the actor's province (organisation and commune); history kept."""
    if problems := twinning_write_problems(twinning=twinning, actor=actor):
        raise InvalidInput(problems)
    stored = stored_version(twinning)
    save_by(twinning, actor)
    before = stored.commune_id if isinstance(stored, Twinning) else None
    network_changed(commune_ids=[twinning.commune_id, before])
    return twinning
