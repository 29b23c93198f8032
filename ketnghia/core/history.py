"""Saving a record so its history row names who made the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor


def save_by(
    instance: models.Model, actor: Actor, *, update_fields: list[str] | None = None
) -> None:
    """Save `instance`, recording `actor` (a user, or None for the system) in its history."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save(update_fields=update_fields)


def history_insert_select(
    model: type[models.Model],
    *,
    source: str,
    where: str,
    params: list[Any],
    history_type: str,
    actor: Actor,
    reason: str,
    when: Any,
) -> int:
    """Write the history rows of many records at once: INSERT … SELECT from their table.

    The set-based writes' counterpart of `save_by` (design rule 9): every record of `model`'s
    table aliased `t` in `source` (a FROM clause, joins allowed) that matches `where` gets one
    history row of `history_type` ("+", "~", "-") as it stands now, naming `actor` and
    `reason` (cut to the history's 100 characters). Run it in the write's transaction, after
    the write for "+" and "~", before it for "-". Returns the rows written.
    """
    from django.db import connection

    historical = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    special = {
        "history_date": connection.ops.adapt_datetimefield_value(when),
        "history_change_reason": reason[:100],
        "history_type": history_type,
        "history_user_id": getattr(actor, "pk", None),
    }
    names: list[str] = []
    values: list[str] = []
    leading: list[Any] = []
    for field in historical._meta.concrete_fields:
        if field.attname == "history_id":
            continue
        names.append(quote(field.column))
        if field.attname in special:
            values.append("%s")
            leading.append(special[field.attname])
        else:
            values.append(f"t.{quote(field.column)}")
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM {source} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*leading, *params])
        return max(cursor.rowcount, 0)
