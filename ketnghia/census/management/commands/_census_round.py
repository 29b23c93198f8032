"""What the census file commands share: finding the commune and the round of a year, and
the command base of the census imports (`imports.commands.ImportCommand`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia.accounts.models import Actor
from ketnghia.census.importing import census_import_error_workbook
from ketnghia.census.importing.pipeline import CensusSpec
from ketnghia.census.importing.preview import preview_lines
from ketnghia.census.models import CensusRound
from ketnghia.census.services import census_round_create
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.personal_data import disclosure_open
from ketnghia.core.text import format_number
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.commands import ImportCommand
from ketnghia.poverty.rules import Status
from ketnghia.poverty.selectors import standard_get
from ketnghia.poverty.standards import standard_for_year


def commune_by_code(code: str) -> Unit:
    """Return the commune with `code` (a code that lost its leading zeros is padded)."""
    code = code.strip()
    commune = Unit.objects.filter(code__in={code, code.zfill(5)}, level=UnitLevel.COMMUNE).first()
    if commune is None:
        raise InvalidInput(
            Problem(
                _("Unknown commune code “%(code)s”.") % {"code": code}, Location(field="commune")
            )
        )
    return commune


def latest_round(commune: Unit, year: int) -> CensusRound | None:
    """Return the latest revision of `commune`'s round of `year`, if there is one."""
    return (
        CensusRound.objects.filter(commune=commune, year=year)
        .select_related("commune")
        .order_by("-revision")
        .first()
    )


def round_for(commune: Unit, year: int, standard: str | None) -> CensusRound:
    """Return the round of `year`, or an unsaved one to be created under the standard."""
    census_round = latest_round(commune, year)
    if census_round is None:
        # A new round uses the standard given, else the one in force that year.
        chosen = standard_get(standard) if standard else standard_for_year(year)
        return CensusRound(commune=commune, year=year, standard_code=chosen.code)
    if standard and standard_get(standard).code != census_round.standard_code:
        raise InvalidInput(
            Problem(
                _(
                    "Round %(round)s uses standard %(used)s, not %(given)s; leave --standard out "
                    "or recompute the round."
                )
                % {"round": census_round, "used": census_round.standard_code, "given": standard},
                Location(field="standard"),
            )
        )
    return census_round


def _lock_round_creation(commune: Unit, year: int) -> None:
    """Hold, to the end of the transaction, the right to create `commune`'s round of `year`.

    PostgreSQL: a transaction-level advisory lock. SQLite has one writer at a time already.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"census_round:{commune.pk}:{year}"]
        )


def round_to_import_into(census_round: CensusRound, *, dry_run: bool, actor: Actor) -> CensusRound:
    """Return the round an import writes to, creating an unsaved one unless it is a dry run.

    Callers run this and the import in one transaction, so a round created for a refused file
    vanishes with it: nothing is written.
    """
    if census_round.pk is not None or dry_run:
        return census_round
    # Two imports creating the same round at once: the second waits for the first to commit
    # (a lock on the commune and year, held to the end of the transaction), then finds the
    # round and imports into it, instead of failing on the unique constraint.
    _lock_round_creation(census_round.commune, census_round.year)
    existing = latest_round(census_round.commune, census_round.year)
    if existing is not None:
        if existing.standard_code != census_round.standard_code:
            raise InvalidInput(
                Problem(
                    _(
                        "Round %(round)s was just opened under standard %(used)s, not "
                        "%(given)s; import again to use it."
                    )
                    % {
                        "round": existing,
                        "used": existing.standard_code,
                        "given": census_round.standard_code,
                    },
                    Location(field="standard"),
                )
            )
        return existing
    return census_round_create(
        commune=census_round.commune,
        year=census_round.year,
        standard_code=census_round.standard_code,
        actor=actor,
    )


class CensusImportCommand(ImportCommand):
    """Base of the census imports: a file into the round of --commune and --year (created
    under --standard, in the import's transaction, when there is none)."""

    actor_help = gettext_lazy("User recorded as having made the import (default: none).")
    errors_out = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--commune", required=True, metavar="CODE", help=gettext_lazy("Commune code.")
        )
        parser.add_argument("--year", required=True, type=int, help=gettext_lazy("Census year."))
        parser.add_argument(
            "--standard",
            metavar="CODE",
            help=gettext_lazy(
                "Poverty standard of a new round (default: the one in force that year)."
            ),
        )

    # The spec that imports a file into a round (`CENSUS`, `ODK`: `CensusSpec.import_into`).
    spec: CensusSpec
    # The report's first line: what the import did (or would do), formatted with the
    # report's fields (and `changed`, `households`: its updated entries, created households).
    summary: Any

    def write_report(self, report: Any) -> None:
        """Write what the import did (or would do): the summary, the statuses, the preview,
        the total rows skipped and the round's households the file leaves out."""
        prefix = _("Dry run, nothing written. ") if report.dry_run else ""
        named = {"changed": report.updated, "households": report.households_created}
        self.stdout.write(prefix + self.summary % {**report.as_dict(), **named})
        counts = ", ".join(
            f"{Status(status).label}: {format_number(count)}"
            for status, count in report.by_status.items()
        )
        self.stdout.write(_("By status: %(counts)s.") % {"counts": counts})
        self.preview(report)
        if report.skipped_rows:
            self.stdout.write(_("%(count)s total row(s) skipped.") % {"count": report.skipped_rows})
        if report.absent:
            self.stdout.write(
                _(
                    "%(count)s household(s) of the round are not in the file; they were kept "
                    "as they were."
                )
                % {"count": report.absent}
            )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        found: list[CensusRound] = []

        def call() -> Any:
            actor = self.user_named(options.get("actor"))
            commune = commune_by_code(options["commune"])
            found.append(round_for(commune, options["year"], options["standard"]))
            with transaction.atomic():
                census_round = round_to_import_into(
                    found[0], dry_run=options["dry_run"], actor=actor
                )
                return self.spec.import_into(
                    census_round=census_round,
                    path=path,
                    dry_run=options["dry_run"],
                    actor=actor,
                    confirm=options["confirm"],
                )

        def workbook(path: Path, problems: list[Problem]) -> bytes | None:
            if not found:
                return None  # no round: the problems are the command line's
            with disclosure_open(
                user=None,
                output="census.import_errors_cli",
                unit_path=found[0].unit_path,
                detail=path.name,
            ) as door:
                return census_import_error_workbook(
                    census_round=found[0],
                    path=path,
                    file_name=path.name,
                    problems=problems,
                    disclosure=door,
                )

        self.write_report(self.run_import(call, options=options, error_workbook=workbook))

    def preview(self, report: Any) -> None:
        """Write the change preview: per field, returning households, reverted values, sample."""
        for line in preview_lines(report):
            self.stdout.write(line)
