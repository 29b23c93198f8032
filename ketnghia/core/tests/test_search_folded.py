"""Search ignores diacritics for people, household members and organisations too.

Their names are folded by the database (generated columns, `core.folding.Folded`), so a row
written by any path — a service, `bulk_create`, an import's raw SQL — is found by "nguyen van";
and the gate still decides: another province's people are never found.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from django.db import connection

from ketnghia.conftest import make_unit
from ketnghia.core.tests.world import build_world
from ketnghia.core.text import fold
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.households.models import Household, Member
from ketnghia.twinning.models import Organisation, OrganisationKind, Person

pytestmark = pytest.mark.django_db


def _person(name: str, commune, organisation=None) -> Person:
    person = Person(
        full_name=name,
        sex="male",
        ethnicity="01",
        role="party_member",
        commune=commune,
        organisation=organisation,
        active_from=date(2010, 1, 1),
    )
    person.save()
    return person


@pytest.fixture
def people(tree, users):
    build_world(tree, users)
    gia_lai = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    district = make_unit("622", "Huyện Kbang", UnitLevel.DISTRICT, UnitKind.HUYEN, gia_lai)
    far = make_unit("23800", "Xã Đăk Rong", UnitLevel.COMMUNE, UnitKind.XA, district)
    _person("Nguyễn Văn Bình", tree.ngok_wang)
    _person("Nguyễn Văn Xa Lạ", far)  # another province
    household = Household.objects.create(commune=tree.ngok_wang, code="H9", head_name="Y Hơ")
    # Written in bulk, and in decomposed form (NFD), as a file may carry it.
    Member.objects.bulk_create(
        [
            Member(
                household=household,
                full_name=unicodedata.normalize("NFD", "Nguyễn Văn Đức"),
                sex="male",
                ethnicity="01",
                relation="child",
            )
        ]
    )
    far_household = Household.objects.create(commune=far, code="G1", head_name="A Lư")
    Member.objects.create(
        household=far_household,
        full_name="Nguyễn Văn Xa Lạ",
        sex="male",
        ethnicity="01",
        relation="head",
    )
    Organisation.objects.create(
        name="Bộ Chỉ huy Quân sự tỉnh",
        short_name="BCHQS Đắk Lắk",
        kind=OrganisationKind.PROVINCIAL_AGENCY,
        province=gia_lai,
    )


def _results(client, query: str) -> str:
    html = client.get("/search/", {"q": query}).content.decode()
    return html.split('role="search"', 2)[-1]


def test_the_database_folds_as_python_does(people) -> None:
    for row in Member.objects.values("full_name", "search_folded"):
        assert row["search_folded"] == fold(row["full_name"]), row
    names = Person.objects.values_list("full_name", "search_folded")
    assert {folded for _, folded in names} == {"nguyen van binh", "nguyen van xa la"}
    assert Organisation.objects.filter(search_short_name="bchqs dak lak").exists()


def test_nguyen_van_finds_people_and_members_in_scope_only(client, users, people) -> None:
    client.force_login(users.province_admin)
    html = _results(client, "nguyen van")
    assert "Nguyễn Văn Bình" in html  # a person (twinning network)
    assert 'data-testid="search-group-households"' in html and "H9" in html  # a member's
    assert "Xa Lạ" not in html and "G1" not in html  # Gia Lai is not Kon Tum's
    assert "Nguyễn Văn Bình" in _results(client, "NGUYEN   VAN binh")


def test_organisations_are_found_without_diacritics(client, users, people) -> None:
    client.force_login(users.province_admin)
    assert "Sở Nông nghiệp" in _results(client, "so nong nghiep")
    assert "Bộ Chỉ huy" not in _results(client, "chi huy")  # Gia Lai's


def test_the_folded_columns_are_indexed(people) -> None:
    with connection.cursor() as cursor:
        for model, column in (
            (Member, "search_folded"),
            (Person, "search_folded"),
            (Organisation, "search_name"),
        ):
            table = model._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            assert any(c["index"] and c["columns"] == [column] for c in constraints.values()), (
                table,
                column,
            )
