"""Activities from the field: the XLSForm converts, its ODK/KoBo export imports, all or nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from ketnghia.core.errors import InvalidInput
from ketnghia.core.outputs import xlsx_set
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.twinning import services
from ketnghia.twinning.activity_import.pipeline import activity_import
from ketnghia.twinning.activity_import.template import DATA_SHEET, HEADER_ROW, activity_template
from ketnghia.twinning.activity_import.xlsform import activity_xlsform
from ketnghia.twinning.models import (
    Activity,
    ActivityKind,
)
from ketnghia.twinning.tests.activity_files import (
    Field,
    central_export,
    central_row,
    make_field,
    write_central,
    write_kobo,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(tree, users) -> Field:
    return make_field(tree, users)


def _xml(content: bytes) -> str:
    return convert(xlsform=content, file_type=".xlsx").xform


def test_the_team_xlsform_converts_with_pyxform_and_has_the_report_fields(tree, field):
    xml = _xml(activity_xlsform(team=field.team))
    for name in (
        "date",
        "village",
        "kind",
        "participants",
        "reached_male",
        "reached_female",
        "reached_minority",
        "resources_vnd",
        "resources_in_kind",
        "activity_notes",
        "photo",
        "instanceID",
    ):
        assert f"/report/{name}" in xml or f"/meta/{name}" in xml, name
    assert f"'t{field.team.pk}'" in xml  # the team is recorded in every submission
    assert tree.village_a.code in xml and tree.village_b.code not in xml
    assert f"p{field.binh.pk}" in xml and f"p{field.outsider.pk}" not in xml
    assert "Trao hỗ trợ" in xml or "support_handover" in xml


def test_an_organisations_xlsform_asks_which_team_and_converts(tree, field):
    other = services.work_team_create(
        name="Tổ 2",
        organisation=field.team.organisation,
        commune=tree.dak_mar,
        start_date=date(2019, 1, 1),
        members=[field.binh],
        actor=None,
    )
    xml = _xml(activity_xlsform(teams=[field.team, other]))
    assert f"t{other.pk}" in xml and tree.village_b.code in xml
    assert "choice_filter" not in xml  # pyxform turned the filters into itemsets
    assert "instance('villages')" in xml


def test_a_central_export_imports_with_the_right_fields(tmp_path, tree, users, field):
    path = central_export(tmp_path, tree, field)
    report = activity_import(path=path, user=users.province_admin)
    assert (report.rows, report.created, report.rejected, report.photos_named) == (3, 2, 1, 1)
    handover = Activity.objects.get(kind=ActivityKind.SUPPORT_HANDOVER)
    assert handover.team == field.team
    assert handover.date == date(2024, 5, 3)
    assert handover.village == tree.village_a
    assert set(handover.participants.all()) == {field.binh, field.hoa}
    assert (handover.reached_male, handover.reached_female, handover.reached_minority) == (
        20,
        25,
        40,
    )
    assert handover.resources_vnd == 150_000_000
    assert handover.resources_in_kind == "1 nhà văn hóa"
    assert handover.source == "5b1e7c1a-0d8e-4f5c-9a3b-1f2e3d4c5b6a"
    latest = handover.history.first()
    assert latest.history_user == users.province_admin
    assert latest.history_change_reason == "import: bao_cao_hoat_dong.csv"
    assert [(c.code, c.new) for c in report.communes] == [("23500", 2)]


def test_a_reimport_creates_nothing_even_from_kobo(tmp_path, tree, users, field):
    path = central_export(tmp_path, tree, field)
    activity_import(path=path, user=users.province_admin)
    again = activity_import(path=path, user=users.province_admin)
    assert (again.created, again.already_imported) == (0, 2)
    # The same submission exported by KoBoToolbox: "_uuid" without the "uuid:" prefix.
    kobo = write_kobo(
        tmp_path / "kobo.csv",
        [
            {
                "report/team": f"t{field.team.pk}",
                "report/commune": "23500",
                "report/date": "2024-06-11",
                "report/kind": "training",
                "report/participants": f"p{field.hoa.pk}",
                "report/reached_male": "12",
                "report/reached_female": "18",
                "report/reached_total": "30",
                "report/reached_minority": "30",
                "_id": "91234",
                "_uuid": "0c9f2d4e-6b7a-4c1d-8e5f-2a3b4c5d6e7f",
                "_submission_time": "2024-06-11T03:00:00",
            },
            {
                "report/team": f"t{field.team.pk}",
                "report/date": "2024-08-02",
                "report/kind": "meeting",
                "report/participants": f"p{field.binh.pk}",
                "_id": "91235",
                "_uuid": "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            },
        ],
    )
    report = activity_import(path=kobo, user=users.province_admin)
    assert (report.created, report.already_imported) == (1, 1)
    assert Activity.objects.count() == 3


BAD_ROWS = [
    ({"day": "2030-01-01"}, "report-date", "cannot be dated in the future"),
    ({"day": "2017-12-31"}, "report-date", "outside the work team's period"),
    ({"village": "23488-01"}, "report-village", "is in another commune"),
    ({"participants": "OUTSIDER"}, "report-participants", "is not a member of work team"),
    ({"male": "-3", "total": "-3"}, "report-reached_male", "cannot be negative"),
    ({"male": "10", "female": "5", "total": "20"}, "report-reached_total", "add up to the total"),
    ({"male": "1", "female": "1", "minority": "5"}, "report-reached_minority", "more ethnic"),
    ({"kind": "party"}, "report-kind", "Unknown kind of activity"),
    ({"commune": "23488"}, "report-commune", "is not the commune of work team"),
    ({"team": "t999999"}, "report-team", "not found"),
]


@pytest.mark.parametrize(("change", "column", "expected"), BAD_ROWS)
def test_bad_input_is_refused_naming_row_and_field_and_nothing_is_written(
    tmp_path, tree, users, field, change, column, expected
):
    values = {
        "team": f"t{field.team.pk}",
        "commune": "23500",
        "day": "2024-05-03",
        "kind": "visit",
        "uuid": "aaaaaaaa-0000-4000-8000-000000000002",
    }
    values.update(change)
    if values.get("participants") == "OUTSIDER":
        values["participants"] = f"p{field.outsider.pk}"
    good = central_row(
        team=f"t{field.team.pk}",
        commune="23500",
        day="2024-04-01",
        kind="visit",
        uuid="bbbbbbbb-0000-4000-8000-000000000003",
    )
    path = write_central(tmp_path / "bad.csv", [good, central_row(**values)])
    with pytest.raises(InvalidInput) as refused:
        activity_import(path=path, user=users.province_admin)
    problems = refused.value.problems
    assert any(
        p.location.row == 3 and column in p.location.column and expected in str(p.message)
        for p in problems
    ), [str(p) for p in problems]
    assert Activity.objects.count() == 0


def test_a_twinning_member_cannot_import_for_another_organisations_team(
    tmp_path, tree, users, field
):
    # Their organisation sees Đắk Choong only; Sở Y tế's team in Ngọk Wang is "not found",
    # the same answer as a team that does not exist, and the commune is not named.
    path = central_export(tmp_path, tree, field)
    with pytest.raises(InvalidInput) as refused:
        activity_import(path=path, user=users.twinning_member)
    assert all("not found" in str(p.message) for p in refused.value.problems)
    assert "Ngọk Wang" not in " ".join(str(p) for p in refused.value.problems)
    assert Activity.objects.count() == 0
    own = write_central(
        tmp_path / "own.csv",
        [
            central_row(
                team=f"t{field.twin_team.pk}",
                commune="23290",
                day="2024-03-03",
                kind="visit",
                village="23290-01",
                uuid="cccccccc-0000-4000-8000-000000000004",
            )
        ],
    )
    report = activity_import(path=own, user=users.twinning_member)
    assert report.created == 1


def test_the_team_template_round_trips_and_refuses_another_team(tmp_path, tree, users, field):
    content = activity_template(team=field.team)
    book = load_workbook(io.BytesIO(content))
    sheet = book[DATA_SHEET]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:3] == ["Thôn, làng", "Ngày (dd/mm/yyyy)", "Loại hoạt động"]
    row = HEADER_ROW + 1
    for column, value in enumerate(
        [
            f"{tree.village_a.name} ({tree.village_a.code})",
            "03/05/2024",
            "Tập huấn",
            "Trần Văn Bình; Nguyễn Thị Hoa",
            10,
            15,
            25,
            20,
            2_000_000,
            "=10 bao xi măng",
            "Tập huấn trồng sâm",
        ],
        start=1,
    ):
        # As an officer types it: text stays text, even "=10 …" (Excel's quote prefix).
        xlsx_set(sheet.cell(row, column), value)
    filled = tmp_path / "hoat-dong.xlsx"
    book.save(filled)
    report = activity_import(path=filled, user=users.province_admin)
    assert report.created == 1
    activity = Activity.objects.get()
    assert activity.kind == ActivityKind.TRAINING
    assert activity.village == tree.village_a
    assert set(activity.participants.all()) == {field.binh, field.hoa}
    assert activity.resources_in_kind == "=10 bao xi măng"
    assert activity.source.startswith("row:")
    assert activity_import(path=filled, user=users.province_admin).created == 0
    with pytest.raises(InvalidInput) as refused:
        activity_import(path=filled, user=users.province_admin, team=field.twin_team)
    message = str(refused.value.problems[0])
    assert field.team.name in message and field.twin_team.name in message
    with pytest.raises(InvalidInput) as refused:
        activity_import(path=filled, user=users.province_admin, commune=tree.dak_mar)
    message = str(refused.value.problems[0])
    assert "23500" in message and "Đăk Mar" in message


def test_a_commune_template_lists_its_teams_and_imports(tmp_path, tree, users, field):
    book = load_workbook(io.BytesIO(activity_template(commune=tree.ngok_wang)))
    sheet = book[DATA_SHEET]
    assert sheet.cell(HEADER_ROW, 1).value == "Mã tổ công tác"
    for column, value in enumerate(
        [
            f"t{field.team.pk} — {field.team.name}",
            "",
            "04/05/2024",
            "Thăm, làm việc",
            "nguyen thi hoa",
        ],
        start=1,
    ):
        sheet.cell(HEADER_ROW + 1, column).value = value
    filled = tmp_path / "xa.xlsx"
    book.save(filled)
    report = activity_import(path=filled, user=users.commune_officer, commune=tree.ngok_wang)
    assert report.created == 1
    activity = Activity.objects.get()
    assert activity.kind == ActivityKind.VISIT
    assert list(activity.participants.all()) == [field.hoa]  # one name, spaces and all


def test_many_new_activities_need_a_confirmation(tmp_path, tree, users, field, settings):
    settings.KETNGHIA_ACTIVITY_IMPORT_CONFIRM_ROWS = 1
    path = central_export(tmp_path, tree, field)
    with pytest.raises(ConfirmationNeeded) as needed:
        activity_import(path=path, user=users.province_admin)
    assert needed.value.report.new == 2
    assert Activity.objects.count() == 0
    assert activity_import(path=path, user=users.province_admin, confirm=True).created == 2


def test_a_name_two_team_members_share_is_refused_not_guessed(tmp_path, tree, users, field):
    from ketnghia.twinning.tests.activity_files import _cadre

    namesake = _cadre("Nguyễn Thị Hoa", field.team.organisation)
    field.team.members.add(namesake)
    book = load_workbook(io.BytesIO(activity_template(commune=tree.ngok_wang)))
    sheet = book[DATA_SHEET]
    for column, value in enumerate(
        [
            f"t{field.team.pk} — {field.team.name}",
            "",
            "04/05/2024",
            "Thăm, làm việc",
            "Nguyễn Thị Hoa",
        ],
        start=1,
    ):
        sheet.cell(HEADER_ROW + 1, column).value = value
    filled = tmp_path / "xa.xlsx"
    book.save(filled)
    with pytest.raises(InvalidInput) as refused:
        activity_import(path=filled, user=users.commune_officer, commune=tree.ngok_wang)
    assert "names two members" in str(refused.value.problems[0])
    assert not Activity.objects.exists()
