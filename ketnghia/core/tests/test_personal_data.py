"""Personal data leaves by one door: every registered output, served as the gate decides.

Each output of `personal_data.OUTPUTS` is served here as a district officer (the IDs masked,
nothing logged) and as a commune officer (the IDs whole, exactly one log row naming how many
households were shown). An output registered without a case below fails the first test.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.importing.template import MEMBERS_SHEET
from ketnghia.census.models import CensusRound
from ketnghia.census.tasks import census_import_enqueue
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import HEADS, series
from ketnghia.core.errors import InvalidInput
from ketnghia.core.models import PersonalDataDisclosure
from ketnghia.core.personal_data import (
    OUTPUTS,
    Kind,
    disclosure_open,
    is_masked_form,
    mask_birth_date,
    mask_personal_id,
    mask_phone,
    masked,
)
from ketnghia.households.models import Member
from ketnghia.imports.models import ImportJob
from ketnghia.poverty.standards import get_standard

FULL = {number for _name, number in HEADS.values() if number}
SENTINEL = "001234567889"  # household A's head, in HEADS


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- The masking rules ----------------------------------------------------------------------


def test_a_phone_keeps_its_first_two_and_last_three_digits():
    assert mask_phone("0912345123") == "09*****123"
    assert mask_phone("091 234 5123") == "09*****123"
    assert mask_phone("12345") == "*****"


def test_a_birth_date_shows_its_year_only():
    assert mask_birth_date(date(1980, 3, 7)) == "**/**/1980"
    assert mask_birth_date("07/03/1980") == "**/**/1980"
    assert mask_birth_date("mar") == "***"


def test_empty_values_stay_empty_and_masks_are_recognised():
    assert masked("", kind=Kind.PHONE) == "" and masked(None, kind=Kind.PERSONAL_ID) == ""
    assert masked(1234567889, kind=Kind.PERSONAL_ID) == "1*******89"  # read from a cell
    assert is_masked_form(mask_personal_id(SENTINEL))
    assert not is_masked_form(SENTINEL) and not is_masked_form("0**1")


# --- The door -------------------------------------------------------------------------------


def test_the_door_counts_subjects_and_logs_once(tree, users):
    door = disclosure_open(user=users.commune_officer, output="census.template_xlsx")
    door.output = dataclasses.replace(door.output, kinds=(Kind.PERSONAL_ID, Kind.PHONE))
    with door:
        shown = [
            door.show(SENTINEL, kind=Kind.PERSONAL_ID, path=tree.village_a.path, subject=1),
            door.show("000198001234", kind=Kind.PERSONAL_ID, path=tree.village_a.path, subject=1),
            door.show("0912345123", kind=Kind.PHONE, path=tree.village_a.path, subject=2),
            door.show("000187005678", kind=Kind.PERSONAL_ID, path=tree.village_b.path, subject=3),
            door.show("", kind=Kind.PERSONAL_ID, path=tree.village_a.path, subject=4),
        ]
    assert shown == [SENTINEL, "000198001234", "0912345123", "0*********78", ""]
    row = PersonalDataDisclosure.objects.get()
    assert (row.user, row.output, row.channel) == (
        users.commune_officer,
        door.output.code,
        "download",
    )
    assert (row.subjects, row.kinds) == (2, "personal_id,phone")
    with pytest.raises(RuntimeError):
        door.show(SENTINEL, kind=Kind.PERSONAL_ID, path=tree.village_a.path)


def test_a_masked_serving_or_a_failed_one_logs_nothing(tree, users):
    with disclosure_open(user=users.district_officer, output="census.template_xlsx") as door:
        assert door.show(SENTINEL, kind=Kind.PERSONAL_ID, path=tree.village_a.path) == (
            "0*********89"
        )
    with (
        pytest.raises(ValueError),
        disclosure_open(user=users.commune_officer, output="census.template_xlsx") as door,
    ):
        door.show(SENTINEL, kind=Kind.PERSONAL_ID, path=tree.village_a.path)
        raise ValueError
    assert not PersonalDataDisclosure.objects.exists()


def test_an_output_that_is_not_registered_cannot_open_the_door(tree, users):
    with pytest.raises(KeyError):
        disclosure_open(user=users.commune_officer, output="census.somewhere_else")
    door = disclosure_open(user=users.commune_officer, output="census.template_xlsx")
    with pytest.raises(ValueError):  # nor carry a kind of data it did not declare
        door.show("0912345123", kind=Kind.PHONE, path=tree.village_a.path)


# --- Every registered output, served to both roles ------------------------------------------


@dataclass
class Served:
    strings: set[str]  # every text the output carried
    households: int  # households whose IDs it carries (what the log must count in full)


def _xlsx_strings(content: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }


def _csv_strings(content: bytes) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row}


@pytest.fixture
def census(tree, users) -> CensusRound:
    series(tree, users)
    return services.census_round_create(commune=tree.ngok_wang, year=2017, standard_code="vn-2016")


def _page(client, user, census) -> Served:
    client.force_login(user)
    url = reverse("census:household_detail", kwargs={"commune": "23500", "code": "A"})
    response = client.get(url)
    assert response.status_code == 200
    return Served({response.content.decode()}, 1)


def _edit_page(client, user, census) -> Served:
    client.force_login(user)
    url = reverse("households:household_edit", kwargs={"commune": "23500", "code": "A"})
    response = client.get(url)
    assert response.status_code == 200
    return Served({response.content.decode()}, 1)


def _api(client, user, census) -> Served:
    client.force_login(user)
    url = reverse("api:household_detail", kwargs={"commune": "23500", "code": "A"})
    response = client.get(url)
    assert response.status_code == 200
    return Served({m["personal_id"] for m in response.json()["members"]}, 1)


def _template(fmt: str) -> Callable[..., Served]:
    def serve(client, user, census) -> Served:
        client.force_login(user)
        url = reverse("census:round_template", kwargs={"commune": "23500", "year": 2017})
        response = client.get(url + ("?format=csv" if fmt == "csv" else ""))
        assert response.status_code == 200
        if fmt == "csv":
            return Served(_csv_strings(response.content), 0)
        return Served(_xlsx_strings(response.content), 3)  # A, B and D hold IDs

    return serve


def _failed_job(census, user, tmp_path) -> ImportJob:
    """A refused upload whose faulty row carries a member's personal ID in its own column."""
    standard = get_standard(census.standard_code)
    rows = [[*household("A", "Nguyễn Văn An", "Thôn 9", "-1", [0] * 10), SENTINEL]]
    path = write_csv(tmp_path / "loi.csv", [*headers(standard), "Số CCCD"], rows)
    job = census_import_enqueue(
        census_round=census,
        uploaded_file=SimpleUploadedFile("loi.csv", path.read_bytes(), content_type="text/csv"),
        dry_run=True,
        actor=user,
    )
    job.refresh_from_db()
    return job


def _errors(client, user, census, tmp_path, capture) -> Served:
    with capture(execute=True):
        job = _failed_job(census, user, tmp_path)
    client.force_login(user)
    url = reverse("census:import_errors", kwargs={"commune": "23500", "year": 2017, "job": job.pk})
    response = client.get(url)
    assert response.status_code == 200
    return Served(_xlsx_strings(response.content), 1)


def _template_cli(client, user, census, tmp_path) -> Served:
    out = tmp_path / "mau.xlsx"
    call_command("census-template", "--commune", "23500", "--year", "2017", "-o", str(out))
    return Served(_xlsx_strings(out.read_bytes()), 3)


def _errors_cli(client, user, census, tmp_path) -> Served:
    standard = get_standard(census.standard_code)
    rows = [[*household("A", "Nguyễn Văn An", "Thôn 9", "-1", [0] * 10), SENTINEL]]
    path = write_csv(tmp_path / "loi.csv", [*headers(standard), "Số CCCD"], rows)
    out = tmp_path / "loi.xlsx"
    with pytest.raises(CommandError):
        call_command(
            "import-census", str(path), "--commune", "23500", "--year", "2017",
            "--errors-out", str(out),
        )  # fmt: skip
    return Served(_xlsx_strings(out.read_bytes()), 1)


WEB = {
    "census.household_page": _page,
    "households.household_edit_page": _edit_page,
    "census.household_api": _api,
    "census.template_xlsx": _template("xlsx"),
    "census.template_csv": _template("csv"),
}
CLI = {"census.template_cli": _template_cli, "census.import_errors_cli": _errors_cli}


def test_every_registered_output_has_a_case_here():
    # Twinning's outputs have their cases in their own tests (twinning: test_pages.py).
    here = {code for code in OUTPUTS if code.startswith(("census.", "households."))}
    assert here == {*WEB, *CLI, "census.import_errors_xlsx"}


def _carries_full(served: Served) -> set[str]:
    return {number for number in FULL for text in served.strings if number in text}


@pytest.mark.parametrize("code", sorted(WEB))
def test_a_district_officer_gets_masked_ids_and_nothing_is_logged(client, users, census, code):
    served = WEB[code](client, users.district_officer, census)
    assert _carries_full(served) == set()
    if served.households:
        assert any(mask_personal_id(SENTINEL) in text for text in served.strings)
    assert not PersonalDataDisclosure.objects.exists()


@pytest.mark.parametrize("code", sorted(WEB))
def test_a_commune_officer_gets_full_ids_and_one_log_row(client, users, census, code):
    served = WEB[code](client, users.commune_officer, census)
    log = list(PersonalDataDisclosure.objects.all())
    if not served.households:
        assert _carries_full(served) == set() and log == []
        return
    assert SENTINEL in _carries_full(served)
    assert len(log) == 1
    row = log[0]
    assert (row.user, row.output, row.subjects) == (users.commune_officer, code, served.households)
    assert row.channel == OUTPUTS[code].channel
    assert row.unit_path.startswith(census.commune.path)


@pytest.mark.parametrize(("who", "full"), [("district_officer", False), ("commune_officer", True)])
def test_the_error_workbook_goes_through_the_door(
    client, users, census, tmp_path, django_capture_on_commit_callbacks, who, full
):
    user = getattr(users, who)
    served = _errors(client, user, census, tmp_path, django_capture_on_commit_callbacks)
    assert (SENTINEL in served.strings) is full
    assert (mask_personal_id(SENTINEL) in served.strings) is not full
    log = PersonalDataDisclosure.objects.filter(output="census.import_errors_xlsx")
    assert list(log.values_list("user__username", "subjects")) == (
        [(user.username, 1)] if full else []
    )


@pytest.mark.parametrize("code", sorted(CLI))
def test_the_command_line_shows_ids_in_full_and_logs_the_operator(
    client, users, census, tmp_path, code
):
    served = CLI[code](client, None, census, tmp_path)
    assert SENTINEL in _carries_full(served)
    row = PersonalDataDisclosure.objects.get()
    assert (row.user, row.output, row.channel, row.subjects) == (
        None,
        code,
        "cli",
        served.households,
    )
    assert row.detail


# --- A masked template comes back -----------------------------------------------------------


def _stored_ids() -> list[tuple[str, str]]:
    return list(Member.objects.order_by("id").values_list("full_name", "personal_id"))


def test_a_masked_template_imported_back_keeps_the_stored_ids(client, users, census, tmp_path):
    before = _stored_ids()
    client.force_login(users.district_officer)
    url = reverse("census:round_template", kwargs={"commune": "23500", "year": 2017})
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    members = book[MEMBERS_SHEET]
    assert members["G2"].value == mask_personal_id(before[0][1])
    path = tmp_path / "mau-che.xlsx"
    book.save(path)

    report = census_import(census_round=census, path=path, actor=users.district_officer)
    assert report.member_households_changed == 0
    assert _stored_ids() == before

    # A household whose members change for another reason still keeps its stored number.
    members["B2"] = "Nguyễn Văn Ân"
    book.save(path)
    report = census_import(census_round=census, path=path, actor=users.district_officer)
    assert report.member_households_changed == 1
    assert Member.objects.get(full_name="Nguyễn Văn Ân").personal_id == SENTINEL
    assert not Member.objects.filter(personal_id__contains="*").exists()


def test_a_masked_id_that_matches_nothing_is_refused(client, users, census, tmp_path):
    before = _stored_ids()
    client.force_login(users.district_officer)
    url = reverse("census:round_template", kwargs={"commune": "23500", "year": 2017})
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    book[MEMBERS_SHEET]["G2"] = "9*********99"
    path = tmp_path / "mau-sai.xlsx"
    book.save(path)
    with pytest.raises(InvalidInput) as refused:
        census_import(census_round=census, path=path, actor=users.district_officer)
    (problem,) = refused.value.problems
    assert "9*********99" in str(problem.message)
    assert (problem.location.sheet, problem.location.row) == (MEMBERS_SHEET, 2)
    assert _stored_ids() == before


@pytest.mark.parametrize("code", ["census.household_page", "census.household_api"])
def test_the_door_costs_the_same_queries_whatever_the_household_size(
    client, users, census, django_assert_num_queries, code
):
    household_a = Member.objects.get(personal_id=SENTINEL).household
    WEB[code](client, users.commune_officer, census)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        WEB[code](client, users.commune_officer, census)
    # 20, and the household page's two reads of who is in charge of it (twinning issue).
    assert len(small) <= 22
    for index in range(5):
        Member.objects.create(
            household=household_a,
            full_name=f"Con {index}",
            sex="male",
            birth_year=2000 + index,
            ethnicity="14",
            relation="child",
            personal_id=f"00020000{index:04d}",
        )
    with django_assert_num_queries(len(small)):
        WEB[code](client, users.commune_officer, census)
    assert PersonalDataDisclosure.objects.filter(output=code).count() == 3
