"""The activity import's write: set-based, with its history rows in bulk (design rule 9).

New activities and their participants go in with COPY (or `executemany` on SQLite), their
ids taken from the table's sequence; edited ones with `bulk_update`, their participants replaced. Every
activity written gets its history row ("+" new, "~" changed) — and its participants' history
rows — by INSERT … SELECT over a staging table of their ids, in the same transaction, naming
the actor and the file. A few statements per thousand rows instead
of the services' dozen per row (`make bench`: 10,000 rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.history import history_insert_select
from ketnghia.geo.models import Unit
from ketnghia.imports.staging import StagingTable, insert_rows
from ketnghia.twinning.models import Activity, Person, WorkTeam

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
    """One activity as the import writes it: what the row says (checked)."""

    team: WorkTeam
    date: date
    kind: str
    village: Unit | None
    participants: Sequence[Person]
    reached_male: int
    reached_female: int
    reached_minority: int
    resources_vnd: int
    resources_in_kind: str
    notes: str
    source: str

    def apply(self, activity: Activity) -> Activity:
        activity.date = self.date
        activity.kind = self.kind
        activity.village = self.village
        activity.reached_male = self.reached_male
        activity.reached_female = self.reached_female
        activity.reached_minority = self.reached_minority
        activity.resources_vnd = self.resources_vnd
        activity.resources_in_kind = self.resources_in_kind.strip()
        activity.notes = self.notes.strip()
        activity.source = self.source.strip()
        activity.set_derived_fields()
        return activity


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


def _new_ids(count: int) -> list[int]:
    """Return `count` ids for new activities, taken from the table's sequence."""
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: the import's transaction holds the database's one write lock from its
        # first write, and AUTOINCREMENT's sequence follows explicit ids.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        (last,) = cursor.fetchone()
        return list(range(last + 1, last + 1 + count))


def _insert(created: list[Activity]) -> None:
    """Insert new activities with COPY (executemany on SQLite): no SQL compiled per row."""
    if not created:
        return
    for activity, pk in zip(created, _new_ids(len(created)), strict=True):
        activity.pk = pk
    fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
    insert_rows(
        Activity._meta.db_table,
        ["id", *(f.column for f in fields)],
        (
            (
                activity.pk,
                *(f.get_db_prep_save(getattr(activity, f.attname), connection) for f in fields),
            )
            for activity in created
        ),
    )
    for activity in created:
        activity._state.adding = False


def activities_write(
    *,
    new: Sequence[ActivityWrite],
    edits: Sequence[tuple[ActivityWrite, Activity]],
    actor: Actor,
    reason: str,
) -> list[Activity]:
    """Create `new` and apply `edits` (stored activity, checked content) in bulk; return the
    activities created. Run inside the import's transaction."""
    links = Activity.participants.through
    created: list[Activity] = []
    with transaction.atomic():
        for item in new:
            activity = item.apply(Activity(team=item.team, commune_id=item.team.commune_id))
            activity._participant_ids = [p.pk for p in item.participants]  # type: ignore[attr-defined]
            created.append(activity)
        _insert(created)
        changed: list[Activity] = []
        for item, stored in edits:
            stored._year_before = stored.date.year  # type: ignore[attr-defined]
            activity = item.apply(stored)
            activity._participant_ids = [p.pk for p in item.participants]  # type: ignore[attr-defined]
            changed.append(activity)
        if changed:
            ids = [a.pk for a in changed]
            list(Activity.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
            Activity.objects.bulk_update(changed, _CONTENT, batch_size=BATCH)
            links.objects.filter(activity_id__in=ids).delete()
        insert_rows(
            Activity.participants.through._meta.db_table,
            ["activity_id", "person_id"],
            (
                (activity.pk, person_id)
                for activity in (*created, *changed)
                for person_id in activity._participant_ids  # type: ignore[attr-defined]
            ),
        )
        stage = StagingTable((("id", "bigint"), ("kind", "text")), prefix="activity_import")
        stage.create()
        stage.insert([*((a.pk, "+") for a in created), *((a.pk, "~") for a in changed)])
        stage.index("id")
        _history(stage, actor=actor, reason=reason)
        stage.drop()
        touched = [*created, *changed]
        if touched:
            derived.inputs_changed(
                commune_ids=sorted({a.commune_id for a in touched}),
                years=sorted({a.date.year for a in touched} | _old_years(edits)),
                source="twinning.activities",
                actor=actor,
            )
    return created


def _old_years(edits: Sequence[tuple[ActivityWrite, Activity]]) -> set[int]:
    return {getattr(stored, "_year_before", stored.date.year) for _item, stored in edits}
