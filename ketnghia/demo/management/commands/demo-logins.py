"""Print the demo users: username, password, role and jurisdiction."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ketnghia.accounts.models import User
from ketnghia.core.commands import BaseCommand
from ketnghia.demo.generator import DEMO_PASSWORD, demo_users
from ketnghia.twinning.models import Twinning


def _jurisdiction(user: User) -> str:
    if user.organisation is not None:
        communes = Twinning.objects.filter(
            organisation=user.organisation, end_date__isnull=True
        ).values_list("commune__name", "commune__code")
        twinned = ", ".join(f"{name} ({code})" for name, code in communes)
        return f"{user.organisation.short_name or user.organisation.name} → {twinned or '—'}"
    if user.jurisdiction is not None:
        return f"{user.jurisdiction.name} ({user.jurisdiction.code})"
    return "—"


class Command(BaseCommand):
    help = "Print the demo users with their password, role and jurisdiction."

    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_users()
        if not users:
            self.stdout.write(_("No demo users here; `ketnghia demo` creates them."))
            return
        header = (_("Username"), _("Password"), _("Role"), _("Jurisdiction"))
        rows = [
            (user.username, DEMO_PASSWORD, str(user.get_role_display()), _jurisdiction(user))
            for user in users
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write(_("Demo logins (local demo only):"))
        for row in [header, *rows]:
            padded = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            self.stdout.write("  ".join([*padded, row[3]]))
