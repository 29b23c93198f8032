"""The activity import's write: set-based, with its history rows in bulk (design rule 9).

New activities go in with one `bulk_create` per block, their participants with one more;
edited ones with `bulk_update`, their participants replaced. Every activity written gets its
history row ("+" new, "~" changed) — and its participants' history rows — in bulk, in the
same transaction, naming the actor and the file. A few statements per thousand rows instead
of the services' dozen per row (`make bench`: 10,000 rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from ketnghia.core import derived
from ketnghia.geo.models import Unit
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


def _history(activities: Iterable[Activity], kind: str, *, actor: Any, reason: str) -> None:
    """Write one history row per activity, and the history of its participants, in bulk."""
    historical = Activity.history.model  # type: ignore[attr-defined]
    when = timezone.now()
    user_id = getattr(actor, "pk", None)
    fields = [f.attname for f in Activity._meta.concrete_fields]
    rows = []
    participants: list[list[Any]] = []
    for activity in activities:
        row = historical(
            history_date=when,
            history_type=kind,
            history_user_id=user_id,
            history_change_reason=reason[:100],
        )
        for name in fields:
            setattr(row, name, getattr(activity, name))
        rows.append(row)
        participants.append(getattr(activity, "_links", []))
    historical.objects.bulk_create(rows, batch_size=BATCH)
    # simple-history's table of the participants as they stood in each history row.
    through = apps.get_model("twinning", "HistoricalActivity_participants")
    through.objects.bulk_create(
        (
            through(id=link.pk, history_id=row.pk, activity_id=row.id, person_id=link.person_id)
            for row, links in zip(rows, participants, strict=True)
            for link in links
        ),
        batch_size=BATCH,
    )


def activities_write(
    *,
    new: Sequence[ActivityWrite],
    edits: Sequence[tuple[ActivityWrite, Activity]],
    actor: Any,
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
        Activity.objects.bulk_create(created, batch_size=BATCH)
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
        rows = []
        for activity in (*created, *changed):
            activity._links = [  # type: ignore[attr-defined]
                links(activity_id=activity.pk, person_id=person_id)
                for person_id in activity._participant_ids  # type: ignore[attr-defined]
            ]
            rows.extend(activity._links)  # type: ignore[attr-defined]
        links.objects.bulk_create(rows, batch_size=BATCH)
        _history(created, "+", actor=actor, reason=reason)
        _history(changed, "~", actor=actor, reason=reason)
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
