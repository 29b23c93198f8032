"""An activity upload is an `ImportJob`: its page, its confirmation there, its error workbook."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.twinning.models import Activity
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


def _upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_a_checked_upload_has_its_job_page_and_is_confirmed_there(
    client, tmp_path, tree, users, field, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    path = central_export(tmp_path, tree, field)
    response = client.post("/network/activities/import/?commune=23500", {"file": _upload(path)})
    key = response.context["key"]
    job = ImportJob.objects.get(key=key)
    assert job.state == ImportJobState.DONE and job.dry_run and job.may_confirm
    assert job.created_by == users.commune_officer
    page = client.get(f"/imports/{key}/")
    assert page.status_code == 200
    assert 'data-testid="confirm-form"' in page.content.decode()
    # Another user: the same "not found" as a missing job.
    client.force_login(users.province_admin)
    assert client.get(f"/imports/{key}/").status_code == 404
    assert client.post(f"/imports/{key}/confirm/").status_code == 404
    assert client.get("/imports/not-a-key/").status_code == 404
    client.force_login(users.commune_officer)
    confirmed = client.post(f"/imports/{key}/confirm/")
    assert confirmed.status_code == 302
    assert Activity.objects.count() == 2
    job.refresh_from_db()
    assert job.state == ImportJobState.DONE and not job.dry_run and not job.file
    assert job.report["report"]["created"] == 2
    assert 'data-testid="import-done"' in client.get(f"/imports/{key}/").content.decode()
    # Used up: neither confirm route imports it again.
    assert client.post(f"/imports/{key}/confirm/").status_code == 404
    again = client.post("/network/activities/import/confirm/", {"key": key})
    assert again.status_code == 404
    assert Activity.objects.count() == 2


def test_a_refused_upload_keeps_its_error_workbook(client, tmp_path, tree, users, field, settings):
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
                uuid="dddddddd-0000-4000-8000-000000000009",
            )
        ],
    )
    response = client.post("/network/activities/import/", {"file": _upload(path)})
    assert response.status_code == 400
    job = response.context["job"]
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED and job.errors and not job.file
    page = response.content.decode()
    assert f"/imports/{job.key}/errors.xlsx" in page
    download = client.get(f"/imports/{job.key}/errors.xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    workbook = load_workbook(io.BytesIO(download.content))
    text = " ".join(
        str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
    )
    assert "party" in text  # the faulty row is in it, beside its problems
    job_page = client.get(f"/imports/{job.key}/").content.decode()
    assert 'data-testid="import-problems"' in job_page
    client.force_login(users.province_admin)
    assert client.get(f"/imports/{job.key}/errors.xlsx").status_code == 404
    assert Activity.objects.count() == 0
