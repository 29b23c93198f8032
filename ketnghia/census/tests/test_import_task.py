"""Web uploads: a job stored, imported by the background task, its report and problems kept."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tasks import census_import_enqueue, census_import_job_errors_workbook
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import job_batch
from ketnghia.core.errors import InvalidInput
from ketnghia.core.personal_data import disclosure_open
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


def upload(tmp_path, rows, name="ra-soat.csv") -> SimpleUploadedFile:
    path = write_csv(tmp_path / name, headers(VN_2022), rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def enqueue(census_round, uploaded, users, capture, dry_run=False) -> ImportJob:
    with capture(execute=True):
        job = census_import_enqueue(
            census_round=census_round,
            uploaded_file=uploaded,
            dry_run=dry_run,
            actor=users.commune_officer,
        )
    job.refresh_from_db()
    return job


def test_an_upload_is_imported_by_the_task(
    census_round, tmp_path, users, django_capture_on_commit_callbacks
):
    rows = [household("H1", "A", "Làng Kon Stiu", "1.000.000", [1, 1, 1] + [0] * 9)]
    job = enqueue(census_round, upload(tmp_path, rows), users, django_capture_on_commit_callbacks)
    assert job.state == ImportJobState.DONE
    assert (job.rows_done, job.rows_total, job.percent) == (1, 1, 100)
    report, batch = job.report["report"], job_batch(job)
    assert report["created"] == 1 and report["by_status"]["poor"] == 1
    assert batch is not None and batch.imported_by == users.commune_officer
    assert job.created_by == users.commune_officer and job.file_name == "ra-soat.csv"
    assert CensusEntry.objects.get().import_batch == batch


def test_a_refused_upload_keeps_its_problems_and_offers_the_error_workbook(
    census_round, tmp_path, users, django_capture_on_commit_callbacks
):
    rows = [household("H1", "A", "Thôn 9", "-1", [0] * 12)]
    job = enqueue(census_round, upload(tmp_path, rows), users, django_capture_on_commit_callbacks)
    assert job.state == ImportJobState.FAILED and job.is_finished
    assert job.report["error_count"] == 2
    assert {e["row"] for e in job.report["errors"]} == {2}
    assert CensusEntry.objects.count() == 0
    book = openpyxl.load_workbook(
        io.BytesIO(
            census_import_job_errors_workbook(
                job=job,
                census_round=census_round,
                disclosure=disclosure_open(user=None, output="census.import_errors_xlsx"),
            )
        )
    )
    assert len(book.sheetnames) == 2


def test_a_dry_run_upload_writes_nothing(
    census_round, tmp_path, users, django_capture_on_commit_callbacks
):
    rows = [household("H1", "A", "Làng Kon Stiu", "1.000.000", [0] * 12)]
    job = enqueue(
        census_round, upload(tmp_path, rows), users, django_capture_on_commit_callbacks, True
    )
    assert job.state == ImportJobState.DONE and job.report["report"]["dry_run"] is True
    assert CensusEntry.objects.count() == 0


def test_too_large_or_approved_is_refused_before_anything_is_stored(
    census_round, tmp_path, users, settings
):
    settings.KETNGHIA_IMPORT_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="more than"):
        census_import_enqueue(
            census_round=census_round,
            uploaded_file=upload(tmp_path, [household("H1", "A", "x", "1", [0] * 12)]),
            dry_run=False,
            actor=users.commune_officer,
        )
    settings.KETNGHIA_IMPORT_MAX_BYTES = 1 << 20
    CensusRound.objects.filter(pk=census_round.pk).update(state="province_accepted")
    census_round.refresh_from_db()
    with pytest.raises(InvalidInput, match="approved"):
        census_import_enqueue(
            census_round=census_round,
            uploaded_file=upload(tmp_path, [household("H1", "A", "x", "1", [0] * 12)]),
            dry_run=False,
            actor=users.commune_officer,
        )
    assert not ImportJob.objects.exists()
