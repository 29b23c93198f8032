"""The background task that writes the provinces' stored dashboards again (django-tasks).

A refresh bumps the data version of a few provinces; shaping their dashboards (every program
and variant, for the last year with figures) takes seconds at a province's size, so it is not
done inside the refresh's transaction but queued when it commits. Until the task has run, the page sees a
row of an older version and computes the dashboard from the aggregates, as it did before the
rows existed: never a stale figure, only a slower page for a moment.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from ketnghia.dashboards.services import dashboard_rows_write


@task()
def dashboard_rows_task(province_ids: list[int] | None) -> None:
    """Write the stored dashboards of `province_ids` (every province when None) again."""
    with transaction.atomic():
        dashboard_rows_write(province_ids)


def dashboard_rows_after_bump(province_ids: list[int] | None) -> None:
    """Listener of `indicators.services.version_bump`.

    A bump of every province inside a transaction (a target, a map of every province) writes
    the rows in that transaction, so the change and its dashboards are swapped in together;
    any other bump (a refresh after an approval; a rebuild, whose listeners run once it has
    committed) queues the task when the transaction commits, and nothing when it rolls back.
    """
    if province_ids is None and transaction.get_connection().in_atomic_block:
        dashboard_rows_write(None)
        return
    ids = None if province_ids is None else list(province_ids)
    transaction.on_commit(lambda: dashboard_rows_task.enqueue(ids))
