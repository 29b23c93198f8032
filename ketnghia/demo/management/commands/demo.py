"""Load the Kon Tum Resolution 04 demo (idempotent); refused unless DEBUG or --force."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from ketnghia.core.commands import BaseCommand
from ketnghia.demo.generator import demo_load
from ketnghia.geo.models import Unit


class Command(BaseCommand):
    help = (
        "Load the Kon Tum Resolution 04 demo: real units, invented villages, the nq04 program, "
        "twinning units, one user per role, households and their census 2007–2025. Running it "
        "again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when administrative units already exist.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo users have published passwords).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "The demo creates users whose passwords are published: it runs only with "
                    "DEBUG on (KETNGHIA_PROFILE=local) or with --force."
                )
            )
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write(_("Administrative units already exist; the demo is not loaded."))
            return
        report = demo_load()
        self.stdout.write(
            _(
                "Demo loaded in %(seconds).1f s: %(communes)d program communes (%(keys)d key), "
                "%(created)d villages created, %(updated)d updated, %(twinnings)d twinnings "
                "created, users created: %(users)s."
            )
            % {
                "seconds": report.seconds,
                "communes": report.program_communes,
                "keys": report.key_communes,
                "created": report.villages_created,
                "updated": report.villages_updated,
                "twinnings": report.twinnings_created,
                "users": ", ".join(report.users_created) or "—",
            }
        )
        self.stdout.write(
            _(
                "Households created: %(households)d (%(members)d members); census rounds "
                "created: %(rounds)d (%(entries)d household entries)."
            )
            % {
                "households": report.households_created,
                "members": report.members_created,
                "rounds": report.rounds_created,
                "entries": report.entries_created,
            }
        )
