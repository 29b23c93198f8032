"""Showing personal ID numbers in full is logged (Decree 13/2023); masked views are not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketnghia.census.tests.factories import series
from ketnghia.core.models import PersonalDataDisclosure


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("who", "logged"),
    [
        ("commune_officer", 1),
        ("province_admin", 1),
        ("district_officer", 0),
        ("province_viewer", 0),
    ],
)
def test_full_ids_on_the_page_and_the_api_are_logged(client, tree, users, who, logged):
    series(tree, users)
    user = getattr(users, who)
    client.force_login(user)
    page = reverse("census:household_detail", kwargs={"commune": "23500", "code": "A"})
    api = reverse("api:household_detail", kwargs={"commune": "23500", "code": "A"})
    assert client.get(page).status_code == 200
    assert client.get(api).status_code == 200
    log = PersonalDataDisclosure.objects.filter(user=user, household__code="A")
    assert sorted(log.values_list("output", "channel", "subjects")) == (
        [("census.household_api", "api", 1), ("census.household_page", "page", 1)] if logged else []
    )


def test_the_log_is_read_only_and_scoped_in_the_admin(client, tree, users):
    series(tree, users)
    client.force_login(users.commune_officer)
    client.get(reverse("census:household_detail", kwargs={"commune": "23500", "code": "A"}))
    client.force_login(users.province_admin)
    changelist = client.get(reverse("admin:core_personaldatadisclosure_changelist"))
    assert changelist.status_code == 200
    assert len(changelist.context["cl"].result_list) == 1
    assert client.get(reverse("admin:core_personaldatadisclosure_add")).status_code == 403
