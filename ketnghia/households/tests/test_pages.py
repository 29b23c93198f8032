"""Household pages: register and edit households and members, the village page, the round list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.factories import household as registered
from ketnghia.census.tests.factories import make_round, series
from ketnghia.core.models import PersonalDataDisclosure
from ketnghia.households.models import Household, Member


def _text(response) -> str:
    return response.content.decode()


def _add_url(commune: str = "23500") -> str:
    return reverse("households:household_add", args=[commune])


def _edit_url(code: str, commune: str = "23500") -> str:
    return reverse("households:household_edit", args=[commune, code])


HOUSEHOLD = {"code": "01-009", "head_name": "Y Hoa", "village": "23500-01", "area": ""}


def test_a_commune_officer_registers_a_household_and_adds_its_members(client, tree, users):
    client.force_login(users.commune_officer)
    assert client.get(_add_url()).status_code == 200
    response = client.post(_add_url(), HOUSEHOLD)
    assert response.status_code == 302
    assert response["Location"] == _edit_url("01-009")
    household = Household.objects.get(code="01-009")
    assert (household.village, household.history.latest().history_user) == (
        tree.village_a,
        users.commune_officer,
    )
    member = {
        "new-full_name": "Y Hoa",
        "new-sex": "female",
        "new-birth_year": "1985",
        "new-ethnicity": "14",
        "new-relation": "head",
        "new-personal_id": "000185001234",
    }
    response = client.post(reverse("households:member_add", args=["23500", "01-009"]), member)
    assert response.status_code == 302
    created = Member.objects.get(household=household)
    assert created.personal_id == "000185001234"
    # The edit page shows the number in full to this officer, and logs that it did.
    response = client.get(_edit_url("01-009"))
    assert "000185001234" in _text(response)
    logged = PersonalDataDisclosure.objects.get(user=users.commune_officer)
    assert (logged.output, logged.household) == ("households.household_edit_page", household)
    # Edit then remove the member.
    url = reverse("households:member_edit", args=["23500", "01-009", created.pk])
    prefix = f"m{created.pk}-"
    response = client.post(
        url,
        {prefix + k.removeprefix("new-"): v for k, v in member.items()}
        | {prefix + "full_name": "Y Hoa Niê"},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.full_name == "Y Hoa Niê"
    delete = reverse("households:member_delete", args=["23500", "01-009", created.pk])
    assert client.post(delete).status_code == 302
    assert not Member.objects.filter(household=household).exists()
    # The household page lists who changed what.
    response = client.get(household.get_absolute_url())
    assert 'data-testid="household-edit"' in _text(response)
    assert _text(response).count("commune23500") >= 3


def test_bad_input_is_shown_beside_the_form_in_vietnamese_and_nothing_is_written(
    client, tree, users
):
    client.force_login(users.commune_officer)
    response = client.post(_add_url(), HOUSEHOLD | {"code": "23488-0007", "village": ""})
    assert response.status_code == 400
    html = _text(response)
    # Both the import's messages, in Vietnamese, each beside its field.
    assert html.count('data-testid="field-error"') == 2
    assert "23488-0007" in html and "Xã Đăk Mar" in html
    assert not Household.objects.exists()
    client.post(_add_url(), HOUSEHOLD)
    response = client.post(
        reverse("households:member_add", args=["23500", "01-009"]),
        {"new-full_name": "", "new-sex": "", "new-birth_year": "1850", "new-ethnicity": "14"},
    )
    assert response.status_code == 400
    assert _text(response).count('data-testid="field-error"') >= 4
    assert not Member.objects.exists()
    # A second household with the same code: refused at the code.
    response = client.post(_add_url(), HOUSEHOLD)
    assert response.status_code == 400 and "01-009" in _text(response)


def test_a_district_officer_edits_but_never_sees_or_sets_personal_ids(client, tree, users):
    household = registered(tree.ngok_wang, "A")  # the head's ID is 001234567889
    member = household.members.get()
    client.force_login(users.district_officer)
    response = client.get(_edit_url("A"))
    html = _text(response)
    assert response.status_code == 200
    assert "001234567889" not in html and "0*********89" in html
    assert f'name="m{member.pk}-personal_id"' not in html
    assert not PersonalDataDisclosure.objects.exists()
    url = reverse("households:member_edit", args=["23500", "A", member.pk])
    prefix = f"m{member.pk}-"
    response = client.post(
        url,
        {
            prefix + "full_name": "Nguyễn Văn Ân",
            prefix + "sex": "male",
            prefix + "birth_year": "1980",
            prefix + "ethnicity": "14",
            prefix + "relation": "head",
            prefix + "personal_id": "009999999999",  # not a field for this user: ignored
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.personal_id) == ("Nguyễn Văn Ân", "001234567889")


def test_other_communes_households_and_viewers_get_404_or_no_forms(client, tree, users):
    registered(tree.dak_mar, "M1", tree.village_b)
    member = Member.objects.get(household__code="M1")
    client.force_login(users.commune_officer)
    for url in (
        _add_url("23488"),
        _edit_url("M1", "23488"),
        reverse("census:village_detail", args=["23488", "23488-01"]),
        reverse("census:village_detail", args=["23500", "23488-01"]),
    ):
        assert client.get(url).status_code == 404, url
    delete = reverse("households:member_delete", args=["23488", "M1", member.pk])
    assert client.post(delete).status_code == 404
    assert Member.objects.filter(pk=member.pk).exists()
    # A province viewer reads the village page but may not edit.
    client.force_login(users.province_viewer)
    assert (
        client.get(reverse("census:village_detail", args=["23488", "23488-01"])).status_code == 200
    )
    assert client.get(_edit_url("M1", "23488")).status_code == 403


def test_village_page_lists_households_with_their_status_by_year(client, tree, users):
    series(tree, users)
    client.force_login(users.commune_officer)
    response = client.get(reverse("census:village_detail", args=["23500", "23500-01"]))
    assert response.status_code == 200
    html = _text(response)
    row_b = html.split('<tr data-household="B"', 1)[1].split("</tr>", 1)[0]
    # B: poor 2014, not poor 2015, poor again 2016.
    assert row_b.count("status-poor") == 2
    year_2015 = html.split('<tr data-year="2015"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end">3</td>' in year_2015


def test_round_list_shows_village_names_and_filters_by_village_and_status(client, tree, users):
    series(tree, users)
    other = make_round(tree.ngok_wang, 2017, "vn-2016", {"A": 1_500_000, "E": 100_000})
    CensusEntry.objects.filter(round=other, household_code="A").update(village_code="23500-01")
    client.force_login(users.commune_officer)
    url = reverse("census:round_detail", args=["23500", 2017])
    html = _text(client.get(url))
    assert "Làng Kon Stiu" in html and 'data-testid="entry-village"' in html
    html = _text(client.get(url, {"village": "23500-01"}))
    assert 'data-household="A"' in html and 'data-household="E"' not in html
    html = _text(client.get(url, {"status": "poor"}))
    assert 'data-household="E"' in html and 'data-household="A"' not in html
    html = _text(client.get(url, {"q": "chu ho e", "status": "poor"}))
    assert 'data-household="E"' in html


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _households(tree, start: int, count: int) -> None:
    for number in range(start, start + count):
        registered(tree.ngok_wang, f"V{number:03}", tree.village_a)


@pytest.mark.parametrize("page", ["village", "household", "edit"])
def test_household_pages_cost_the_same_queries_at_two_sizes(client, tree, users, page):
    client.force_login(users.commune_officer)
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000}, village=tree.village_a)
    _households(tree, 0, 5)
    urls = {
        "village": reverse("census:village_detail", args=["23500", "23500-01"]),
        "household": reverse("census:household_detail", args=["23500", "A"]),
        "edit": _edit_url("A"),
    }
    small = _queries(client, urls[page])
    # Ten times the households, six years of rounds, more members: the same queries.
    _households(tree, 5, 50)
    for year in range(2016, 2021):
        make_round(
            tree.ngok_wang,
            year,
            "vn-2016",
            {f"V{n:03}": 600_000 for n in range(55)} | {"A": 300_000},
            village=tree.village_a,
        )
    for number in range(5):
        Member.objects.create(
            household=Household.objects.get(code="A"),
            full_name=f"Con {number}",
            sex="male",
            birth_year=2010,
            ethnicity="14",
            relation="child",
        )
    assert _queries(client, urls[page]) == small
