"""The retention job as a background task (django-tasks): `ketnghia portal-retention
--enqueue` queues it for the worker; the systemd timer in deploy/ runs the command daily."""

from __future__ import annotations

from django_tasks import task

from ketnghia.portal import services


@task()
def portal_retention_run() -> int:
    """Anonymise commenters' emails and addresses older than the retention period."""
    return services.comments_retention()
