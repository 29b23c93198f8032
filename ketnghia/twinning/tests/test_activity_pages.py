"""Activities from the field in pages and CLI: downloads, upload with preview and confirm, photos."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from pyxform.xls2xform import convert

from ketnghia.core.errors import InvalidInput
from ketnghia.twinning import services
from ketnghia.twinning.activity_photos import activity_photo_add
from ketnghia.twinning.models import Activity, ActivityKind
from ketnghia.twinning.tests.activity_files import (
    Field,
    central_export,
    central_row,
    make_field,
    write_central,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(tree, users) -> Field:
    return make_field(tree, users)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64


def _upload(path, name=None, content_type="text/csv"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def test_the_twinning_members_home_links_their_teams_form_and_template(client, users, field):
    client.force_login(users.twinning_member)
    page = client.get("/network/").content.decode()
    assert f"/network/teams/{field.twin_team.pk}/xlsform.xlsx" in page
    assert f"/network/teams/{field.twin_team.pk}/template.xlsx" in page
    assert f"/network/teams/{field.team.pk}/" not in page
    assert "/network/activities/import/" in page
    response = client.get(f"/network/teams/{field.twin_team.pk}/xlsform.xlsx")
    assert response.status_code == 200
    assert "instanceID" in convert(xlsform=response.content, file_type=".xlsx").xform
    assert client.get("/network/activities/xlsform.xlsx").status_code == 200
    # Another organisation's team: the same 404 as a team that does not exist.
    for url in (
        f"/network/teams/{field.team.pk}/xlsform.xlsx",
        f"/network/teams/{field.team.pk}/template.xlsx",
        "/network/teams/999999/xlsform.xlsx",
        "/network/23500/activities/template.xlsx",
        f"/network/activities/import/?team={field.team.pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_commune_page_links_the_template_and_the_import(client, users, field):
    client.force_login(users.commune_officer)
    page = client.get("/network/23500/").content.decode()
    assert "/network/23500/activities/template.xlsx" in page
    assert "/network/activities/import/?commune=23500" in page
    response = client.get("/network/23500/activities/template.xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_an_upload_shows_the_preview_then_imports_on_confirmation(
    client, tmp_path, tree, users, field, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    path = central_export(tmp_path, tree, field)
    response = client.post("/network/activities/import/?commune=23500", {"file": _upload(path)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-commune="23500"' in page and 'data-new="2"' in page
    assert Activity.objects.count() == 0
    # Waiting for the confirmation, with no wording of a failure.
    assert 'data-testid="import-state"' in page and 'data-testid="import-problems"' not in page
    key = response.context["key"]
    waiting = list((tmp_path / "media" / "twinning" / "imports").iterdir())
    assert len(waiting) == 1  # the checked file waits for the confirmation
    confirmed = client.post("/network/activities/import/confirm/", {"key": key})
    assert confirmed.status_code == 302
    assert Activity.objects.count() == 2
    assert set(Activity.history.values_list("history_user", flat=True)) == {
        users.commune_officer.pk
    }
    # The key is used up; uploading the same export again has nothing new.
    assert client.post("/network/activities/import/confirm/", {"key": key}).status_code == 404
    assert not waiting[0].exists()
    again = client.post("/network/activities/import/", {"file": _upload(path)})
    assert 'data-testid="nothing-new"' in again.content.decode()
    assert not list((tmp_path / "media" / "twinning" / "imports").iterdir())
    assert Activity.objects.count() == 2


def test_a_refused_upload_lists_its_problems_and_writes_nothing(
    client, tmp_path, tree, users, field, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    path = write_central(
        tmp_path / "sai.csv",
        [
            central_row(
                team=f"t{field.team.pk}",
                commune="23500",
                day="2030-01-01",
                kind="party",
                uuid="dddddddd-0000-4000-8000-000000000005",
            )
        ],
    )
    response = client.post("/network/activities/import/", {"file": _upload(path)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="import-problems"' in page
    assert "report-kind" in page and "report-date" in page, response.context["problems"]
    assert Activity.objects.count() == 0
    wrong = client.post(
        "/network/activities/import/",
        {"file": SimpleUploadedFile("anh.png", PNG, content_type="image/png")},
    )
    assert wrong.status_code == 400


def _activity(field, tree):
    return services.activity_record(
        team=field.team, date=date(2024, 5, 3), kind=ActivityKind.VISIT, actor=None
    )


def test_photos_are_checked_then_shown_and_downloaded_inside_the_scope(
    client, tmp_path, tree, users, field, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = _activity(field, tree)
    client.force_login(users.commune_officer)
    url = f"/network/23500/activities/{activity.pk}/photos/"
    response = client.post(url, {"photo": SimpleUploadedFile("le-trao.png", PNG)})
    assert response.status_code == 302
    photo = activity.photos.get()
    assert photo.original_name == "le-trao.png" and photo.stored.name.endswith(".png")
    assert "le-trao" not in photo.stored.name  # stored under a generated name
    page = client.get("/network/23500/").content.decode()
    download = f"/attachments/{photo.key}/"
    assert download in page
    assert client.get(download).status_code == 200
    client.force_login(users.twinning_member)
    assert client.get(download).status_code == 404
    assert client.post(url, {"photo": SimpleUploadedFile("x.png", PNG)}).status_code == 404
    assert activity.photos.count() == 1


def test_photo_limits_refuse_and_write_nothing(tree, users, field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = _activity(field, tree)
    for upload, expected in (
        (SimpleUploadedFile("bien-ban.pdf", PDF), "not a photo"),
        (SimpleUploadedFile("anh.jpg", PNG), "name it .png"),
        (SimpleUploadedFile("anh.png", b""), "is empty"),
    ):
        with pytest.raises(InvalidInput) as refused:
            activity_photo_add(activity=activity, uploaded_file=upload, actor=None)
        assert expected in str(refused.value.problems[0]), expected
    settings.KETNGHIA_ACTIVITY_PHOTO_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="larger than"):
        activity_photo_add(
            activity=activity, uploaded_file=SimpleUploadedFile("to.png", PNG), actor=None
        )
    settings.KETNGHIA_ACTIVITY_PHOTO_MAX_BYTES = 1024
    settings.KETNGHIA_ACTIVITY_MAX_PHOTOS = 1
    activity_photo_add(
        activity=activity, uploaded_file=SimpleUploadedFile("a.png", PNG), actor=None
    )
    with pytest.raises(InvalidInput, match="at most 1 photos"):
        activity_photo_add(
            activity=activity, uploaded_file=SimpleUploadedFile("b.png", PNG), actor=None
        )
    assert activity.photos.count() == 1
    assert (
        not list((tmp_path / "media" / "attachments").rglob("*"))
        or len([p for p in (tmp_path / "media" / "attachments").rglob("*") if p.is_file()]) == 1
    )


def test_the_cli_imports_refuses_with_exit_2_and_confirms(tmp_path, tree, users, field, settings):
    path = central_export(tmp_path, tree, field)
    out = io.StringIO()
    call_command("import-activities", str(path), "--dry-run", stdout=out)
    assert "23500" in out.getvalue() and Activity.objects.count() == 0
    settings.KETNGHIA_ACTIVITY_IMPORT_CONFIRM_ROWS = 1
    with pytest.raises(CommandError) as refused:
        call_command("import-activities", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2 and Activity.objects.count() == 0
    call_command("import-activities", str(path), "--confirm", stdout=io.StringIO())
    assert Activity.objects.count() == 2
    bad = write_central(
        tmp_path / "bad.csv",
        [
            central_row(
                team=f"t{field.team.pk}",
                commune="23500",
                day="2024-01-01",
                kind="visit",
                male="-1",
                uuid="eeeeeeee-0000-4000-8000-000000000006",
            )
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import-activities", str(bad), stdout=io.StringIO(), stderr=err)
    assert refused.value.returncode == 2
    assert "row 2" in err.getvalue() and "reached_male" in err.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import-activities",
            str(path),
            "--team",
            str(field.team.pk),
            "--actor",
            "twin",
            stdout=io.StringIO(),
        )
    assert refused.value.returncode == 2
    assert Activity.objects.count() == 2


def test_the_pages_with_the_activity_tools_keep_their_query_counts(
    client, tree, users, field, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = _activity(field, tree)
    for name in ("a.png", "b.png", "c.png"):
        activity_photo_add(
            activity=activity, uploaded_file=SimpleUploadedFile(name, PNG), actor=None
        )
    client.force_login(users.commune_officer)
    with django_assert_max_num_queries(40):
        page = client.get("/network/23500/")
    assert page.content.decode().count('data-testid="activity-photo"') == 3
    client.force_login(users.twinning_member)
    with django_assert_max_num_queries(40):
        assert client.get("/network/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/network/activities/import/").status_code == 200


def test_a_zip_bomb_is_refused_on_the_activity_page_and_the_server_goes_on(
    client, tmp_path, tree, users, settings
):
    """A 3.5 MB workbook whose shared strings inflate to 3.5 GB, from a twinning member."""
    from django.utils import translation

    from ketnghia.imports.tests.bombs import write_bomb
    from ketnghia.imports.tests.test_archive import address_space_limit

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.twinning_member)
    bomb = write_bomb(tmp_path / "hoat-dong.xlsx")
    with translation.override("vi"), address_space_limit(512 << 20):
        response = client.post("/network/activities/import/", {"file": _upload(bomb)})
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert "hoat-dong.xlsx" in problem and "giải nén" in problem
    assert not list((tmp_path / "media" / "twinning" / "imports").iterdir())
    assert client.get("/network/").status_code == 200


def test_the_activity_upload_is_read_in_the_memory_capped_worker(
    client, tmp_path, tree, users, field, settings, monkeypatch
):
    from ketnghia.imports import worker

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    settings.KETNGHIA_IMPORT_WORKER_MEMORY_MB = 40  # too little for the worker to start
    monkeypatch.setattr(worker, "database_url", lambda: "sqlite:///unused.sqlite3")
    client.force_login(users.commune_officer)
    path = central_export(tmp_path, tree, field)
    response = client.post("/network/activities/import/?commune=23500", {"file": _upload(path)})
    assert response.status_code == 400
    assert "bộ nhớ" in " ".join(response.context["problems"])
    assert Activity.objects.count() == 0
    assert client.get("/network/").status_code == 200


@pytest.mark.usefixtures("transactional_db")
def test_the_worker_process_checks_and_imports_activities_end_to_end(
    client, tmp_path, tree, users, field, settings
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open (PostgreSQL here)")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    client.force_login(users.commune_officer)
    path = central_export(tmp_path, tree, field)
    response = client.post("/network/activities/import/?commune=23500", {"file": _upload(path)})
    assert response.status_code == 200, response.context.get("problems")
    assert 'data-new="2"' in response.content.decode() and Activity.objects.count() == 0
    confirmed = client.post("/network/activities/import/confirm/", {"key": response.context["key"]})
    assert confirmed.status_code == 302 and Activity.objects.count() == 2
