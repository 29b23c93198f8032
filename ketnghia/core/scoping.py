"""Writes that must stay inside the acting user's jurisdiction (the admin's and the services').

`administer_problems` is the one rule: every unit path a write touches must lie inside what the
acting user may administer (`gate.scope_for(actor, Action.ADMINISTER)`). Services call it with
the paths of the record and of every unit, organisation or commune it links to; the admin's
forms call the same function first, so a refusal shows beside the field instead of a 500.
An actor of None is the system itself (commands, loaders, the demo): not limited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext as _

from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor


def path_of(instance: Any, lookup: str) -> str | None:
    """Follow `lookup` ("commune__path", "organisation__province__path") from `instance`."""
    value = instance
    for name in lookup.split("__"):
        try:
            value = getattr(value, name)
        except ObjectDoesNotExist:
            return None
        if value is None:
            return None
    return str(value) or None


def administer_problems(*, actor: Actor, paths: Iterable[tuple[str, str | None]]) -> list[Problem]:
    """Return a problem for each (field, unit path) outside what `actor` may administer."""
    if actor is None:
        return []
    scope = gate.scope_for(actor, gate.Action.ADMINISTER)
    if scope.everything:
        return []
    problems = []
    for field, path in paths:
        if path is None or not scope.contains_path(path):
            problems.append(
                Problem(
                    _("This is outside your jurisdiction: you may only choose units of it."),
                    Location(field=field),
                )
            )
    return problems


def check_administers(*, actor: Actor, paths: Iterable[tuple[str, str | None]]) -> None:
    """Raise InvalidInput unless `actor` may administer every one of `paths`."""
    if problems := administer_problems(actor=actor, paths=paths):
        raise InvalidInput(problems)


def stored_version(instance: models.Model) -> models.Model | None:
    """Return the row as the database holds it before this write (None for a new one)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).first()


@transaction.atomic
def record_save(
    *, instance: models.Model, actor: Actor, paths: list[tuple[str, str | None]]
) -> models.Model:
    """Save a record if the actor administers every unit path it touches; history kept.

    The generic write of the admin for records without a service of their own. `paths` are
    the record's own and its links', as it becomes and as it was stored before.
    """
    check_administers(actor=actor, paths=paths)
    save_by(instance, actor)
    return instance
