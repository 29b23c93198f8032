"""`ketnghia portal-retention [--enqueue]`: anonymise commenters' emails and addresses older
than the retention period (Law 91/2025/QH15: kept only as long as the consent box says)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.portal import services
from ketnghia.portal.conf import setting
from ketnghia.portal.tasks import portal_retention_run


class Command(BaseCommand):
    help = gettext_lazy(
        "Anonymise the emails, network addresses and browsers of comments older than the "
        "retention period (KETNGHIA_PORTAL retention_days); the step is logged without emails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=gettext_lazy("Queue the job for the task worker instead of running it here."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            portal_retention_run.enqueue()
            self.stdout.write(_("The retention job is queued."))
            return
        count = services.comments_retention()
        self.stdout.write(
            _("%(n)s comment(s) anonymised (older than %(days)s days).")
            % {"n": count, "days": setting("retention_days")}
        )
