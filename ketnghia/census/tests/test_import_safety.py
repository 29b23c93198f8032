"""No silent loss: the change preview, the confirmation, history rows, a file's commune, inert outputs.

The scenarios of issue 7 as an officer meets them: a template downloaded mid-round and
three rows edited; last year's list uploaded again; another commune's own template whose
village names exist here too; names beginning with "=", "+", "-" or "@".
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.importing import ConfirmationNeeded, census_import
from ketnghia.census.importing.pipeline import census_import_error_workbook
from ketnghia.census.importing.template import (
    DATA_SHEET,
    HEADER_ROW,
    census_template,
    census_template_csv,
)
from ketnghia.census.models import CensusEntry
from ketnghia.census.odk import census_xlsform
from ketnghia.census.selectors import import_jobs_of
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.core.errors import InvalidInput
from ketnghia.core.personal_data import disclosure_open
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.households import selectors as household_selectors
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

VN_2022 = get_standard("vn-2022")
VILLAGE = "Làng Kon Stiu"
HOUSEHOLDS = 30
INCOME_COLUMN = 7  # the template's income column (G)


def _door(output: str = "census.template_xlsx"):
    """The personal-data door as the operator at the command line opens it."""
    return disclosure_open(user=None, output=output)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _rows(base: int, *, heads: str = "Chủ hộ", village: str = VILLAGE, prefix: str = "H"):
    return [
        household(
            f"{prefix}{n:02d}",
            f"{heads} {n}",
            village,
            str(base + n * 1000),
            [1, 0] * 6,
            surveyed_on="15/10/2024",
        )
        for n in range(1, HOUSEHOLDS + 1)
    ]


def _import_csv(census_round, path: Path, rows, **options):
    return census_import(
        census_round=census_round, path=write_csv(path, headers(VN_2022), rows), **options
    )


@pytest.fixture
def rounds(tree, tmp_path):
    """2023 imported with incomes around 1.000.000, 2024 with incomes around 2.000.000."""
    last = services.census_round_create(commune=tree.ngok_wang, year=2023, standard_code="vn-2022")
    _import_csv(last, tmp_path / "2023.csv", _rows(1_000_000))
    this = services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")
    _import_csv(this, tmp_path / "2024.csv", _rows(2_000_000))
    return last, this


def _save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def test_a_mid_round_template_edited_in_three_rows_changes_three_rows(rounds, tmp_path, users):
    _last, this = rounds
    book = openpyxl.load_workbook(
        io.BytesIO(census_template(census_round=this, disclosure=_door()))
    )
    sheet = book[DATA_SHEET]
    assert "current entries" in sheet["A3"].value
    first = HEADER_ROW + 1
    assert sheet.cell(first, INCOME_COLUMN).value == 2_001_000  # the round's own values
    for offset in (0, 4, 9):
        sheet.cell(first + offset, INCOME_COLUMN).value = 900_000
    path = _save(book, tmp_path / "ra-soat-23500-2024.xlsx")

    preview = census_import(census_round=this, path=path, dry_run=True)
    assert (preview.updated, preview.created, preview.households_created) == (3, 0, 0)
    assert preview.field_changes["income"] == 3
    assert preview.field_changes["head_name"] == 0
    assert preview.entries_before == HOUSEHOLDS
    assert not preview.needs_confirmation and preview.entries_reverted == 0
    assert preview.sample[0]["code"] == "H01"
    assert preview.sample[0]["changes"]["income"] == [2_001_000, 900_000]

    before = dict(CensusEntry.objects.filter(round=this).values_list("household_code", "id"))
    history_before = CensusEntry.history.count()
    report = census_import(census_round=this, path=path, actor=users.commune_officer)
    assert report.updated == 3 and report.history_rows
    changed = CensusEntry.objects.filter(round=this, monthly_income_per_person=900_000)
    assert sorted(changed.values_list("household_code", flat=True)) == ["H01", "H05", "H10"]
    assert CensusEntry.objects.filter(round=this, monthly_income_per_person__gt=2_000_000).count()
    assert set(before.values()) == set(
        CensusEntry.objects.filter(round=this).values_list("id", flat=True)
    )
    # One history row per changed entry, naming who and which file.
    written = CensusEntry.history.filter(history_id__gt=0).order_by("-history_id")[:3]
    assert CensusEntry.history.count() == history_before + 3
    assert {row.history_type for row in written} == {"~"}
    assert {row.history_user_id for row in written} == {users.commune_officer.pk}
    assert all("ra-soat-23500-2024.xlsx" in row.history_change_reason for row in written)

    household_h01 = Household.objects.get(commune=this.commune, code="H01")
    changes = household_selectors.household_changes(household=household_h01)
    latest = changes[0]
    assert latest.who == users.commune_officer.username
    assert latest.subject == "census 2024"
    assert "ra-soat-23500-2024.xlsx" in latest.reason
    assert any("income" in field for field in latest.fields)


def test_an_import_writes_history_for_households_entries_and_members(tree, tmp_path, users):
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    households_before = Household.history.count()
    entries_before = CensusEntry.history.count()
    _import_csv(census_round, tmp_path / "new.csv", _rows(1_000_000), actor=users.commune_officer)
    created = Household.history.filter(history_type="+").order_by("-history_id")[:HOUSEHOLDS]
    assert Household.history.count() == households_before + HOUSEHOLDS
    assert CensusEntry.history.count() == entries_before + HOUSEHOLDS
    assert {row.history_user_id for row in created} == {users.commune_officer.pk}
    assert {row.code for row in created} == {f"H{n:02d}" for n in range(1, HOUSEHOLDS + 1)}
    # A renamed head: one "~" row for the household, with the file named.
    rows = _rows(1_000_000)
    rows[0][1] = "Tên mới"
    _import_csv(census_round, tmp_path / "rename.csv", rows, actor=users.commune_officer)
    (renamed,) = Household.history.filter(history_type="~", code="H01")
    assert renamed.head_name == "Tên mới" and "rename.csv" in renamed.history_change_reason


def test_last_years_list_uploaded_again_needs_a_confirmation(rounds, tmp_path):
    last, this = rounds
    old_template = tmp_path / "ra-soat-23500-2023.xlsx"
    old_template.write_bytes(census_template(census_round=last, disclosure=_door()))
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=this, path=old_template, dry_run=True)
    message = str(refused.value.problems[0])
    assert "2023" in message and "2024" in message

    # The same values in a hand-made file: the preview says what it would do.
    path = write_csv(tmp_path / "old.csv", headers(VN_2022), _rows(1_000_000))
    preview = census_import(census_round=this, path=path, dry_run=True)
    assert preview.updated == HOUSEHOLDS and preview.entries_reverted == HOUSEHOLDS
    assert preview.needs_confirmation and len(preview.confirmation_reasons) == 2
    with pytest.raises(ConfirmationNeeded) as refused_commit:
        census_import(census_round=this, path=path)
    message = str(refused_commit.value.problems[0])
    assert "30 of the round's 30 entries" in message and "previous round" in message
    assert not CensusEntry.objects.filter(round=this, monthly_income_per_person__lt=2_000_000)
    report = census_import(census_round=this, path=path, confirm=True)
    assert report.updated == HOUSEHOLDS and report.confirmed


def test_households_returning_after_leaving_are_counted(rounds, tmp_path):
    _last, this = rounds
    Household.objects.filter(commune=this.commune, code="H02").update(left_year=2023)
    CensusEntry.objects.filter(round=this, household_code="H02").delete()
    preview = census_import(
        census_round=this,
        path=write_csv(tmp_path / "f.csv", headers(VN_2022), _rows(2_000_000)),
        dry_run=True,
    )
    assert preview.households_returning == 1 and preview.created == 1


@pytest.fixture
def thon_1(tree):
    """A village of Ngọk Wang named like Đăk Mar's "Thôn 1"."""
    return Unit.objects.create(
        code="23500-02",
        name="Thôn 1",
        level=UnitLevel.VILLAGE,
        kind=UnitKind.THON,
        parent=tree.ngok_wang,
    )


def test_another_communes_own_template_is_refused(tree, thon_1, tmp_path):
    here = services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")
    _import_csv(here, tmp_path / "here.csv", _rows(1_000_000, village="Thôn 1", prefix="01-0"))
    there = services.census_round_create(commune=tree.dak_mar, year=2024, standard_code="vn-2022")
    _import_csv(
        there,
        tmp_path / "there.csv",
        _rows(1_500_000, heads="Người Đăk Mar", village="Thôn 1", prefix="01-0"),
    )
    theirs = tmp_path / "ra-soat-23488-2024.xlsx"
    theirs.write_bytes(census_template(census_round=there, disclosure=_door()))
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=here, path=theirs, dry_run=True)
    message = str(refused.value.problems[0])
    assert "Xã Đăk Mar (code 23488)" in message and "Xã Ngọk Wang (code 23500)" in message

    # The same list typed by hand (no mark): its codes match, its heads do not.
    hand_made = write_csv(
        tmp_path / "danh-sach.csv",
        headers(VN_2022),
        _rows(1_500_000, heads="Người Đăk Mar", village="Thôn 1", prefix="01-0"),
    )
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=here, path=hand_made, dry_run=True)
    assert "probably another commune's list" in str(refused.value.problems[0])
    assert CensusEntry.objects.filter(round=here, head_name__startswith="Người").count() == 0
    # A hand-made file of this commune, heads written without diacritics, is accepted.
    ours = write_csv(
        tmp_path / "ours.csv",
        headers(VN_2022),
        _rows(1_000_000, heads="chu ho", village="Thôn 1", prefix="01-0"),
    )
    assert census_import(census_round=here, path=ours, dry_run=True).rows == HOUSEHOLDS


FORMULA_NAMES = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", '=HYPERLINK("http://x","y")']


def _formulas(content: bytes) -> list[str]:
    """Return every formula element of the workbook's sheets (none is what we want)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


@pytest.fixture
def formula_round(tree, tmp_path):
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    rows = [
        household(f"F{n}", name, VILLAGE, "1000000", [0] * 12)
        for n, name in enumerate(FORMULA_NAMES, start=1)
    ]
    _import_csv(census_round, tmp_path / "formulas.csv", rows)
    stored = set(CensusEntry.objects.filter(round=census_round).values_list("head_name", flat=True))
    assert stored == set(FORMULA_NAMES)  # stored as entered
    return census_round


def test_names_like_formulas_are_written_inert_and_come_back_exactly(formula_round, tmp_path):
    content = census_template(census_round=formula_round, disclosure=_door())
    assert _formulas(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content))[DATA_SHEET]
    names = [sheet.cell(row, 2) for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + 5)]
    assert {cell.value for cell in names} == set(FORMULA_NAMES)
    assert {cell.data_type for cell in names} == {"s"}
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(content)
    again = census_import(census_round=formula_round, path=xlsx, dry_run=True)
    assert (again.updated, again.created, again.unchanged) == (0, 0, 5)

    text = census_template_csv(census_round=formula_round, disclosure=_door()).decode("utf-8-sig")
    cells = [row[1] for row in csv.reader(io.StringIO(text)) if row and row[0].startswith("F")]
    assert sorted(cells) == sorted("'" + name for name in FORMULA_NAMES)  # OWASP's guard
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8-sig")
    report = census_import(census_round=formula_round, path=path)
    assert (report.updated, report.created, report.unchanged) == (0, 0, 5)
    stored = set(
        CensusEntry.objects.filter(round=formula_round).values_list("head_name", flat=True)
    )
    assert stored == set(FORMULA_NAMES)


def test_error_workbooks_and_the_xlsform_hold_no_formula(formula_round, tree, tmp_path):
    rows = [household("F1", "=1+2", VILLAGE, "not a number", [0] * 12)]
    path = write_csv(tmp_path / "bad.csv", headers(VN_2022), rows)
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=formula_round, path=path)
    content = census_import_error_workbook(
        census_round=formula_round,
        path=path,
        file_name="bad.csv",
        problems=refused.value.problems,
        disclosure=_door("census.import_errors_xlsx"),
    )
    assert _formulas(content) == []
    book = openpyxl.load_workbook(io.BytesIO(content))
    values = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}
    assert "=1+2" in values

    Unit.objects.create(
        code="23500-09",
        name="=cmd|' /C calc'!A0",
        level=UnitLevel.VILLAGE,
        kind=UnitKind.THON,
        parent=tree.ngok_wang,
    )
    form = census_xlsform(standard=VN_2022, commune=tree.ngok_wang)
    assert _formulas(form) == []


def test_the_cli_prints_the_preview_and_asks_for_confirm(rounds, tmp_path):
    _last, this = rounds
    path = write_csv(tmp_path / "old.csv", headers(VN_2022), _rows(1_000_000))
    out = io.StringIO()
    call_command(
        "import-census", str(path), "--commune", "23500", "--year", "2024", "--dry-run", stdout=out
    )
    text = out.getvalue()
    assert "Change preview: 30 of the round's 30 entries change" in text
    assert "income 30" in text and "needs a confirmation" in text
    assert "row 2, household H01: income: 2001000 → 1001000" in text
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import-census", str(path), "--commune", "23500", "--year", "2024", stderr=err)
    assert refused.value.returncode == 2 and "--confirm" in str(refused.value)
    assert "30 of the round's 30 entries" in err.getvalue()
    call_command(
        "import-census",
        str(path),
        "--commune",
        "23500",
        "--year",
        "2024",
        "--confirm",
        stdout=io.StringIO(),
    )
    assert (
        CensusEntry.objects.filter(round=this, monthly_income_per_person__lt=2_000_000).count()
        == 30
    )


def test_the_upload_page_shows_the_preview_and_imports_on_confirmation(
    client, rounds, tmp_path, users, django_capture_on_commit_callbacks
):
    _last, this = rounds
    client.force_login(users.commune_officer)
    path = write_csv(tmp_path / "old.csv", headers(VN_2022), _rows(1_000_000))
    base = "/census/23500/2024/import/"
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(base, {"file": handle, "revision": this.revision})
    assert response.status_code == 302
    job = import_jobs_of(this).get()
    # Waiting for a confirmation is a state of its own, not a failure with one error.
    assert job.state == "confirm" and job.report["needs_confirmation"]
    # (the one job model keeps the refusal's sentence beside the report: no error workbook)
    assert not job.errors and job.report["report"]["needs_confirmation"] and job.is_finished
    with translation.override("vi"):
        page = client.get(f"{base}{job.pk}/", {"revision": this.revision})
    html = page.content.decode()
    assert 'data-testid="import-preview"' in html and 'data-testid="import-confirm"' in html
    assert 'data-state="confirm"' in html and "Chờ xác nhận" in html
    assert "Không thành công" not in html and "lỗi" not in html.lower()
    assert 'data-testid="import-errors"' not in html and "hx-trigger" not in html
    assert "H01" in html and "1.001.000" not in html  # raw values in the sample
    assert not CensusEntry.objects.filter(round=this, monthly_income_per_person__lt=2_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{base}{job.pk}/confirm/", {"revision": this.revision})
    assert confirmed.status_code == 302
    again = import_jobs_of(this).exclude(pk=job.pk).get()
    assert again.state == "done", again.report
    assert again.report["report"]["confirmed"] and again.report["report"]["updated"] == HOUSEHOLDS
    assert (
        CensusEntry.objects.filter(round=this, monthly_income_per_person__lt=2_000_000).count()
        == 30
    )


@pytest.mark.parametrize(
    ("changed", "before", "needed"),
    [
        (0, 0, False),
        (3, 12, False),  # correcting a few rows of a small round
        (6, 12, False),  # half: not yet a majority
        (7, 12, True),  # most of a small round
        (3, 4, True),
        (1, 1, True),
        (9, 30, False),  # 30 %, but under the floor of ten
        (10, 30, True),
        (10, 100, False),  # 10 %, under the share
    ],
)
def test_which_changes_need_a_confirmation(changed, before, needed):
    from ketnghia.imports.confirm import changes_need_confirmation

    assert changes_need_confirmation(changed=changed, before=before, share=0.2) is needed


def test_most_of_a_small_round_changed_needs_a_confirmation(tree, tmp_path):
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    _import_csv(census_round, tmp_path / "first.csv", _rows(1_000_000)[:6])
    changed = _rows(1_000_000)[:6]
    for row in changed[:4]:
        row[2] = "700000"
    path = write_csv(tmp_path / "small.csv", headers(VN_2022), changed)
    preview = census_import(census_round=census_round, path=path, dry_run=True)
    assert preview.updated == 4 and preview.needs_confirmation
    with pytest.raises(ConfirmationNeeded):
        census_import(census_round=census_round, path=path)
    assert not CensusEntry.objects.filter(round=census_round, monthly_income_per_person=700_000)
    report = census_import(census_round=census_round, path=path, confirm=True)
    assert report.updated == 4
