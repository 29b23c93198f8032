"""Reads of households and their members, always through a scope handed out by the gate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.households.models import Household, Member


def household_get_for(*, scope: UnitScope, commune_code: str, code: str) -> Household:
    """Return a household of a commune inside `scope`; NotFound for missing and forbidden alike."""
    household = (
        scope.filter(Household.objects.select_related("commune", "village"), "unit_path")
        .filter(commune__code=commune_code, code=code)
        .first()
    )
    if household is None:
        raise NotFound(_("Household %(code)s not found.") % {"code": code})
    return household


def member_list(*, household: Household) -> QuerySet[Member]:
    """Return a household's members, head first, then in the order they were registered."""
    return household.members.order_by("id")


@dataclass(frozen=True)
class Change:
    """One recorded change of a household or one of its members (values are not repeated)."""

    when: datetime
    who: str
    subject: str
    kind: str  # "+" created, "~" changed, "-" deleted (django-simple-history's types)
    fields: tuple[str, ...]
    # Why, as recorded: an import names its batch and file ("import #12: ra-soat.xlsx").
    reason: str = ""


# History bookkeeping and derived columns: never shown as "what changed".
_NOT_SHOWN = frozenset({"id", "household", "unit_path", "round", "import_batch"})


def _changes(records: list[Any], model: type[Model], subject_of: Any) -> list[Change]:
    """Return the changes `records` (oldest first, of one model) describe, field names only."""
    # Only what the history keeps: derived columns left out of it (a search key) are not changes.
    kept = {f.attname for f in model.history.model._meta.concrete_fields}  # type: ignore[attr-defined]
    fields = [
        f for f in model._meta.concrete_fields if f.name not in _NOT_SHOWN and f.attname in kept
    ]
    previous: dict[int, Any] = {}
    changes = []
    for record in records:
        before = previous.get(record.id)
        changed = (
            tuple(
                str(f.verbose_name)
                for f in fields
                if getattr(before, f.attname) != getattr(record, f.attname)
            )
            if before is not None and record.history_type == "~"
            else ()
        )
        previous[record.id] = record
        user = record.history_user
        changes.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "",
                subject=subject_of(record),
                kind=record.history_type,
                fields=changed,
                reason=record.history_change_reason or "",
            )
        )
    return changes


# Models with history whose records belong to a household (`household_id`), registered by the
# apps above (households imports none of them): model, related fields, subject of a record.
_CHANGE_SOURCES: list[tuple[Any, tuple[str, ...], Callable[[Any], str]]] = []


def household_change_source_register(
    model: Any, subject: Callable[[Any], str], related: tuple[str, ...] = ()
) -> None:
    """List `model`'s recorded changes among a household's (`household_changes`)."""
    if all(known is not model for known, _related, _subject in _CHANGE_SOURCES):
        _CHANGE_SOURCES.append((model, related, subject))


def household_changes(*, household: Household) -> list[Change]:
    """Return the recorded changes of a household and its members, newest first.

    Only which fields changed is listed, never their old values: a member's old personal ID
    number must not come back through the history.
    """
    own = list(
        Household.history.filter(id=household.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    members = list(
        Member.history.filter(household_id=household.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    household_label = _("household")
    changes = _changes(own, Household, lambda _record: household_label)
    changes += _changes(members, Member, lambda record: record.full_name)
    # Records of the apps above that hang on the household (its census entries: an import
    # that changed an income says so, with its file), as they registered them.
    for model, related, subject in _CHANGE_SOURCES:
        records = list(
            model.history.filter(household_id=household.id)
            .select_related("history_user", *related)
            .order_by("history_date", "history_id")
        )
        changes += _changes(records, model, subject)
    return sorted(changes, key=lambda change: change.when, reverse=True)
