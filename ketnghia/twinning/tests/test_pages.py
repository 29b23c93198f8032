"""Network pages and API through the gate: a twinning member sees only their communes."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.census.tests.factories import approve, make_round
from ketnghia.conftest import make_unit
from ketnghia.core.models import PersonalDataDisclosure
from ketnghia.core.personal_data import OUTPUTS
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.models import (
    Activity,
    ActivityStatus,
    Assignment,
    AssignmentKind,
    Organisation,
    PersonRole,
)
from ketnghia.twinning.tests.network import committee_member, network, party_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, users):
    """Đắk Choong is twinned with the twinning member's organisation; Ngọk Wang is not."""
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    for commune in (tree.ngok_wang, tree.dak_choong):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))
    for commune, village, codes in (
        (tree.dak_choong, tree.village_c, {"C1": 100_000, "C2": 200_000}),
        (tree.ngok_wang, tree.village_a, {"N1": 100_000}),
    ):
        approve(make_round(commune, 2015, "vn-2011", codes, village=village), users.commune_officer)
    organisation = Organisation.objects.get(members=users.twinning_member)
    mine = committee_member("Y Hoa", tree.dak_choong)
    services.assignment_create(
        kind=AssignmentKind.COMMITTEE_VILLAGE,
        person=mine,
        village=tree.village_c,
        start_date=date(2010, 1, 1),
        actor=None,
    )
    member = party_member("A Thuận", tree.dak_choong, tree.village_c)
    services.assignment_create(
        kind=AssignmentKind.MEMBER_HOUSEHOLD,
        person=member,
        household=Household.objects.get(code="C1"),
        start_date=date(2010, 1, 1),
        actor=None,
    )
    other = committee_member("Y Blong", tree.ngok_wang)
    cadre = services.person_create(
        full_name="Trần Văn Bình",
        sex="male",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=organisation,
        actor=None,
    )
    team = services.work_team_create(
        name="Tổ công tác Đắk Choong",
        organisation=organisation,
        commune=tree.dak_choong,
        start_date=date(2015, 1, 1),
        members=[cadre],
        actor=None,
    )
    network(tree)
    return {"mine": mine, "other": other, "member": member, "team": team}


def test_twinning_member_sees_their_commune_and_404_elsewhere(client, tree, users, world):
    client.force_login(users.twinning_member)
    page = client.get("/network/23290/?year=2015")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Y Hoa" in text and "A Thuận" in text
    assert "<svg" in text and 'class="gap"' in text  # C2 has no Party member
    assert "09*****456" in text and "0905123456" not in text
    for url in (
        "/network/23500/",
        f"/network/people/{world['other'].pk}/",
        "/census/23500/households/N1/",
        f"/api/network/people/{world['other'].pk}/",
        "/api/network/23500/coverage/",
        "/api/households/23500/N1/",
    ):
        assert client.get(url).status_code == 404, url
    # Proposals are an editing right the role does not have at all (the gate's 403).
    assert client.get("/network/23290/proposal/").status_code == 403
    assert client.get(f"/network/people/{world['mine'].pk}/").status_code == 200
    api = client.get(f"/api/network/people/{world['mine'].pk}/").json()
    assert api["phone"] == "09*****456"
    export = client.get("/network/coverage.xlsx?year=2015")
    sheet = load_workbook(BytesIO(export.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["23290", None]  # their commune, then the total row


@pytest.fixture
def gia_lai(world):
    """A second province with its own program (a later one) and its own viewer."""
    province = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    district = make_unit("622", "Huyện Chư Păh", UnitLevel.DISTRICT, UnitKind.HUYEN, province)
    commune = make_unit("23800", "Xã Ia Ly", UnitLevel.COMMUNE, UnitKind.XA, district)
    program = Program.objects.create(
        code="nq-gl", name="Nghị quyết Gia Lai", start_date=date(2008, 1, 1)
    )
    ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2008, 1, 1))
    return user_create(
        username="viewer64",
        password="Kh0ng-d0an-duoc",
        role=Role.PROVINCE_VIEWER,
        jurisdiction=province,
    )


def test_the_network_pages_take_the_users_own_program_and_refuse_anothers(client, users, gia_lai):
    client.force_login(users.province_viewer)
    page = client.get("/network/?year=2015").content.decode()
    assert "NQ04" in page and "Nghị quyết Gia Lai" not in page
    for url in (
        "/network/?program=nq-gl&year=2015",
        "/network/coverage.xlsx?program=nq-gl&year=2015",
        "/network/23500/?program=nq-gl&year=2015",
        "/network/?program=missing&year=2015",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Nghị quyết Gia Lai" not in response.content.decode()
    coverage = "/api/network/23500/coverage/?year=2015"
    assert client.get(coverage).json()["program"] == "nq04"
    assert client.get(coverage + "&program=nq-gl").status_code == 404
    # Gia Lai's viewer: their program by default, Kon Tum's refused.
    client.force_login(gia_lai)
    page = client.get("/network/?year=2015").content.decode()
    assert "Nghị quyết Gia Lai" in page and "NQ04" not in page
    assert client.get("/network/?program=nq04&year=2015").status_code == 404
    coverage = "/api/network/23800/coverage/?year=2015"
    assert client.get(coverage).json()["program"] == "nq-gl"
    assert client.get(coverage + "&program=nq04").status_code == 404


def test_a_user_without_a_program_commune_is_told_so(client, gia_lai):
    ProgramCommune.objects.filter(program__code="nq-gl").delete()
    client.force_login(gia_lai)
    page = client.get("/network/?year=2015")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Không có chương trình nào có xã trong phạm vi của bạn." in text
    assert "NQ04" not in text


PHONE_OUTPUTS = {
    "twinning.person_page": lambda world: f"/network/people/{world['other'].pk}/",
    "twinning.person_api": lambda world: f"/api/network/people/{world['other'].pk}/",
    "twinning.commune_page": lambda world: "/network/23500/",
}


def test_every_twinning_output_has_a_case_here():
    # The assignments template is a workbook: its case is in test_assignment_import.py.
    assert {code for code in OUTPUTS if code.startswith("twinning.")} == set(PHONE_OUTPUTS) | {
        "twinning.assignments_template"
    }


@pytest.mark.parametrize("code", sorted(PHONE_OUTPUTS))
def test_phones_through_the_door_masked_or_in_full_and_logged(client, tree, users, world, code):
    url = PHONE_OUTPUTS[code](world)
    services.assignment_create(
        kind=AssignmentKind.COMMITTEE_VILLAGE,
        person=world["other"],
        village=tree.village_a,
        start_date=date(2010, 1, 1),
        actor=None,
    )
    client.force_login(users.district_officer)  # sees Ngọk Wang, not personal data
    text = client.get(url).content.decode()
    assert "09*****456" in text and "0905123456" not in text
    assert not PersonalDataDisclosure.objects.exists()
    client.force_login(users.commune_officer)
    text = client.get(url).content.decode()
    assert "0905123456" in text
    row = PersonalDataDisclosure.objects.get()
    assert (row.output, row.user, row.subjects) == (code, users.commune_officer, 1)


def test_the_household_page_says_who_is_in_charge(client, users, world):
    client.force_login(users.province_admin)
    page = client.get("/census/23290/households/C1/").content.decode()
    assert 'data-testid="in-charge"' in page and "A Thuận" in page


def test_commune_page_query_count(client, users, world, django_assert_max_num_queries):
    client.force_login(users.province_admin)
    with django_assert_max_num_queries(40):
        assert client.get("/network/23290/?year=2015").status_code == 200


def test_coverage_table_and_year_selector(client, users, world):
    client.force_login(users.province_viewer)
    page = client.get("/network/?year=2015").content.decode()
    assert 'data-commune="23290"' in page and 'data-commune="23500"' in page
    assert 'data-testid="activity-form"' not in page  # a viewer records nothing
    assert 'data-testid="not-visited"' in page and 'data-testid="resources"' in page


def test_twinning_member_records_an_activity_and_the_commune_confirms(client, tree, users, world):
    client.force_login(users.twinning_member)
    home = client.get("/network/?year=2015").content.decode()
    assert 'data-testid="activity-form"' in home and 'data-testid="last-visits"' in home
    data = {
        "team": world["team"].pk,
        "date": "2030-01-01",
        "kind": "visit",
        "village": "",
        "reached_male": 3,
        "reached_female": 5,
        "reached_minority": 8,
        "resources_vnd": 1_000_000,
    }
    refused = client.post("/network/activities/", data)
    assert refused.status_code == 400
    assert "cannot be dated in the future" in refused.content.decode() or "tương lai" in (
        refused.content.decode()
    )
    assert Activity.objects.count() == 0
    data["date"] = "2016-03-04"
    assert client.post("/network/activities/", data).status_code == 302
    activity = Activity.objects.get()
    assert activity.history.first().history_user == users.twinning_member
    # Confirming is the commune's: a twinning member may not.
    url = f"/network/23290/activities/{activity.pk}/confirm/"
    assert client.post(url).status_code == 403
    client.force_login(users.province_admin)
    assert client.post(url).status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED
    assert activity.confirmed_by == users.province_admin


def test_officer_accepts_some_proposal_rows(client, users, world):
    client.force_login(users.province_admin)
    page = client.get("/network/23290/proposal/?year=2015")
    assert page.status_code == 200 and "C2" in page.content.decode()
    c2 = Household.objects.get(code="C2")
    accepted = client.post(
        "/network/23290/proposal/?year=2015",
        {"row": [f"{c2.pk}:{world['member'].pk}"], "start_date": "2015-06-01"},
    )
    assert accepted.status_code == 302
    assert Assignment.objects.filter(household=c2, person=world["member"]).exists()
