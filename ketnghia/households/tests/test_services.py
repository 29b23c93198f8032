"""Households and members typed on the web: the census import's checks, history, personal IDs."""

from __future__ import annotations

import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.households import services
from ketnghia.households.models import Household, Member


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _fields(error: InvalidInput) -> dict[str, str]:
    return {p.location.field: str(p.message) for p in error.problems}


def _create(tree, users, **values):
    data = {
        "commune": tree.ngok_wang,
        "code": "01-001",
        "head_name": "  Nguyễn   Văn An ",
        "village": "23500-01",
        "actor": users.commune_officer,
    } | values
    return services.household_create(**data)


def test_a_household_is_registered_with_the_import_checks_and_history(tree, users):
    household = _create(tree, users, village="Kon Stiu")  # by name, without its kind word
    assert (household.head_name, household.village, household.area) == (
        "Nguyễn Văn An",
        tree.village_a,
        "rural",
    )
    assert household.unit_path == tree.village_a.path
    assert household.history.latest().history_user == users.commune_officer


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"code": " "}, "code", "household code is empty"),
        ({"code": "X" * 41}, "code", "longer than 40"),
        ({"code": "23488-0007"}, "code", "belongs to commune 23488"),
        ({"head_name": ""}, "head_name", "head of household is empty"),
        ({"village": "Thôn 9"}, "village", "has no village"),
        ({"village": ""}, "village", "village is empty"),
        ({"area": "sea"}, "area", "not known"),
    ],
)
def test_what_the_import_refuses_the_page_refuses_at_its_field(tree, users, values, field, words):
    with pytest.raises(InvalidInput) as caught:
        _create(tree, users, **values)
    assert words in _fields(caught.value)[field]
    assert not Household.objects.exists()


def test_a_code_used_twice_in_the_commune_is_refused(tree, users):
    _create(tree, users)
    with pytest.raises(InvalidInput) as caught:
        _create(tree, users, head_name="Y Hoa")
    assert "already has a household 01-001" in _fields(caught.value)["code"]


def test_an_update_keeps_the_code_and_sets_the_area_by_hand(tree, users):
    household = _create(tree, users)
    services.household_update(
        household=household,
        head_name="Nguyễn Văn Bình",
        village="23500-01",
        area="urban",
        registered_year=2020,
        left_year=2024,
        actor=users.district_officer,
    )
    household.refresh_from_db()
    assert (household.code, household.head_name, household.area) == (
        "01-001",
        "Nguyễn Văn Bình",
        "urban",
    )
    assert household.area_overridden
    assert household.history.latest().history_user == users.district_officer
    with pytest.raises(InvalidInput) as caught:
        services.household_update(
            household=household,
            head_name="Nguyễn Văn Bình",
            village="23500-01",
            registered_year=2024,
            left_year=2020,
            actor=users.commune_officer,
        )
    assert "left_year" in _fields(caught.value)


def _member(household, actor, **values):
    data = {
        "household": household,
        "full_name": "Nguyễn Văn An",
        "sex": "male",
        "birth_year": "1980",
        "ethnicity": "01",
        "relation": "head",
        "personal_id": "",
        "actor": actor,
    } | values
    return services.member_create(**data)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"sex": "?"}, "sex"),
        ({"birth_year": "1850"}, "birth_year"),
        ({"birth_year": "năm 80"}, "birth_year"),
        ({"ethnicity": "99"}, "ethnicity"),
        ({"relation": "hàng xóm"}, "relation"),
        ({"personal_id": "12345"}, "personal_id"),
    ],
)
def test_members_are_checked_as_the_members_sheet_is(tree, users, values, field):
    household = _create(tree, users)
    with pytest.raises(InvalidInput) as caught:
        _member(household, users.commune_officer, **values)
    assert field in _fields(caught.value)
    assert not Member.objects.exists()


def test_members_are_added_changed_and_removed_with_history(tree, users):
    household = _create(tree, users)
    member = _member(household, users.commune_officer, personal_id="001234567889", sex="nữ")
    assert (member.sex, member.birth_year, member.personal_id) == ("female", 1980, "001234567889")
    services.member_update(
        member=member,
        full_name="Nguyễn Thị An",
        sex="female",
        birth_year=1981,
        ethnicity="Kinh",
        relation="spouse",
        actor=users.commune_officer,
    )
    member.refresh_from_db()
    assert (member.full_name, member.relation, member.personal_id) == (
        "Nguyễn Thị An",
        "spouse",
        "001234567889",
    )
    member_id = member.id
    services.member_delete(member=member, actor=users.commune_officer)
    assert not Member.objects.exists()
    record = Member.history.filter(id=member_id).latest()
    assert (record.history_type, record.history_user) == ("-", users.commune_officer)


def test_only_users_who_may_see_personal_ids_may_set_them(tree, users):
    household = _create(tree, users)
    with pytest.raises(InvalidInput) as caught:
        _member(household, users.district_officer, personal_id="001234567889")
    assert "personal_id" in _fields(caught.value)
    member = _member(household, users.commune_officer, personal_id="001234567889")
    # A district officer may change the name, never the number (None keeps it).
    services.member_update(
        member=member,
        full_name="Nguyễn Văn Ân",
        sex="male",
        birth_year=1980,
        ethnicity="01",
        relation="head",
        personal_id=None,
        actor=users.district_officer,
    )
    with pytest.raises(InvalidInput):
        services.member_update(
            member=member,
            full_name="Nguyễn Văn Ân",
            sex="male",
            birth_year=1980,
            ethnicity="01",
            relation="head",
            personal_id="009999999999",
            actor=users.district_officer,
        )
    member.refresh_from_db()
    assert (member.full_name, member.personal_id) == ("Nguyễn Văn Ân", "001234567889")
