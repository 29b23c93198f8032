"""The background task that re-estimates the `estimate` indicators (django-tasks).

An estimate reads the whole census panel of a district and a province (seconds at a
province's size), so the `core.derived` refresher `indicators.estimates` does not compute it
in the commit of the approval or delivery that changed its inputs: it queues this task, which
the worker (`ketnghia db_worker`) runs. With the immediate backend (tests, and `make run`
unless KETNGHIA_TASK_WORKER=1) it runs at once, in the refresher's place.
"""

from __future__ import annotations

from collections.abc import Iterable

from django_tasks import task

from ketnghia.accounts.models import Actor


@task()
def estimates_refresh_task(commune_ids: list[int]) -> None:
    """Re-estimate the districts and provinces above `commune_ids`."""
    from ketnghia.indicators.services import estimates_refresh

    estimates_refresh(commune_ids=commune_ids)


def estimates_refresh_later(
    *, commune_ids: Iterable[int], years: Iterable[int] | None = None, actor: Actor = None
) -> None:
    """The refresher `indicators.estimates`: queue `estimates_refresh_task` (every year is
    re-estimated, so `years` is not needed; nor `actor`)."""
    estimates_refresh_task.enqueue(sorted(set(commune_ids)))
