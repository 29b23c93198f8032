"""The API: scoped units, the signed-in user, and the schema and docs served locally."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


def _codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_commune_officer_gets_only_their_commune_from_the_api(client, users):
    client.force_login(users.commune_officer)
    assert _codes(client.get(reverse("api:unit_list"))) == {"23500", "23500-01"}
    assert _codes(client.get(reverse("api:unit_list"), {"level": "commune"})) == {"23500"}
    assert _codes(client.get(reverse("api:unit_list"), {"q": "dak"})) == set()
    assert client.get(reverse("api:unit_detail", args=["23500"])).status_code == 200


def test_a_unit_outside_the_scope_looks_missing(client, users):
    client.force_login(users.commune_officer)
    forbidden = client.get(reverse("api:unit_detail", args=["23488"]))
    missing = client.get(reverse("api:unit_detail", args=["99999"]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json()["errors"][0]["message"].replace("23488", "X") == missing.json()[
        "errors"
    ][0]["message"].replace("99999", "X")


def test_search_ignores_diacritics(client, users):
    client.force_login(users.province_viewer)
    assert _codes(client.get(reverse("api:unit_list"), {"q": "dak ha"})) == {"615"}
    assert _codes(client.get(reverse("api:unit_list"), {"q": "ĐĂK MAR"})) == {"23488"}


def test_children_of_a_unit(client, users):
    client.force_login(users.district_officer)
    response = client.get(reverse("api:unit_list"), {"parent": "615"})
    assert _codes(response) == {"23500", "23488"}
    assert _codes(client.get(reverse("api:unit_list"), {"parent": "610"})) == set()


def test_anonymous_and_unscoped_users_are_refused(client, users):
    assert client.get(reverse("api:unit_list")).status_code == 403
    client.force_login(users.public_moderator)
    assert client.get(reverse("api:unit_list")).status_code == 403


def test_me_reports_role_and_jurisdiction(client, users):
    client.force_login(users.commune_officer)
    me = client.get(reverse("api:me")).json()
    assert me["role"] == "commune_officer"
    assert me["jurisdiction_code"] == "23500"


@pytest.mark.django_db
def test_schema_lists_the_unit_routes(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/units/" in schema["paths"]
    assert "/api/units/{code}/" in schema["paths"]


@pytest.mark.django_db
def test_docs_pages_use_no_cdn(client):
    # Redoc is not offered: its page pulls fonts from Google, which an intranet cannot reach.
    html = client.get(reverse("api:docs")).content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == [], external
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


@pytest.mark.django_db
def test_docs_assets_are_served_from_the_installed_package(client):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200
