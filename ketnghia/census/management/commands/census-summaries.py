"""`ketnghia census-summaries rebuild [--commune CODE]`: recompute the stored round summaries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.census.models import CensusEntry
from ketnghia.census.summaries import entries_fold_names, summaries_rebuild
from ketnghia.core.commands import BaseCommand
from ketnghia.geo.models import Unit


class Command(BaseCommand):
    help = (
        "Recompute every census round's stored counts and transitions (and the entries' "
        "folded search names) from the entries, in one transaction: for a database written "
        "before the summaries existed, or to check them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--commune", metavar="CODE", help="Only this commune's rounds.")

    def handle(self, *args: Any, **options: Any) -> None:
        commune_ids = None
        entries = CensusEntry.objects.all()
        if options["commune"]:
            commune = Unit.objects.filter(code=options["commune"]).first()
            if commune is None:
                raise CommandError(
                    _("No unit with code %(code)s.") % {"code": options["commune"]}, returncode=2
                )
            commune_ids = [commune.pk]
            entries = entries.filter(round__commune=commune)
        with transaction.atomic():
            folded = entries_fold_names(entries)
            rounds = summaries_rebuild(commune_ids=commune_ids)
        self.stdout.write(
            _("%(rounds)s round summaries rebuilt, %(folded)s search names refreshed.")
            % {"rounds": rounds, "folded": folded}
        )
