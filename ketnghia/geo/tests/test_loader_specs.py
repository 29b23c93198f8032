"""The unit-tree imports as specs of the one pipeline: preview, confirmation, error workbook."""

from __future__ import annotations

from io import BytesIO, StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketnghia.conftest import Tree
from ketnghia.geo.importers import CLASSIFICATIONS, SUCCESSIONS, VILLAGES, villages_import
from ketnghia.geo.models import Unit
from ketnghia.geo.tests.helpers import write_csv
from ketnghia.imports.confirm import ConfirmationNeeded
from ketnghia.imports.spec import spec_get

HEADER = ["Mã xã", "Tên thôn", "Mã thôn"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_three_specs_are_registered() -> None:
    for spec in (VILLAGES, CLASSIFICATIONS, SUCCESSIONS):
        assert spec_get(spec.name) is spec


def test_renaming_most_stored_villages_asks_for_a_confirmation_with_its_preview(
    tree: Tree, users, tmp_path: Path
) -> None:
    codes = [f"23500-{n}" for n in range(11, 21)]
    first = write_csv(tmp_path / "a.csv", [HEADER, *(["23500", f"Thôn {c}", c] for c in codes)])
    assert villages_import(path=first, actor=None).created == 10
    renamed = write_csv(tmp_path / "b.csv", [HEADER, *(["23500", f"Làng {c}", c] for c in codes)])
    with pytest.raises(ConfirmationNeeded) as refused:
        villages_import(path=renamed, actor=users.province_admin)
    report = refused.value.report
    assert (report.updated, report.needs_confirmation) == (10, True)
    assert report.fields == {"name": 10, "kind": 10}  # thôn → làng
    assert "Thôn 23500-11” → “Làng 23500-11" in report.samples[0]
    assert "10 of the 11 stored records" in refused.value.problems[0].message
    assert not Unit.objects.filter(name__startswith="Làng 23500").exists()
    with translation.override("vi"), pytest.raises(ConfirmationNeeded) as refused:
        villages_import(path=renamed, actor=users.province_admin)
    assert refused.value.report.fields == {"tên": 10, "loại": 10}  # the preview in Vietnamese
    assert "10 trong số 11 bản ghi" in refused.value.problems[0].message
    done = villages_import(path=renamed, actor=users.province_admin, confirm=True)
    assert done.updated == 10
    unit = Unit.objects.get(code="23500-11")
    assert unit.name == "Làng 23500-11"
    latest = unit.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        users.province_admin,
        "import: b.csv",
    )


def test_the_command_previews_confirms_and_writes_the_error_workbook(
    tree: Tree, tmp_path: Path
) -> None:
    codes = [f"23500-{n}" for n in range(11, 21)]
    write = lambda name, word: write_csv(  # noqa: E731
        tmp_path / name, [HEADER, *(["23500", f"{word} {c}", c] for c in codes)]
    )
    call_command("load-villages", str(write("a.csv", "Thôn")), stdout=StringIO())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load-villages", str(write("b.csv", "Làng")), stdout=out, stderr=err)
    assert caught.value.returncode == 2 and "--confirm" in str(caught.value)
    assert "updated 10" in out.getvalue() and "name: 10" in out.getvalue()
    out = StringIO()
    call_command("load-villages", str(tmp_path / "b.csv"), "--confirm", stdout=out)
    assert "updated 10" in out.getvalue()

    bad = write_csv(tmp_path / "sai.csv", [HEADER, ["99999", "Thôn 1", ""]])
    workbook = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError):
        call_command("load-villages", str(bad), "--errors-out", str(workbook), stderr=StringIO())
    book = openpyxl.load_workbook(BytesIO(workbook.read_bytes()))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert any("99999" in cell for cell in cells)
