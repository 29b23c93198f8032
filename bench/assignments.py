"""The assignments import's write: Party members assigned to households, into PostgreSQL.

Run in `bench.worker` (task `assignments`) on a fresh scratch database: the bench commune's
program with a cap of 10 households per member, `ROWS` poor households, and two files as an
officer fills them in: a people file of `ROWS / 5` new Party members and an assignments file
of `ROWS` rows (each household to a member). Then a second file reassigns every household to
another member from a later date, which closes each stored assignment the day before. The
figures are the wall-clock times of the two `assignments_import(confirm=True)` calls:
reading, checks, plan, the write with its history rows.
"""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path
from typing import Any

ROWS = 2_000
PER_MEMBER = 5
HEADER = ["Loại phân công", "Mã xã", "Mã hộ", "Mã người phụ trách", "Từ ngày"]
PEOPLE_HEADER = [
    "Mã người",
    "Họ và tên",
    "Giới tính",
    "Dân tộc",
    "Vai trò",
    "Mã xã",
    "Hoạt động từ",
]


def _world(commune: Any, rows: int) -> None:
    from ketnghia.households.models import Household
    from ketnghia.programs.models import Program, ProgramCommune
    from ketnghia.twinning.models import NetworkRules

    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    NetworkRules.objects.create(program=program, max_households_per_party_member=2 * PER_MEMBER)
    village = commune.children.order_by("code").first()
    Household.objects.bulk_create(
        [
            Household(
                commune=commune,
                village=village,
                code=f"H{number:05d}",
                head_name=f"Chủ hộ {number}",
                unit_path=village.path,
            )
            for number in range(rows)
        ],
        batch_size=2000,
    )


def write_files(directory: Path, commune_code: str, rows: int) -> tuple[Path, Path, Path]:
    """Write the people file, the assignments file and the reassignments file."""
    members = rows // PER_MEMBER
    people = directory / f"dang-vien-{rows}.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PEOPLE_HEADER)
        for number in range(members):
            sex = "nam" if number % 2 else "nữ"
            row = [f"M{number}", f"Đảng viên {number}", sex, "Xơ-đăng", "Đảng viên"]
            writer.writerow([*row, commune_code, "01/01/2010"])
    first = directory / f"phan-cong-{rows}.csv"
    again = directory / f"phan-cong-lai-{rows}.csv"
    for path, shift, start in ((first, 0, "01/01/2015"), (again, 1, "01/01/2020")):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for number in range(rows):
                member = (number // PER_MEMBER + shift) % members
                writer.writerow(
                    ["Đảng viên → hộ", commune_code, f"H{number:05d}", f"M{member}", start]
                )
    return people, first, again


def measure(directory: Path, rows: int = ROWS) -> dict[str, Any]:
    """Set up the commune's households, write the files, time both imports."""
    from django.db import connection

    from ketnghia.accounts.models import User
    from ketnghia.geo.models import Unit, UnitLevel
    from ketnghia.twinning.assignment_import import assignments_import
    from ketnghia.twinning.models import Assignment, Person

    commune = Unit.objects.get(level=UnitLevel.COMMUNE)
    _world(commune, rows)
    people, first, again = write_files(directory, commune.code, rows)
    actor = User.objects.get(username="bench")
    started = time.perf_counter()
    created = assignments_import(path=first, people_path=people, actor=actor, confirm=True)
    seconds = time.perf_counter() - started
    # The second file names the members by their stored numbers, as the template writes them.
    ids = dict(Person.objects.values_list("file_code", "pk"))
    text = again.read_text(encoding="utf-8")
    for code, pk in sorted(ids.items(), key=lambda item: -len(item[0] or "")):
        if code:
            text = text.replace(f",{code},", f",{pk},")
    again.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    moved = assignments_import(path=again, actor=actor, confirm=True)
    reassign_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "reassign_seconds": reassign_seconds,
        "vendor": connection.vendor,
        "created": created.created,
        "people": created.people_created,
        "reassigned": moved.reassigned,
        "closed": moved.closed,
        "assignments": Assignment.objects.count(),
        "history": Assignment.history.count(),
    }


def add_lines(report: Any, database: str, result: dict[str, Any], seconds_format: Any) -> None:
    """Add the assignments import's lines to `make bench`'s table."""
    rows = result["rows"]
    report.add(
        f"assignments import, {rows:,} Party member → household rows "
        f"({rows // PER_MEMBER:,} new members)",
        database,
        f"{rows:,}",
        seconds_format(result["seconds"]),
        f"{rows / result['seconds']:,.0f} rows/s",
    )
    report.add(
        "  the same households reassigned (each stored one closed the day before)",
        database,
        f"{rows:,}",
        seconds_format(result["reassign_seconds"]),
        f"{rows / result['reassign_seconds']:,.0f} rows/s",
    )
