"""`ketnghia demo` and `ketnghia demo-logins` against the database."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketnghia.accounts.models import Role, User
from ketnghia.core.gate import Action, scope_for
from ketnghia.core.models import Dataset, holds_demo_data
from ketnghia.demo.generator import DEMO_PASSWORD, demo_load
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification, UnitLevel
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.selectors import (
    program_communes_on,
    program_get,
    program_key_communes_on,
)
from ketnghia.twinning.models import Organisation, Twinning

pytestmark = pytest.mark.django_db
ON = date(2015, 12, 31)
MODELS = (Unit, UnitClassification, Program, ProgramCommune, Organisation, Twinning, User, Dataset)


def _counts() -> dict[str, int]:
    counts = {}
    for model in MODELS:
        counts[model.__name__] = model.objects.count()
        history = getattr(model, "history", None)
        if history is not None:
            counts[f"history of {model.__name__}"] = history.count()
    return counts


@pytest.fixture
def loaded():
    return demo_load()


def test_demo_counts(loaded):
    program = program_get("nq04")
    communes = program_communes_on(program=program, on=ON)
    keys = program_key_communes_on(program=program, on=ON)
    assert communes.count() == 53
    assert keys.count() == 20
    assert set(keys) <= set(communes)
    assert Unit.objects.filter(level=UnitLevel.COMMUNE, path__startswith="/62/").count() == 102
    villages = Unit.objects.filter(level=UnitLevel.VILLAGE)
    assert villages.count() == 409
    assert Organisation.objects.count() == 53
    assert Twinning.objects.count() == 53
    assert loaded.villages_created == 409


def test_every_village_is_under_a_program_commune(loaded):
    program = program_get("nq04")
    communes = set(program_communes_on(program=program, on=ON).values_list("pk", flat=True))
    parents = set(Unit.objects.filter(level=UnitLevel.VILLAGE).values_list("parent", flat=True))
    assert parents == communes


def test_one_demo_user_per_role_and_the_marker(loaded):
    users = User.objects.exclude(role="")
    assert sorted(users.values_list("role", flat=True)) == sorted(Role.values)
    for user in users:
        assert user.jurisdiction_id or user.organisation_id, user.username
        assert user.check_password(DEMO_PASSWORD)
    assert holds_demo_data()
    description = Dataset.objects.get(kind=Dataset.DEMO).description
    assert "not at hand" in description and "chưa có" in description
    assert "not at hand" in program_get("nq04").description


def test_commune_officer_and_twinning_member_see_one_program_commune(loaded):
    program = program_get("nq04")
    for username in ("demo-commune", "demo-twinning"):
        scope = scope_for(User.objects.get(username=username), Action.VIEW)
        assert program_communes_on(program=program, on=date.today(), scope=scope).count() == 1


def test_classifications_for_2016_2020(loaded):
    regions = UnitClassification.objects.filter(scheme=ClassificationScheme.COMMUNE_REGION)
    assert regions.count() == 102
    assert regions.filter(value="III").count() == 49
    flagged = UnitClassification.objects.filter(
        scheme=ClassificationScheme.ESPECIALLY_DIFFICULT_VILLAGE
    )
    assert 0 < flagged.count() < 409
    assert not flagged.exclude(unit__level=UnitLevel.VILLAGE).exists()


def test_running_twice_gives_the_same_database(loaded):
    first = _counts()
    memberships = list(ProgramCommune.objects.values_list("commune__code", "is_key", "valid_to"))
    report = demo_load()
    assert _counts() == first
    assert list(ProgramCommune.objects.values_list("commune__code", "is_key", "valid_to")) == (
        memberships
    )
    assert (report.villages_created, report.villages_updated, report.users_created) == (0, 0, [])


def test_command_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert not Unit.objects.exists()
    call_command("demo", "--force", stdout=StringIO())
    assert Unit.objects.filter(level=UnitLevel.VILLAGE).count() == 409


def test_if_empty_does_nothing_when_units_exist(settings, tree):
    settings.DEBUG = True
    before = _counts()
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert _counts() == before
    assert not holds_demo_data()


def test_demo_logins_prints_one_row_per_user(loaded):
    out = StringIO()
    call_command("demo-logins", stdout=out)
    text = out.getvalue()
    for username in ("demo-admin", "demo-commune", "demo-twinning", "demo-moderator"):
        assert username in text
    assert DEMO_PASSWORD in text
    assert "Huyện Đắk Hà (615)" in text


def test_demo_logins_without_demo_says_so():
    out = StringIO()
    call_command("demo-logins", stdout=out)
    assert "ketnghia demo" in out.getvalue()
