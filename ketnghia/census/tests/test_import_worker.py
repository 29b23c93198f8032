"""Web uploads imported in a worker process under a memory limit (`census.tasks`).

A worker that dies (out of memory, killed) leaves its job failed with a message and the
progress partial stops polling; the server goes on answering. End to end on PostgreSQL: the
worker process reads the same database as the web.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ketnghia.census import services
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import census_job
from ketnghia.census.tests.hostile_files import CORPUS
from ketnghia.imports import worker as imports_worker
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


@pytest.fixture
def worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = True
    return settings


def good_csv(tmp_path) -> SimpleUploadedFile:
    rows = [household("H1", "Y Blong", "Làng Kon Stiu", "1.000.000", [1, 1, 1] + [0] * 9)]
    path = write_csv(tmp_path / "ra-soat.csv", headers(VN_2022), rows)
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def post(client, census_round, uploaded, capture) -> ImportJob:
    url = reverse("census:round_import", args=[census_round.commune.code, census_round.year])
    with capture(execute=True):
        answer = client.post(url, {"file": uploaded})
    assert answer.status_code == 302
    return ImportJob.objects.order_by("-pk").first()


@pytest.mark.parametrize("death", ["memory", "abort"])
def test_a_worker_that_dies_fails_its_job_and_the_page_stops_polling(
    client,
    users,
    census_round,
    tmp_path,
    worker,
    monkeypatch,
    django_capture_on_commit_callbacks,
    death,
):
    real = imports_worker.worker_command

    def command(target, arguments):
        if death == "abort":
            return [sys.executable, "-c", "import os; os.abort()"], {}
        # The real worker, with too little memory to start: it dies of MemoryError.
        monkeypatch.setattr(imports_worker, "database_url", lambda: "sqlite:///unused.sqlite3")
        worker.KETNGHIA_IMPORT_WORKER_MEMORY_MB = 40
        return real(target, arguments)

    monkeypatch.setattr(imports_worker, "worker_command", command)
    client.force_login(users.commune_officer)
    job = post(client, census_round, good_csv(tmp_path), django_capture_on_commit_callbacks)
    assert job.state == ImportJobState.FAILED and job.is_finished
    (error,) = job.report["errors"]
    assert "bộ nhớ" in error["message"] and job.report["error_count"] == 1
    assert not CensusEntry.objects.exists()
    progress = reverse(
        "census:import_progress", args=[census_round.commune.code, census_round.year, job.pk]
    )
    partial = client.get(progress).content.decode()
    assert 'data-state="failed"' in partial and "hx-trigger" not in partial
    # The server goes on answering.
    page = reverse("census:round_detail", args=[census_round.commune.code, census_round.year])
    assert client.get(page).status_code == 200


@pytest.mark.usefixtures("transactional_db")
def test_the_worker_process_imports_and_refuses_end_to_end(
    client, users, tree, tmp_path, worker, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open (PostgreSQL here)")
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    client.force_login(users.commune_officer)
    far = next(item for item in CORPUS if item.name == "o-xa-dau-tien.xlsx").path(tmp_path)
    refused = post(
        client,
        census_round,
        SimpleUploadedFile(far.name, far.read_bytes()),
        django_capture_on_commit_callbacks,
    )
    assert refused.state == ImportJobState.FAILED
    assert "1048576" in refused.report["errors"][0]["message"]
    done = post(client, census_round, good_csv(tmp_path), django_capture_on_commit_callbacks)
    assert done.state == ImportJobState.DONE, done.report
    assert CensusEntry.objects.filter(round=census_round).count() == 1


def test_a_job_running_far_too_long_is_failed_when_its_page_asks(client, users, census_round):
    started = timezone.now() - timedelta(hours=2)
    job = census_job(
        census_round, file_name="lon.xlsx", state=ImportJobState.RUNNING, started_at=started
    )
    client.force_login(users.commune_officer)
    progress = reverse(
        "census:import_progress", args=[census_round.commune.code, census_round.year, job.pk]
    )
    partial = client.get(progress).content.decode()
    assert 'data-state="failed"' in partial and "hx-trigger" not in partial
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED and job.report["error_count"] == 1
    # A job that started a minute ago is left running.
    recent = census_job(
        census_round,
        file_name="moi.xlsx",
        state=ImportJobState.RUNNING,
        started_at=timezone.now() - timedelta(minutes=1),
    )
    url = reverse(
        "census:import_progress", args=[census_round.commune.code, census_round.year, recent.pk]
    )
    assert "hx-trigger" in client.get(url).content.decode()
