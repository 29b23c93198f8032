"""The admin changelists follow their foreign keys: their query count does not grow with rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.conftest import make_unit
from ketnghia.core.admin_site import admin_site
from ketnghia.core.models import DisclosureChannel, PersonalDataDisclosure
from ketnghia.geo.models import Succession, UnitClassification, UnitKind, UnitLevel
from ketnghia.households.models import Household
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning.models import Organisation, OrganisationKind, Twinning


def _communes(tree, start: int, count: int):
    return [
        make_unit(
            f"{start + n}", f"Xã Thử {start + n}", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_ha
        )
        for n in range(count)
    ]


def _units(tree, users, start, count):
    _communes(tree, start, count)


def _classifications(tree, users, start, count):
    for commune in _communes(tree, start, count):
        UnitClassification.objects.create(
            unit=commune, scheme="region", value="III", start_year=2016, end_year=2020
        )


def _successions(tree, users, start, count):
    for commune in _communes(tree, start, count):
        Succession.objects.create(old_unit=commune, new_unit=tree.ngok_wang, date=date(2025, 7, 1))


def _program_communes(tree, users, start, count):
    program, _ = Program.objects.get_or_create(
        code="nq-04", defaults={"name": "Nghị quyết 04", "start_date": date(2007, 1, 1)}
    )
    for commune in _communes(tree, start, count):
        ProgramCommune.objects.create(program=program, commune=commune, valid_from=date(2007, 1, 1))


def _organisations_and_twinnings(tree, users, start, count):
    for commune in _communes(tree, start, count):
        organisation = Organisation.objects.create(
            name=f"Sở {commune.code}",
            kind=OrganisationKind.PROVINCIAL_AGENCY,
            province=tree.province,
        )
        Twinning.objects.create(
            organisation=organisation, commune=commune, start_date=date(2007, 6, 1)
        )


def _users(tree, users, start, count):
    for commune in _communes(tree, start, count):
        user_create(
            username=f"officer{commune.code}",
            password="Kh0ng-d0an-duoc",
            role=Role.COMMUNE_OFFICER,
            jurisdiction=commune,
        )


def _disclosures(tree, users, start, count):
    for commune in _communes(tree, start, count):
        household = Household(commune=commune, code=f"H{commune.code}", head_name="Y Hoa")
        household.save()
        PersonalDataDisclosure.objects.create(
            household=household,
            user=users.province_admin,
            output="census.household_page",
            channel=DisclosureChannel.PAGE,
            unit_path=household.unit_path,
        )


CHANGELISTS = [
    ("geo_unit", _units),
    ("geo_unitclassification", _classifications),
    ("geo_succession", _successions),
    ("programs_programcommune", _program_communes),
    ("twinning_organisation", _organisations_and_twinnings),
    ("twinning_twinning", _organisations_and_twinnings),
    ("accounts_user", _users),
    ("core_personaldatadisclosure", _disclosures),
]


@pytest.mark.parametrize(("changelist", "make"), CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(
    client, tree, users, django_assert_num_queries, changelist, make
):
    client.force_login(users.province_admin)
    url = reverse(f"admin:{changelist}_changelist")
    make(tree, users, 30000, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(tree, users, 31000, 20)
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_every_foreign_key_a_changelist_shows_is_selected_with_its_rows():
    missing = []
    for model, model_admin in admin_site._registry.items():
        related = model_admin.list_select_related
        for name in model_admin.list_display:
            try:
                field = model._meta.get_field(name)
            except Exception:  # a method or property column, not a field
                continue
            if isinstance(field, models.ForeignKey) and not (
                related is True or (related and name in related)
            ):
                missing.append(f"{model._meta.label}.{name}")
    assert missing == []
