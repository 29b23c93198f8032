"""Census rounds built through the real services, for the census tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ketnghia.census import services
from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch, RoundState
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household, Member
from ketnghia.imports.models import ImportJob
from ketnghia.imports.spec import spec_path

# Household code → (head's name, personal ID of the head).
HEADS = {
    "A": ("Nguyễn Văn An", "001234567889"),
    "B": ("A Blương", "000198001234"),
    "C": ("Y Hlin", "000187005678"),
    "D": ("Đinh Thị Dung", "000199009876"),
}


def household(commune: Unit, code: str, village: Unit | None = None) -> Household:
    name, personal_id = HEADS.get(code, (f"Chủ hộ {code}", ""))
    found = Household.objects.filter(commune=commune, code=code).first()
    if found is not None:
        return found
    created = Household(commune=commune, code=code, head_name=name, village=village)
    created.save()
    Member.objects.create(
        household=created,
        full_name=name,
        sex="male",
        birth_year=1980,
        ethnicity="14",
        relation="head",
        personal_id=personal_id,
    )
    return created


def make_round(
    commune: Unit,
    year: int,
    standard: str,
    incomes: dict[str, int],
    masks: dict[str, int] | None = None,
    village: Unit | None = None,
) -> CensusRound:
    """Open a round and classify one entry per household code with the given income."""
    census_round = services.census_round_create(commune=commune, year=year, standard_code=standard)
    for code, income in incomes.items():
        found = household(commune, code, village)
        CensusEntry.objects.create(
            round=census_round,
            household=found,
            household_code=code,
            head_name=found.head_name,
            village_code=village.code if village else "",
            area="rural",
            member_count=4,
            monthly_income_per_person=income,
            deprivations=(masks or {}).get(code, 0),
            computed_status="not_poor",
            status="not_poor",
            rule="",
        )
    services.census_round_classify(census_round=census_round)
    return census_round


def take_to_posted(census_round: CensusRound, officer) -> CensusRound:
    """Take a round through collection, the village meeting and the posting."""
    services.census_round_advance(
        census_round=census_round, target=RoundState.COLLECTED, actor=officer
    )
    services.census_round_record_meeting(
        census_round=census_round,
        meeting_date=date(census_round.year, 10, 1),
        participants=30,
        agreeing=25,
        minutes=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n% Bien ban hop thon\n"),
        actor=officer,
    )
    services.census_round_advance(
        census_round=census_round, target=RoundState.VILLAGE_MEETING, actor=officer
    )
    services.census_round_record_posting(
        census_round=census_round,
        start=date(census_round.year, 10, 2),
        end=date(census_round.year, 10, 9),
        actor=officer,
    )
    services.census_round_advance(
        census_round=census_round, target=RoundState.POSTED, actor=officer
    )
    return census_round


def approve(census_round: CensusRound, officer) -> CensusRound:
    """Take a round all the way to the commune's approval."""
    take_to_posted(census_round, officer)
    services.census_round_advance(
        census_round=census_round, target=RoundState.COMMUNE_APPROVED, actor=officer
    )
    return census_round


def series(tree, users) -> list[CensusRound]:
    """Three approved years of Ngọk Wang; the standard changes in 2016 (a break in series).

    2014: A, B poor, C not poor; 2015: A poor, B out, C left, D new and poor;
    2016 (vn-2016): A out, B fell back, D out.
    """
    officer = users.commune_officer
    village = tree.village_a
    return [
        approve(
            make_round(
                tree.ngok_wang,
                2014,
                "vn-2011",
                {"A": 300_000, "B": 300_000, "C": 450_000},
                village=village,
            ),
            officer,
        ),
        approve(
            make_round(
                tree.ngok_wang,
                2015,
                "vn-2011",
                {"A": 300_000, "B": 600_000, "D": 100_000},
                village=village,
            ),
            officer,
        ),
        approve(
            make_round(
                tree.ngok_wang,
                2016,
                "vn-2016",
                {"A": 1_200_000, "B": 650_000, "D": 2_000_000},
                village=village,
            ),
            officer,
        ),
    ]


def other_commune_round(tree) -> CensusRound:
    """A round of Đăk Mar: same district as Ngọk Wang, outside its commune officer's scope."""
    return make_round(tree.dak_mar, 2015, "vn-2011", {"M1": 300_000}, village=tree.village_b)


def census_job(census_round: CensusRound, **fields: Any) -> ImportJob:
    """Return a stored web upload of `census_round` (an import job of the census spec)."""
    from ketnghia.census.importing.pipeline import CENSUS

    return ImportJob.objects.create(
        key=uuid.uuid4().hex, spec=spec_path(CENSUS), scope={"round": census_round.pk}, **fields
    )


def job_batch(job: ImportJob) -> ImportBatch | None:
    """Return the import batch a finished census job wrote (None: it wrote none)."""
    batch_id = (job.report.get("report") or {}).get("batch_id")
    return ImportBatch.objects.filter(pk=batch_id).first() if batch_id else None
