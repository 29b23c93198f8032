"""No write route answers 5xx to bad input (design rule 6).

The routes are discovered from the URLconf (`gate.iter_routes`), so a route added later is
posted too: every route of the project (the admin's add and change forms in a test of their own), with
an empty body, with out-of-range values for every field name the forms use, on a round in each
state that refuses most steps (a fresh draft, an approved one) and on a round that does not
exist. Each is posted as users the route's rule lets in (a province administrator, who may
edit every unit of the province, and the commune's officer, who takes most census steps),
through the page and, for the API, as JSON.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import get_resolver

from ketnghia.census import services
from ketnghia.census.tests.factories import approve, census_job, make_round
from ketnghia.core import gate
from ketnghia.core.admin_site import admin_site

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")

# Out of range, of the wrong type or naming nothing, for every field name the write forms use.
OUT_OF_RANGE = {
    "year": "99999",
    "standard": "no-such-standard",
    "target": "no-such-step",
    "meeting_date": "2099-02-30",
    "participants": "-5",
    "agreeing": str(10**12),
    "minutes": "not a file",
    "start": "3000-01-01",
    "end": "1900-01-01",
    "received_on": "yesterday",
    "text": "x" * 20_000,
    "household_code": "NO-SUCH-HOUSEHOLD",
    "resolution": "",
    "resolved_on": "2000-13-01",
    "status": "very_poor",
    "reason": "",
    "file": "not a file",
    "dry_run": "maybe",
    "language": "xx",
    "next": "https://example.invalid/",
    "code": "../../",
    "parent": "-1",
    "q": "%00",
}


def _routes() -> list[str]:
    return sorted(
        {
            route
            for route, _callback, namespaces in gate.iter_routes(get_resolver().url_patterns)
            if "admin" not in namespaces
        }
    )


def _url(route: str, values: dict[str, object]) -> str:
    path = _PARAMETER.sub(lambda match: str(values[match.group(1)]), route)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def rounds(tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = users.commune_officer
    draft = make_round(tree.ngok_wang, 2024, "vn-2022", {"A": 900_000}, village=tree.village_a)
    approved = approve(
        make_round(tree.ngok_wang, 2023, "vn-2022", {"B": 900_000}, village=tree.village_a),
        officer,
    )
    complaint = services.complaint_record(
        census_round=draft, received_on=date(2024, 10, 3), text="Khiếu nại", actor=officer
    )
    job = census_job(draft, file_name="x.csv", created_by=officer)
    return {"draft": draft, "approved": approved, "complaint": complaint, "job": job}


def test_the_route_walk_finds_the_write_routes():
    routes = _routes()
    for expected in (
        "census/<str:commune>/<int:year>/revise/",
        "census/<str:commune>/<int:year>/meeting/",
        "api/census/<str:commune>/<int:year>/advance/",
        "accounts/logout/",
    ):
        assert expected in routes


@pytest.mark.parametrize("who", ["province_admin", "commune_officer"])
def test_no_route_answers_5xx_to_empty_wrong_state_or_out_of_range_posts(
    client, tree, users, rounds, who
):
    user = getattr(users, who)
    client.raise_request_exception = False
    client.force_login(user)
    failures = []
    cases = [
        ("draft", rounds["draft"].year),
        ("approved", rounds["approved"].year),
        ("missing round", 1999),
    ]
    for route in _routes():
        for state, year in cases:
            values = {
                "commune": tree.ngok_wang.code,
                "year": year,
                "pk": rounds["complaint"].pk,
                "job": rounds["job"].pk,
                "code": "A" if "households/" in route else tree.ngok_wang.code,
                "key": "00000000-0000-4000-8000-000000000000",
                "village": tree.village_a.code,
                "level": "village",
                "district": tree.dak_ha.code,
                "slug": "census",
                # The public portal's routes (ketnghia.portal).
                "program": "nq04",
                "token": "not-a-signed-token",
                "action": "publish",
            }
            url = _url(route, values)
            for label, data in (("empty", {}), ("out of range", OUT_OF_RANGE)):
                response = client.post(url, data)
                if response.status_code >= 500:
                    failures.append((url, state, label, response.status_code))
                if route.startswith("api/"):
                    response = client.post(url, data, content_type="application/json")
                    if response.status_code >= 500:
                        failures.append((url, state, f"{label} (JSON)", response.status_code))
        # Signing out is one of the routes: sign in again for the next one.
        client.force_login(user)
    assert failures == []


def test_no_admin_form_answers_5xx_to_empty_or_out_of_range_posts(client, tree, users, rounds):
    client.raise_request_exception = False
    client.force_login(users.province_admin)
    garbage = {
        **OUT_OF_RANGE,
        "parent": str(10**9),
        "jurisdiction": "x",
        "organisation": "-1",
        "commune": "0",
        "province": "1e9",
        "unit": "",
        "level": "galaxy",
        "kind": "?",
        "valid_from": "2020-02-31",
        "share": "7",
        "start_year": "99999",
        "end_year": "-1",
        "start_date": "0000-00-00",
        "password1": "a",
        "password2": "b",
        "is_superuser": "on",
    }
    failures = []
    posted = 0
    for model, model_admin in admin_site._registry.items():
        opts = model._meta
        urls = [f"/admin/{opts.app_label}/{opts.model_name}/add/"]
        first = model_admin.get_queryset(_request_for(users.province_admin)).first()
        if first is not None:
            urls.append(f"/admin/{opts.app_label}/{opts.model_name}/{first.pk}/change/")
        for url in urls:
            for data in ({}, garbage):
                response = client.post(url, data)
                posted += 1
                if response.status_code >= 500:
                    failures.append((url, response.status_code))
    assert posted >= 20
    assert failures == []


def _request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request
