"""`ketnghia import-odk`: import the CSV export of the census form's ODK/KoBoToolbox submissions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.census.models import CensusRound, Status
from ketnghia.census.odk import OdkImportReport, odk_import
from ketnghia.census.services import census_round_create
from ketnghia.core.errors import KetnghiaError
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.poverty.selectors import standard_get
from ketnghia.poverty.standards import standard_for_year

EXIT_INVALID = 2


class Command(BaseCommand):
    help = gettext_lazy(
        "Import the CSV export of the census form's submissions (ODK Central or "
        "KoBoToolbox) into a commune's census round: the same checks as a census file, "
        "all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument(
            "--commune", required=True, metavar="CODE", help=gettext_lazy("Commune code.")
        )
        parser.add_argument("--year", required=True, type=int, help=gettext_lazy("Census year."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check the file and report what would change, writing nothing."),
        )
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy(
                "Standard of the round when it does not exist yet (default: the year's)."
            ),
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=gettext_lazy("User recorded as having made the import."),
        )

    def _refuse(self, error: KetnghiaError) -> CommandError:
        for problem in error.problems:
            self.stderr.write(str(problem))
        return CommandError(
            _("Nothing was written: %(count)s problem(s) found.") % {"count": len(error.problems)},
            returncode=EXIT_INVALID,
        )

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                _("Unknown user “%(username)s”.") % {"username": username},
                returncode=EXIT_INVALID,
            )
        return user

    def _round(
        self, commune: Unit, year: int, standard_code: str | None, *, save: bool, actor: Any
    ):
        census_round = (
            CensusRound.objects.filter(commune=commune, year=year).order_by("-revision").first()
        )
        if census_round is not None:
            return census_round
        code = standard_get(standard_code).code if standard_code else standard_for_year(year).code
        if not save:
            # A dry run checks against the round that a real import would open.
            return CensusRound(commune=commune, year=year, standard_code=code)
        return census_round_create(commune=commune, year=year, standard_code=code, actor=actor)

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Unit.objects.filter(code=options["commune"], level=UnitLevel.COMMUNE).first()
        if commune is None:
            raise CommandError(
                _("No commune has the code “%(code)s”.") % {"code": options["commune"]},
                returncode=EXIT_INVALID,
            )
        actor = self._actor(options["actor"])
        path = Path(options["file"])
        try:
            # The round a real import opens is rolled back with the import if it fails.
            with transaction.atomic():
                census_round = self._round(
                    commune,
                    options["year"],
                    options["standard"],
                    save=not options["dry_run"],
                    actor=actor,
                )
                report = odk_import(
                    census_round=census_round,
                    path=path,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    actor=actor,
                )
        except KetnghiaError as error:
            raise self._refuse(error) from None
        self._write(report)

    def _write(self, report: OdkImportReport) -> None:
        census = report.census
        prefix = _("Dry run, nothing written. ") if census.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(file)s: %(submissions)s submissions, %(rejected)s rejected by a reviewer and "
                "left out; round %(round)s (%(standard)s): entries created %(created)s, updated "
                "%(updated)s, unchanged %(unchanged)s; households created %(households)s."
            )
            % {
                "file": census.file,
                "submissions": report.submissions,
                "rejected": report.rejected,
                "round": census.round,
                "standard": census.standard,
                "created": census.created,
                "updated": census.updated,
                "unchanged": census.unchanged,
                "households": census.households_created,
            }
        )
        counts = ", ".join(
            f"{label}: {census.by_status.get(value, 0)}" for value, label in Status.choices
        )
        self.stdout.write(counts)
