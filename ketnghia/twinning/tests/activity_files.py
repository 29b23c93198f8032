"""Activity report files written as ODK Central and KoBoToolbox export them, for the tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ketnghia.twinning import services
from ketnghia.twinning.models import OrganisationKind, Person, PersonRole, WorkTeam
from ketnghia.twinning.tests.network import network

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


def _cadre(name: str, organisation) -> Person:
    return services.person_create(
        full_name=name,
        sex="male",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=organisation,
        actor=None,
    )


@dataclass
class Field:
    team: WorkTeam
    binh: Person
    hoa: Person
    outsider: Person
    twin_team: WorkTeam


def make_field(tree, users) -> Field:
    net = network(tree)
    services.twinning_create(
        organisation=net.agency, commune=tree.ngok_wang, start_date=date(2007, 6, 1), actor=None
    )
    binh, hoa = _cadre("Trần Văn Bình", net.agency), _cadre("Nguyễn Thị Hoa", net.agency)
    outsider = _cadre("Lê Văn Khách", net.agency)
    team = services.work_team_create(
        name="Tổ công tác Sở Y tế",
        organisation=net.agency,
        commune=tree.ngok_wang,
        start_date=date(2018, 1, 1),
        members=[binh, hoa],
        actor=None,
    )
    twin_org = users.twinning_member.organisation
    assert twin_org.kind == OrganisationKind.PROVINCIAL_AGENCY
    twin_team = services.work_team_create(
        name="Tổ công tác Sở Nông nghiệp",
        organisation=twin_org,
        commune=tree.dak_choong,
        start_date=date(2015, 1, 1),
        members=[_cadre("A Blong", twin_org)],
        actor=None,
    )
    return Field(team=team, binh=binh, hoa=hoa, outsider=outsider, twin_team=twin_team)


def central_export(tmp_path: Path, tree, field: Field) -> Path:
    team = f"t{field.team.pk}"
    return write_central(
        tmp_path / "bao_cao_hoat_dong.csv",
        [
            central_row(
                team=team,
                commune="23500",
                day="2024-05-03",
                kind="support_handover",
                village=tree.village_a.code,
                participants=f"p{field.binh.pk} p{field.hoa.pk}",
                male="20",
                female="25",
                minority="40",
                vnd="150000000",
                in_kind="1 nhà văn hóa",
                notes="Bàn giao nhà văn hóa",
                photo="1714700000123.jpg",
                uuid="5b1e7c1a-0d8e-4f5c-9a3b-1f2e3d4c5b6a",
            ),
            central_row(
                team=team,
                commune="23500",
                day="2024-06-11",
                kind="training",
                participants=f"p{field.hoa.pk}",
                male="12",
                female="18",
                minority="30",
                uuid="0c9f2d4e-6b7a-4c1d-8e5f-2a3b4c5d6e7f",
            ),
            central_row(
                team=team,
                commune="23500",
                day="2024-07-01",
                kind="visit",
                uuid="ffffffff-0000-4000-8000-000000000001",
                review="rejected",
            ),
        ],
    )
