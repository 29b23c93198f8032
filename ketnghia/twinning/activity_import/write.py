"""The activity import's write: set-based, with its history rows in bulk (design rule 9).

New activities go in with `bulk_create` (their ids returned), their participants with COPY
(or `executemany` on SQLite); edited ones with `bulk_update`, their participants replaced.
Every activity written gets its history row ("+" new, "~" changed) — and its participants'
history rows — by INSERT … SELECT over a staging table of their ids, in the same
transaction, naming the actor and the file. A few statements per thousand rows instead of
the services' dozen per row (`make bench`: 10,000 rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.history import history_insert_select
from ketnghia.imports.staging import StagingTable, insert_rows
from ketnghia.twinning.models import Activity

BATCH = 2000
# The fields an edited submission changes (team and commune stay).
_CONTENT = (
    "date",
    "kind",
    "village",
    "reached_male",
    "reached_female",
    "reached_minority",
    "resources_vnd",
    "resources_in_kind",
    "notes",
    "source",
    "unit_path",
)


@dataclass
class ActivityWrite:
    """One activity as the import writes it: the checked row's activity (unsaved, its
    derived fields set) and its participants."""

    activity: Activity
    participant_ids: list[int]


def _history(stage: StagingTable, *, actor: Actor, reason: str) -> None:
    """Write the history rows of the staged activities, and their participants', in bulk."""
    activities = connection.ops.quote_name(Activity._meta.db_table)
    when = timezone.now()
    for kind in ("+", "~"):
        history_insert_select(
            Activity,
            source=f"{activities} t",
            where=f"t.id IN (SELECT id FROM {stage.quoted} WHERE kind = %s)",
            params=[kind],
            history_type=kind,
            actor=actor,
            reason=reason,
            when=when,
        )
    # simple-history's table of the participants as they stood in each history row.
    through = apps.get_model("twinning", "HistoricalActivity_participants")
    historical = Activity.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in through._meta.concrete_fields}
    links = quote(Activity.participants.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {quote(through._meta.db_table)}
                ({column["id"]}, {column["activity"]}, {column["person"]}, {column["history"]})
            SELECT l.id, l.activity_id, l.person_id, h.history_id
            FROM {links} l
            JOIN {stage.quoted} s ON s.id = l.activity_id
            JOIN {quote(historical._meta.db_table)} h
                ON h.id = l.activity_id AND h.history_date = %s
            """,
            [connection.ops.adapt_datetimefield_value(when)],
        )


def activities_write(
    *,
    new: Sequence[ActivityWrite],
    edits: Sequence[tuple[ActivityWrite, Activity]],
    actor: Actor,
    reason: str,
) -> list[Activity]:
    """Create `new` and apply `edits` (checked content, stored activity) in bulk; return the
    activities created. Run inside the import's transaction."""
    links = Activity.participants.through
    created = [item.activity for item in new]
    years = {a.date.year for a in created} | {stored.date.year for _item, stored in edits}
    with transaction.atomic():
        Activity.objects.bulk_create(created, batch_size=BATCH)
        changed: list[Activity] = []
        for item, stored in edits:
            for name in _CONTENT:
                setattr(stored, name, getattr(item.activity, name))
            changed.append(stored)
        if changed:
            ids = [a.pk for a in changed]
            list(Activity.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
            Activity.objects.bulk_update(changed, _CONTENT, batch_size=BATCH)
            links.objects.filter(activity_id__in=ids).delete()
        written = [*((item.activity, item) for item in new), *((s, item) for item, s in edits)]
        insert_rows(
            links._meta.db_table,
            ["activity_id", "person_id"],
            ((a.pk, person_id) for a, item in written for person_id in item.participant_ids),
        )
        stage = StagingTable((("id", "bigint"), ("kind", "text")), prefix="activity_import")
        stage.create()
        stage.insert([*((a.pk, "+") for a in created), *((a.pk, "~") for a in changed)])
        stage.index("id")
        _history(stage, actor=actor, reason=reason)
        stage.drop()
        if written:
            derived.inputs_changed(
                commune_ids=sorted({a.commune_id for a, _item in written}),
                years=sorted(years | {a.date.year for a in changed}),
                source="twinning.activities",
                actor=actor,
            )
    return created
