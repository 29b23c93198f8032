"""Writes of user accounts: each checks the role's jurisdiction first, in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketnghia.accounts.models import User
from ketnghia.accounts.rules import jurisdiction_problems
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit
from ketnghia.twinning.models import Organisation


def _check_jurisdiction(
    *, username: str, role: str, jurisdiction: Unit | None, organisation: Organisation | None
) -> None:
    problems = jurisdiction_problems(
        role=role,
        jurisdiction_level=jurisdiction.level if jurisdiction else None,
        has_organisation=organisation is not None,
    )
    if problems:
        raise InvalidInput(
            [
                Problem(message, Location(field="jurisdiction", file=username))
                for message in problems
            ]
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    jurisdiction: Unit | None = None,
    organisation: Organisation | None = None,
    actor: Any = None,
    **fields: Any,
) -> User:
    """Create a user whose role and jurisdiction agree; nothing is written otherwise."""
    _check_jurisdiction(
        username=username, role=role, jurisdiction=jurisdiction, organisation=organisation
    )
    user = User(
        username=username, role=role, jurisdiction=jurisdiction, organisation=organisation, **fields
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user._history_user = actor  # type: ignore[attr-defined]
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_jurisdiction(
    *,
    user: User,
    role: str,
    jurisdiction: Unit | None,
    organisation: Organisation | None = None,
    actor: Any = None,
) -> User:
    """Change a user's role and jurisdiction together."""
    _check_jurisdiction(
        username=user.username, role=role, jurisdiction=jurisdiction, organisation=organisation
    )
    user.role, user.jurisdiction, user.organisation = role, jurisdiction, organisation
    save_by(user, actor, update_fields=["role", "jurisdiction", "organisation"])
    return user
