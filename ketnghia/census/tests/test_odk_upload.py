"""The round page's one upload takes the ODK Central / KoBoToolbox export of the census form
as well as the filled-in template: recognised by its columns, checked, previewed and imported
in the worker like any census file, its problems named as the export names its columns, and
its error workbook made of the export's own rows."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ketnghia.census.models import CensusEntry
from ketnghia.census.odk import is_odk_export
from ketnghia.census.tests.census_files import headers, write_csv
from ketnghia.census.tests.test_odk import (  # noqa: F401  (fixtures)
    CENTRAL_AFTER,
    CENTRAL_BEFORE,
    _central_row,
    _flags,
    _form_fields,
    _no_flags,
    _write_export,
    census_round,
    central_export,
)
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.imports.readers import column_letter
from ketnghia.poverty.standards import get_standard


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name: str, **kwargs) -> str:
    return reverse(f"census:{name}", kwargs={"commune": "23500", "year": 2024, **kwargs})


def _upload(client, path, capture, **data) -> ImportJob:
    uploaded = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    with capture(execute=True):
        response = client.post(_url("round_import"), {"file": uploaded, **data})
    assert response.status_code == 302
    return ImportJob.objects.order_by("-pk").first()


def test_the_exports_columns_tell_it_from_a_census_file(tmp_path, central_export):  # noqa: F811
    assert is_odk_export(central_export)
    census = write_csv(tmp_path / "ra-soat.csv", headers(get_standard("vn-2022")), [])
    assert not is_odk_export(census)
    kobo = tmp_path / "kobo.csv"
    kobo.write_bytes("\ufeffstart;end;household/code;_uuid\n".encode())
    assert is_odk_export(kobo)
    bare = tmp_path / "bare.csv"  # a form without groups, exported by ODK Central
    bare.write_text("SubmissionDate,code,head_name\n", encoding="utf-8")
    assert is_odk_export(bare)
    workbook = tmp_path / "export.xlsx"
    workbook.write_bytes(b"PK\x03\x04")
    assert not is_odk_export(workbook)


def test_an_officer_checks_then_imports_an_export_from_the_round_page(
    client,
    users,
    census_round,  # noqa: F811
    central_export,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(users.commune_officer)
    checked = _upload(client, central_export, django_capture_on_commit_callbacks, dry_run="on")
    assert checked.state == ImportJobState.DONE
    report = checked.report["report"]
    assert (report["submissions"], report["rejected"], report["created"]) == (4, 1, 3)
    assert not CensusEntry.objects.exists()
    page = client.get(_url("round_detail")).content.decode()
    job_html = page.split('data-testid="import-job"', 1)[1]
    assert 'data-testid="import-submissions"' in job_html
    assert "bản ghi trong tệp xuất" in job_html and "bị người duyệt từ chối" in job_html

    imported = _upload(client, central_export, django_capture_on_commit_callbacks)
    assert imported.state == ImportJobState.DONE
    statuses = dict(census_round.entries.values_list("household_code", "status"))
    assert statuses == {"23500-0001": "poor", "23500-0002": "near_poor", "23500-0004": "average"}


def test_a_refused_export_names_its_columns_and_its_workbook_holds_its_rows(
    client,
    users,
    census_round,  # noqa: F811
    tmp_path,
    django_capture_on_commit_callbacks,
):
    path = tmp_path / "central.csv"
    header = CENTRAL_BEFORE + _form_fields("-") + CENTRAL_AFTER
    _write_export(
        path,
        header,
        [
            _central_row(1, ["23500-0001", "23500-01", "A Thút", "rural", "5", "-1"], _no_flags()),
            _central_row(
                2,
                ["23500-0002", "23500-01", "Y Bia", "rural", "3", "800000"],
                _flags("employment"),
            ),
        ],
    )
    client.force_login(users.commune_officer)
    job = _upload(client, path, django_capture_on_commit_callbacks)
    assert job.state == ImportJobState.FAILED
    income = column_letter(header.index("household-monthly_income_per_person"))
    problems = job.report["errors"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, f"{income} (household-monthly_income_per_person)")
    ]
    assert not CensusEntry.objects.exists()

    workbook = client.get(_url("import_errors", job=job.pk))
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    rows = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    # The export's own header and its faulty row (the first submission), not a census file's.
    assert "household-monthly_income_per_person" in rows[0]
    assert "A Thút" in rows[1] and "23500-0002" not in [cell for row in rows for cell in row]
