"""A zip bomb (.xlsx whose parts inflate to gigabytes) is refused before any library opens it.

calamine reads the shared strings whole when it opens a workbook: a 3.5 MB file declaring
3.5 GB of them took the CLI to a 2.9 GB peak and an abort. Every test here runs with little
address space to spare, so a reader that inflated the bomb would die, not pass.
"""

from __future__ import annotations

import io
import resource
import time
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.imports.readers import Column, open_table, workbook_sheets
from ketnghia.imports.readers.archive import check_archive
from ketnghia.imports.tests.bombs import write_bomb

COLUMNS = [Column("commune", ["Mã xã"]), Column("village", ["Tên thôn"])]


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


def test_the_bomb_is_a_valid_workbook_of_a_few_megabytes(tmp_path):
    import zipfile

    path = write_bomb(tmp_path / "bom.xlsx")
    assert path.stat().st_size < 4 << 20
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
        assert info.file_size >= 3500 << 20  # declared truthfully
        with archive.open(info) as stream:
            assert stream.read(300).endswith(b"A" * 50)


@pytest.mark.parametrize("declared", [None, 1000], ids=["declared", "lying"])
def test_a_bomb_is_refused_naming_the_file_before_calamine_reads_it(tmp_path, settings, declared):
    # A lower ratio keeps the lying file's count short (it is inflated up to the limit).
    settings.KETNGHIA_IMPORT_MAX_INFLATE_RATIO = 20
    path = write_bomb(tmp_path / "danh-sach.xlsx", declared=declared)
    started = time.monotonic()
    with (
        translation.override("vi"),
        address_space_limit(256 << 20),
        pytest.raises(InvalidInput) as caught,
    ):
        open_table(path, COLUMNS, name="danh-sach.xlsx")
    assert time.monotonic() - started < 20
    (problem,) = caught.value.problems
    assert problem.location.file == "danh-sach.xlsx"
    assert "giải nén ra hơn" in problem.message and "xl/sharedStrings.xml" in problem.message
    with address_space_limit(256 << 20), pytest.raises(InvalidInput):
        workbook_sheets(path)


def test_an_ordinary_workbook_passes_and_is_checked_once(tmp_path, monkeypatch):
    from openpyxl import Workbook

    from ketnghia.imports.readers import archive

    workbook = Workbook()
    workbook.active.append(["Mã xã", "Tên thôn"])
    workbook.active.append(["23500", "Làng A"])
    path = tmp_path / "thon.xlsx"
    workbook.save(path)
    calls = []
    real = archive.check_archive_file
    monkeypatch.setattr(
        archive, "check_archive_file", lambda *args: calls.append(args) or real(*args)
    )
    table = open_table(path, COLUMNS)
    assert [row.get("village") for row in table.rows()] == ["Làng A"]
    check_archive(path, "thon.xlsx")
    assert len(calls) == 1  # remembered: the sheet's reads do not inflate it again


def test_the_cli_refuses_the_bomb_with_exit_2_in_bounded_memory(tmp_path, tree):
    path = write_bomb(tmp_path / "hoat-dong.xlsx")
    err = io.StringIO()
    with (
        translation.override("vi"),
        address_space_limit(256 << 20),
        pytest.raises(CommandError) as caught,
    ):
        call_command("import-activities", str(path), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert "tệp hoat-dong.xlsx" in err.getvalue() and "giải nén" in err.getvalue()
