"""Every file of the hostile corpus: refused with a located Vietnamese message, or imported
with the right statuses; never a traceback, never a 500, never a server that stops answering.
"""

from __future__ import annotations

import io
import re
import resource
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tests.hostile_files import CORPUS, HostileFile, write_corpus
from ketnghia.core.errors import KetnghiaError
from ketnghia.imports.models import ImportJob, ImportJobState

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")


@pytest.fixture
def census_round(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


@pytest.mark.parametrize("item", CORPUS, ids=[item.name for item in CORPUS])
def test_every_hostile_file(census_round, tmp_path, item: HostileFile):
    path = item.path(tmp_path)
    with translation.override("vi"):
        if item.statuses:
            census_import(census_round=census_round, path=path)
            statuses = dict(census_round.entries.values_list("household_code", "status"))
            assert statuses == item.statuses
            return
        with pytest.raises(KetnghiaError) as caught:
            census_import(census_round=census_round, path=path)
    assert CensusEntry.objects.count() == 0
    problems = caught.value.problems
    for problem in problems:
        assert VIETNAMESE.search(str(problem.message)), problem.message
        assert problem.location.file == item.name
    matching = [p for p in problems if item.refused in str(p.message)]
    assert matching, [str(p) for p in problems]
    if item.row is not None:
        assert any(p.location.row == item.row for p in matching), [str(p) for p in matching]
    if item.column:
        assert any(p.location.column.split(" ", 1)[0] == item.column for p in matching), [
            str(p) for p in matching
        ]


def test_na_in_a_deprivation_cell_never_reads_as_not_deprived(census_round, tmp_path):
    item = next(item for item in CORPUS if item.name == "loi-na.xlsx")
    with pytest.raises(KetnghiaError) as caught:
        census_import(census_round=census_round, path=item.path(tmp_path))
    (problem,) = [p for p in caught.value.problems if "#N/A" in str(p.message)]
    assert problem.location.row == 2 and problem.location.column.startswith("H (")
    # Only the error is said of that cell, not "not a deprivation mark" as well.
    assert not [
        p for p in caught.value.problems if p.location == problem.location and p is not problem
    ]


@contextmanager
def address_space_limit(extra: int):
    """Cap this process's address space at its current size plus `extra` bytes (soft limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_the_far_cell_is_read_by_its_cells_from_the_cli_in_bounded_memory(tmp_path, tree):
    """`ketnghia import-census` with 512 MB of address space to spare: imported.

    Given to calamine, the sheet would ask for 512 GB here and abort the process; it is read
    by its cells instead, the stray value beside the table ignored.
    """
    item = next(item for item in CORPUS if item.name == "o-xa-xfd1048576.xlsx")
    path = item.path(tmp_path)
    assert path.stat().st_size < 4000  # a few hundred bytes compressed
    with translation.override("vi"), address_space_limit(512 << 20):
        call_command(
            "import-census",
            str(path),
            "--commune",
            "23500",
            "--year",
            "2024",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert dict(CensusEntry.objects.values_list("household_code", "status")) == {"H1": "poor"}


def test_hostile_uploads_get_a_page_and_the_server_answers_after(
    client, tree, users, census_round, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    url = reverse("census:round_import", args=["23500", 2024])
    page = reverse("census:round_detail", args=["23500", 2024])
    for path in write_corpus(tmp_path / "corpus"):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                url,
                {"file": SimpleUploadedFile(path.name, path.read_bytes()), "dry_run": "on"},
            )
        assert answer.status_code in (302, 400), (path.name, answer.status_code)
        assert client.get(page).status_code == 200
    far = ImportJob.objects.get(file_name="o-xa-xfd1048576.xlsx")
    assert far.state == ImportJobState.DONE, far.report
    disordered = ImportJob.objects.get(file_name="o-xa-dau-tien.xlsx")
    assert disordered.state == ImportJobState.FAILED
    assert "1048576" in disordered.report["errors"][0]["message"]
    assert not ImportJob.objects.exclude(
        state__in=[ImportJobState.DONE, ImportJobState.FAILED]
    ).exists()


def test_a_zip_bomb_upload_is_refused_and_the_server_answers_after(
    client, users, census_round, tmp_path, django_capture_on_commit_callbacks, settings
):
    """3.5 GB of shared strings in 3.5 MB: refused naming the file, before calamine opens it."""
    from ketnghia.imports.tests.bombs import write_bomb

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.commune_officer)
    bomb = write_bomb(tmp_path / "ra-soat.xlsx")
    with (
        translation.override("vi"),
        address_space_limit(512 << 20),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = client.post(
            reverse("census:round_import", args=["23500", 2024]),
            {"file": SimpleUploadedFile(bomb.name, bomb.read_bytes())},
        )
    assert answer.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == ImportJobState.FAILED
    (error,) = job.report["errors"]
    assert error["file"] == "ra-soat.xlsx" and "giải nén" in error["message"]
    assert not CensusEntry.objects.exists()
    page = reverse("census:round_detail", args=["23500", 2024])
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("far", ["XFD1048576", "ZZ300000"])
def test_a_stray_far_cell_does_not_hide_the_problems_of_the_data(census_round, tmp_path, far):
    """One stray value far away used to refuse the whole sheet ("delete the rows and columns
    beyond your data") without a word on row 5, column G: the sheet is read by its cells."""
    from ketnghia.census.tests.hostile_files import (
        HEADERS,
        _numbers,
        poor,
        write_workbook_xml,
        xml_rows,
    )

    rows = [HEADERS, *(_numbers(poor(f"H{n}")) for n in range(1, 5))]
    rows[4][6] = "32/13/2024"  # row 5, column G: no such date
    number = far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    data = xml_rows(rows) + f'<row r="{number}"><c r="{far}"><v>1</v></c></row>'
    path = tmp_path / "ra-soat.xlsx"
    write_workbook_xml(path, data)
    with (
        translation.override("vi"),
        address_space_limit(512 << 20),
        pytest.raises(KetnghiaError) as caught,
    ):
        census_import(census_round=census_round, path=path)
    located = [(p.location.row, p.location.column.split(" ")[0]) for p in caught.value.problems]
    assert (5, "G") in located, [str(p) for p in caught.value.problems]
    assert not any(far in str(p.message) for p in caught.value.problems)
    assert CensusEntry.objects.count() == 0
