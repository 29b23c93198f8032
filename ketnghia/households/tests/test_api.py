"""Household API: scoped like the page, personal IDs masked as the gate decides."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketnghia.census.tests.factories import other_commune_round, series


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(commune: str, code: str) -> str:
    return reverse("api:household_detail", kwargs={"commune": commune, "code": code})


@pytest.mark.parametrize(
    ("who", "shown", "masked"),
    [
        ("commune_officer", "001234567889", False),
        ("province_admin", "001234567889", False),
        ("district_officer", "0*********89", True),
        ("province_viewer", "0*********89", True),
    ],
)
def test_personal_ids_as_the_gate_decides(client, tree, users, who, shown, masked):
    series(tree, users)
    client.force_login(getattr(users, who))
    response = client.get(_url("23500", "A"))
    assert response.status_code == 200
    body = response.json()
    assert body["members"][0]["personal_id"] == shown
    assert body["personal_ids_masked"] is masked
    if masked:
        assert "001234567889" not in response.content.decode()


def test_household_with_members_and_statuses_by_year(client, tree, users):
    series(tree, users)
    client.force_login(users.commune_officer)
    body = client.get(_url("23500", "B")).json()
    assert body["village_code"] == "23500-01"
    assert body["members"][0]["ethnicity_name"] == "Xơ-đăng"
    assert [(s["year"], s["status"]) for s in body["statuses"]] == [
        (2016, "poor"),
        (2015, "not_poor"),
        (2014, "poor"),
    ]


def test_another_communes_household_looks_missing(client, tree, users):
    other_commune_round(tree)
    client.force_login(users.commune_officer)
    forbidden = client.get(_url("23488", "M1"))
    missing = client.get(_url("23500", "NOPE"))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json()["errors"][0]["message"].replace("M1", "X") == missing.json()["errors"][
        0
    ]["message"].replace("NOPE", "X")
