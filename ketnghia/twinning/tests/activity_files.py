"""Activity report files written as ODK Central and KoBoToolbox export them, for the tests."""

from __future__ import annotations

import csv
from pathlib import Path

# ODK Central's CSV export: the group path joined with "-", metadata around the fields.
CENTRAL_HEADER = [
    "SubmissionDate",
    "start",
    "end",
    "report-team",
    "report-commune",
    "report-date",
    "report-village",
    "report-kind",
    "report-participants",
    "report-reached_male",
    "report-reached_female",
    "report-reached_total",
    "report-reached_minority",
    "report-resources_vnd",
    "report-resources_in_kind",
    "report-activity_notes",
    "report-photo",
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]


def central_row(
    *,
    team: str,
    commune: str,
    day: str,
    kind: str,
    uuid: str,
    village: str = "",
    participants: str = "",
    male: str = "0",
    female: str = "0",
    minority: str = "0",
    total: str | None = None,
    vnd: str = "0",
    in_kind: str = "",
    notes: str = "",
    photo: str = "",
    review: str = "",
) -> list[str]:
    if total is None:
        total = str(int(male or 0) + int(female or 0))
    return [
        f"{day}T10:15:02.120Z",
        f"{day}T08:01:00.000+07:00",
        f"{day}T08:20:00.000+07:00",
        team,
        commune,
        day,
        village,
        kind,
        participants,
        male,
        female,
        total,
        minority,
        vnd,
        in_kind,
        notes,
        photo,
        f"uuid:{uuid}",
        f"uuid:{uuid}",
        "7",
        "Tổ công tác",
        "1" if photo else "0",
        "1",
        "",
        review,
        "collect:Xh3kq9",
        "0",
        "v1a2b3c4d5e",
    ]


def write_central(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CENTRAL_HEADER)
        writer.writerows(rows)
    return path


def write_kobo(path: Path, rows: list[dict[str, str]]) -> Path:
    """KoBoToolbox's CSV export: "/" between group and field, ";" between cells, _uuid, _id."""
    header = [
        "start",
        "end",
        "report/team",
        "report/commune",
        "report/date",
        "report/village",
        "report/kind",
        "report/participants",
        "report/reached_male",
        "report/reached_female",
        "report/reached_total",
        "report/reached_minority",
        "report/resources_vnd",
        "report/resources_in_kind",
        "report/activity_notes",
        "report/photo",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "_tags",
        "_index",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for index, row in enumerate(rows, start=1):
            writer.writerow([row.get(column, "") for column in header[:-1]] + [str(index)])
    return path
