"""People's phones in the admin go through the personal-data door.

A person's change form, history list ("old → new") and revert form show the phone in full only
when the gate lets the user see personal data at the person's unit, and then log one
`PersonalDataDisclosure` row per page served (output `core.admin_pages`). Masked, the field is
read only and a saved form keeps the stored number. A saved form (a redirect) logs nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ketnghia.accounts.models import Role
from ketnghia.core import gate
from ketnghia.core.models import PersonalDataDisclosure
from ketnghia.core.personal_data import OUTPUTS, Kind
from ketnghia.twinning.models import Person, PersonRole

OLD, NEW = "0912345678", "0987654321"


@pytest.fixture
def person(tree):
    found = Person.objects.create(
        full_name="A Thuận",
        sex="male",
        ethnicity="14",
        role=PersonRole.PARTY_MEMBER,
        commune=tree.ngok_wang,
        village=tree.village_a,
        active_from=date(2010, 1, 1),
        phone=OLD,
    )
    found.phone = NEW
    found.save()
    return found


def _urls(person: Person) -> dict[str, str]:
    version = person.history.order_by("history_id").first()
    return {
        "change": reverse("admin:twinning_person_change", args=[person.pk]),
        "history": reverse("admin:twinning_person_history", args=[person.pk]),
        "version": reverse(
            "admin:twinning_person_simple_history", args=[person.pk, version.history_id]
        ),
    }


def _logged() -> list[PersonalDataDisclosure]:
    return list(PersonalDataDisclosure.objects.filter(output="core.admin_pages").order_by("pk"))


def test_the_admin_pages_are_a_registered_output():
    assert OUTPUTS["core.admin_pages"].kinds >= (Kind.PHONE,)


@pytest.mark.parametrize(
    ("page", "shown"), [("change", [NEW]), ("history", [OLD, NEW]), ("version", [OLD])]
)
def test_a_phone_shown_in_full_is_logged_once_per_page(client, users, person, page, shown):
    client.force_login(users.province_admin)
    response = client.get(_urls(person)[page])
    assert response.status_code == 200
    html = response.content.decode()
    for phone in shown:
        assert phone in html, page
    (row,) = _logged()
    assert row.user == users.province_admin
    assert row.channel == "page"
    assert row.kinds == "phone"
    assert row.subjects == 1
    assert row.unit_path == person.unit_path
    assert row.detail == "twinning.Person"


def test_a_saved_form_shows_nothing_and_logs_nothing(client, users, person):
    client.force_login(users.province_admin)
    page = client.get(_urls(person)["change"])
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update({"phone": "0911000111", "full_name": "A Thuận Mới"})
    before = len(_logged())
    assert client.post(_urls(person)["change"], data).status_code == 302
    assert len(_logged()) == before
    person.refresh_from_db()
    assert person.phone == "0911000111"


@pytest.fixture
def without_personal_data(monkeypatch):
    """A province administrator the gate does not let see personal data."""
    actions = gate.ROLE_ACTIONS[Role.PROVINCE_ADMIN] - {gate.Action.SEE_PERSONAL_DATA}
    monkeypatch.setitem(gate.ROLE_ACTIONS, Role.PROVINCE_ADMIN, actions)


@pytest.mark.parametrize("page", ["change", "history", "version"])
def test_a_user_who_may_not_see_them_gets_them_masked_and_nothing_is_logged(
    client, users, person, without_personal_data, page
):
    client.force_login(users.province_admin)
    response = client.get(_urls(person)[page])
    assert response.status_code == 200
    html = response.content.decode()
    assert OLD not in html and NEW not in html
    assert "09*****321" in html or "09*****678" in html
    assert _logged() == []


def test_a_masked_phone_is_read_only_and_never_written_back(
    client, users, person, without_personal_data
):
    client.force_login(users.province_admin)
    page = client.get(_urls(person)["change"])
    form = page.context["adminform"].form
    assert form.fields["phone"].disabled
    data = {name: value for name, value in form.initial.items() if value is not None}
    assert data["phone"] == "09*****321"
    data.update({"full_name": "A Thuận Mới", "phone": "0900000000"})
    assert client.post(_urls(person)["change"], data).status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.phone) == ("A Thuận Mới", NEW)
