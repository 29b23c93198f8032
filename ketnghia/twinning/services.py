"""Writes of organisations and twinnings, each inside what the acting user administers."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketnghia.core.errors import InvalidInput, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems, stored_version
from ketnghia.twinning.models import Organisation, Twinning


def _province_path(organisation: Organisation | None) -> str | None:
    return organisation.province.path if organisation and organisation.province_id else None


def organisation_write_problems(*, organisation: Organisation, actor: Any) -> list[Problem]:
    """Return why `actor` may not write `organisation`: its province, before and after."""
    paths = [("province", _province_path(organisation))]
    stored = stored_version(organisation)
    if isinstance(stored, Organisation):
        paths.append(("province", _province_path(stored)))
    return administer_problems(actor=actor, paths=paths)


@transaction.atomic
def organisation_save(*, organisation: Organisation, actor: Any) -> Organisation:
    """Save an organisation of a province the actor administers; history kept."""
    if problems := organisation_write_problems(organisation=organisation, actor=actor):
        raise InvalidInput(problems)
    save_by(organisation, actor)
    return organisation


def twinning_write_problems(*, twinning: Twinning, actor: Any) -> list[Problem]:
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
    return administer_problems(actor=actor, paths=paths)


@transaction.atomic
def twinning_save(*, twinning: Twinning, actor: Any) -> Twinning:
    """Save a twinning of the actor's province (organisation and commune); history kept."""
    if problems := twinning_write_problems(twinning=twinning, actor=actor):
        raise InvalidInput(problems)
    save_by(twinning, actor)
    return twinning
