"""The activity import's write: 10,000 activity reports in one file, into PostgreSQL.

Run in `bench.worker` (task `activities`) on a fresh scratch database: a work team of the
bench commune with eight members, a template-like CSV of `ROWS` reports (each a visit,
training or meeting in one of the villages, two to four participants), imported with
`activity_import(confirm=True)`. The figure is the wall-clock time of that call: reading,
checks, plan, the set-based write with its history rows. Target: under 10 s.
"""

from __future__ import annotations

import csv
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROWS = 10_000
TARGET_SECONDS = 10.0
KINDS = ("visit", "training", "meeting", "propaganda")


def _network(commune: Any) -> tuple[Any, list[Any]]:
    from ketnghia.twinning import services
    from ketnghia.twinning.models import OrganisationKind, PersonRole

    organisation = services.organisation_create(
        name="Sở Y tế tỉnh Kon Tum",
        kind=OrganisationKind.PROVINCIAL_AGENCY,
        province=commune.parent.parent,
        actor=None,
    )
    members = [
        services.person_create(
            full_name=f"Cán bộ {number}",
            sex="male",
            ethnicity="01",
            role=PersonRole.CADRE,
            active_from=date(2007, 1, 1),
            organisation=organisation,
            actor=None,
        )
        for number in range(1, 9)
    ]
    team = services.work_team_create(
        name="Tổ công tác Sở Y tế",
        organisation=organisation,
        commune=commune,
        start_date=date(2015, 1, 1),
        members=members,
        actor=None,
    )
    return team, members


def write_file(path: Path, team: Any, members: list[Any], villages: list[str], rows: int) -> Path:
    """Write `rows` activity reports of `team` as the template's CSV."""
    from ketnghia.twinning.activity_import import columns as cols

    rng = random.Random(2015)
    first = date(2016, 1, 1)
    keys = [cols.TEAM, cols.VILLAGE, cols.DATE, cols.KIND, cols.PARTICIPANTS]
    keys += [cols.REACHED_MALE, cols.REACHED_FEMALE, cols.REACHED_MINORITY]
    keys += [cols.RESOURCES_VND, cols.NOTES]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([field.header for field in keys])
        for number in range(rows):
            men, women = rng.randint(0, 40), rng.randint(0, 40)
            chosen = rng.sample(members, rng.randint(2, 4))
            writer.writerow(
                [
                    f"t{team.pk}",
                    rng.choice(villages),
                    (first + timedelta(days=number % 3000)).strftime("%d/%m/%Y"),
                    rng.choice(KINDS),
                    "; ".join(f"p{person.pk}" for person in chosen),
                    men,
                    women,
                    rng.randint(0, men + women),
                    rng.randint(0, 50) * 100_000,
                    f"Hoạt động số {number + 1}",
                ]
            )
    return path


def measure(directory: Path, rows: int = ROWS) -> dict[str, Any]:
    """Set up the team, write the file, time its import; return the figures."""
    from django.db import connection

    from ketnghia.accounts.models import User
    from ketnghia.geo.models import Unit, UnitLevel
    from ketnghia.twinning.activity_import.pipeline import activity_import
    from ketnghia.twinning.models import Activity

    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent__parent").get()
    team, members = _network(commune)
    villages = list(commune.children.values_list("code", flat=True))
    path = write_file(directory / f"activities-{rows}.csv", team, members, villages, rows)
    # The bench user administers everything (the gate's widest scope), as a province's would.
    User.objects.filter(username="bench").update(is_superuser=True)
    actor = User.objects.get(username="bench")
    started = time.perf_counter()
    report = activity_import(path=path, user=actor, confirm=True, today=date(2026, 1, 1))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "vendor": connection.vendor,
        "entries": report.created,
        "activities": Activity.objects.count(),
        "history": Activity.history.count(),
    }


def add_lines(report: Any, database: str, result: dict[str, Any], seconds_format: Any) -> None:
    """Add the activity import's line to `make bench`'s table."""
    seconds = result["seconds"]
    report.add(
        "activity import (checks, plan, bulk write + history rows)",
        database,
        f"{result['rows']:,}",
        seconds_format(seconds),
        f"{result['rows'] / seconds:,.0f} rows/s",
        f"< {TARGET_SECONDS:.0f} s",
        "met" if seconds < TARGET_SECONDS else "NOT met",
    )
