"""What the census file commands share: finding the commune and the round of a year."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.census.models import CensusRound
from ketnghia.census.services import census_round_create
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.geo.models import Unit, UnitLevel
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


def standard_code_for(year: int, given: str | None) -> str:
    """Return the standard a new round of `year` uses: `given`, else the one in force."""
    if given:
        return standard_get(given).code
    return standard_for_year(year).code


def round_for(commune: Unit, year: int, standard: str | None) -> CensusRound:
    """Return the round of `year`, or an unsaved one to be created under the standard."""
    census_round = latest_round(commune, year)
    if census_round is None:
        return CensusRound(
            commune=commune, year=year, standard_code=standard_code_for(year, standard)
        )
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
