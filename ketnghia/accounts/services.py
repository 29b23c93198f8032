"""Writes of user accounts: each checks the role's jurisdiction first, in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor, User
from ketnghia.accounts.rules import jurisdiction_problems
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems
from ketnghia.geo.models import Unit

if TYPE_CHECKING:  # a twinning-unit member's organisation: a type only, accounts sits lower
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


def user_paths(user: User) -> list[tuple[str, str | None]]:
    """The units a user answers for: their jurisdiction, their organisation's province."""
    paths: list[tuple[str, str | None]] = []
    if user.jurisdiction is not None:
        paths.append(("jurisdiction", user.jurisdiction.path))
    if user.organisation is not None:
        paths.append(("organisation", user.organisation.province.path))
    return paths or [("jurisdiction", None)]


def user_write_problems(*, user: User, actor: Actor) -> list[Problem]:
    """Return why `actor` may not write `user` as it stands (empty when they may).

    Nobody makes a superuser here (`ketnghia createsuperuser` does); only staff grant staff;
    a user who is not a superuser writes only users of the units they administer, before and
    after the change, and never a superuser's account. An actor of None is the system.
    """
    problems: list[Problem] = []
    stored = User.objects.filter(pk=user.pk).first() if user.pk else None
    if user.is_superuser and not (stored is not None and stored.is_superuser):
        problems.append(
            Problem(
                _("A superuser is made only with the command “ketnghia createsuperuser”."),
                Location(field="is_superuser", file=user.username),
            )
        )
    if actor is None or actor.is_superuser:
        return problems
    if user.is_staff and not actor.is_staff and not (stored is not None and stored.is_staff):
        problems.append(
            Problem(
                _("You may not grant staff status: you do not have it yourself."),
                Location(field="is_staff", file=user.username),
            )
        )
    if stored is not None:
        if stored.is_superuser:
            problems.append(
                Problem(
                    _("Only a superuser may change a superuser's account."),
                    Location(file=user.username),
                )
            )
        problems += administer_problems(actor=actor, paths=user_paths(stored))
    return problems + administer_problems(actor=actor, paths=user_paths(user))


def _check_write(*, user: User, actor: Actor) -> None:
    if problems := user_write_problems(user=user, actor=actor):
        raise InvalidInput(problems)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    jurisdiction: Unit | None = None,
    organisation: Organisation | None = None,
    actor: Actor = None,
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
    _check_write(user=user, actor=actor)
    user._history_user = actor  # type: ignore[attr-defined]
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_save(*, user: User, actor: Actor) -> User:
    """Save a user edited as a whole (the admin's forms), after the same checks as a creation."""
    if user.role:
        _check_jurisdiction(
            username=user.username,
            role=user.role,
            jurisdiction=user.jurisdiction,
            organisation=user.organisation,
        )
    _check_write(user=user, actor=actor)
    save_by(user, actor)
    return user


@transaction.atomic
def user_set_jurisdiction(
    *,
    user: User,
    role: str,
    jurisdiction: Unit | None,
    organisation: Organisation | None = None,
    actor: Actor = None,
) -> User:
    """Change a user's role and jurisdiction together."""
    _check_jurisdiction(
        username=user.username, role=role, jurisdiction=jurisdiction, organisation=organisation
    )
    user.role, user.jurisdiction, user.organisation = role, jurisdiction, organisation
    _check_write(user=user, actor=actor)  # the stored version too: the user was theirs
    save_by(user, actor, update_fields=["role", "jurisdiction", "organisation"])
    return user
