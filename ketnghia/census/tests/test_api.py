"""Census API through the gate: scoped reads, workflow writes by role, one error shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ketnghia.census import services
from ketnghia.census.models import CensusRound, RoundState
from ketnghia.census.tests.factories import (
    make_round,
    other_commune_round,
    series,
    take_to_posted,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name: str, commune: str = "23500", year: int | None = 2015, **kwargs) -> str:
    params = {"commune": commune, **kwargs}
    if year is not None:
        params["year"] = year
    return reverse(f"api:{name}", kwargs=params)


def test_rounds_of_a_commune_with_their_revisions(client, tree, users):
    rounds = series(tree, users)
    services.census_round_revise(census_round=rounds[1], actor=users.commune_officer)
    client.force_login(users.commune_officer)
    response = client.get(_url("census_round_list", year=None))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["year"], r["revision"]) for r in rows] == [
        (2014, 1),
        (2015, 1),
        (2015, 2),
        (2016, 1),
    ]
    assert rows[2]["supersedes_revision"] == 1 and rows[2]["state"] == "collected"
    assert rows[0]["state"] == "commune_approved" and rows[0]["has_minutes"] is True


def test_round_detail_has_counts_rates_and_the_next_step(client, tree, users):
    series(tree, users)
    client.force_login(users.district_officer)
    body = client.get(_url("census_round_detail", year=2014)).json()
    assert body["counts"] == {"poor": 2, "near_poor": 1, "average": 0, "not_poor": 0}
    assert body["households"] == 3
    assert body["poverty_rate"] == pytest.approx(200 / 3)
    assert body["next_step"] == {
        "target": "district_accepted",
        "allowed_for_you": True,
        "problems": [],
    }
    client.force_login(users.province_viewer)
    body = client.get(_url("census_round_detail", year=2014)).json()
    assert body["next_step"]["allowed_for_you"] is False


def test_entries_are_searched_without_diacritics(client, tree, users):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000, "B": 600_000, "D": 100_000})
    client.force_login(users.commune_officer)
    everything = client.get(_url("census_entry_list")).json()
    assert [e["household_code"] for e in everything["results"]] == ["A", "B", "D"]
    found = client.get(_url("census_entry_list"), {"q": "dinh thi"}).json()["results"]
    assert [(e["household_code"], e["status"]) for e in found] == [("D", "poor")]


def test_another_communes_census_answers_404_like_a_missing_one(client, tree, users):
    other_commune_round(tree)
    client.force_login(users.commune_officer)
    for name, kwargs in (
        ("census_round_list", {"year": None}),
        ("census_round_detail", {}),
        ("census_entry_list", {}),
    ):
        forbidden = client.get(_url(name, "23488", **kwargs))
        missing = client.get(_url(name, "99999", **kwargs))
        assert forbidden.status_code == missing.status_code == 404, name
        assert "errors" in forbidden.json()
    advance = client.post(
        _url("census_round_advance", "23488"),
        {"target": "collected"},
        content_type="application/json",
    )
    assert advance.status_code == 404
    assert CensusRound.objects.get(commune=tree.dak_mar).state == RoundState.DRAFT


def test_workflow_steps_through_the_api(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000, "B": 450_000})
    client.force_login(users.commune_officer)

    def post(name: str, data: dict, expected: int = 200, **kwargs):
        response = client.post(_url(name, **kwargs), data, content_type="application/json")
        assert response.status_code == expected, response.json()
        return response.json()

    assert post("census_round_advance", {"target": "collected"})["state"] == "collected"
    meeting = client.post(
        _url("census_round_meeting"),
        {
            "meeting_date": "01/10/2015",
            "participants": 20,
            "agreeing": 12,
            "minutes": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4"),
        },
    )
    assert meeting.status_code == 200, meeting.json()
    assert meeting.json()["has_minutes"] is True
    post("census_round_advance", {"target": "village_meeting"})
    post("census_round_posting", {"start": "2015-10-02", "end": "2015-10-09"})
    post("census_round_advance", {"target": "posted"})
    complaint = post(
        "census_complaint_record",
        {"received_on": "2015-10-03", "household_code": "B", "text": "Xin xem lại"},
        201,
    )
    assert complaint["household_code"] == "B"
    blocked = client.post(
        _url("census_round_advance"),
        {"target": "commune_approved"},
        content_type="application/json",
    )
    assert blocked.status_code == 400
    assert blocked.json()["errors"][0]["field"] == "state"
    post(
        "census_complaint_resolve",
        {"resolved_on": "2015-10-05", "resolution": "Đã xem lại"},
        pk=complaint["id"],
    )
    entry = post(
        "census_entry_override", {"household_code": "B", "status": "poor", "reason": "Ốm đau"}
    )
    assert (entry["status"], entry["computed_status"], entry["overridden"]) == (
        "poor",
        "near_poor",
        True,
    )
    approved = post("census_round_advance", {"target": "commune_approved"})
    assert approved["state"] == "commune_approved"
    revision = post("census_round_revise", {}, 201)
    assert (revision["revision"], revision["state"], revision["supersedes_revision"]) == (
        2,
        "collected",
        1,
    )
    census_round.refresh_from_db()
    assert census_round.state == RoundState.COMMUNE_APPROVED


def test_district_officer_can_accept_but_not_approve(client, tree, users):
    census_round = take_to_posted(
        make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000}), users.commune_officer
    )
    client.force_login(users.district_officer)
    refused = client.post(
        _url("census_round_advance"),
        {"target": "commune_approved"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    census_round.refresh_from_db()
    assert census_round.state == RoundState.POSTED

    client.force_login(users.commune_officer)
    client.post(
        _url("census_round_advance"),
        {"target": "commune_approved"},
        content_type="application/json",
    )
    client.force_login(users.district_officer)
    accepted = client.post(
        _url("census_round_advance"),
        {"target": "district_accepted"},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "district_accepted"


def test_province_viewer_cannot_act(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    client.force_login(users.province_viewer)
    assert client.get(_url("census_round_detail")).status_code == 200
    for name, data in (
        ("census_round_advance", {"target": "collected"}),
        ("census_entry_override", {"household_code": "A", "status": "not_poor", "reason": "x"}),
        ("census_round_posting", {"start": "2015-10-02", "end": "2015-10-09"}),
    ):
        response = client.post(_url(name), data, content_type="application/json")
        assert response.status_code == 403, name
    census_round.refresh_from_db()
    assert census_round.state == RoundState.DRAFT
    assert census_round.entries.get().status == "poor"


def test_bad_input_is_listed_in_the_errors_shape_and_writes_nothing(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    client.force_login(users.commune_officer)
    response = client.post(
        _url("census_entry_override"),
        {"household_code": "A", "status": "rich", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = sorted(p["field"] for p in response.json()["errors"])
    assert fields == ["reason", "status"]
    unknown = client.post(
        _url("census_entry_override"),
        {"household_code": "ZZ", "status": "not_poor", "reason": "Có việc làm"},
        content_type="application/json",
    )
    assert unknown.status_code == 404
    dates = client.post(
        _url("census_round_posting"),
        {"start": "2015-10-09", "end": "2015-10-02"},
        content_type="application/json",
    )
    assert dates.status_code == 400 and dates.json()["errors"][0]["field"] == "end"
    assert client.get(_url("census_round_detail"), {"revision": "x"}).status_code == 400
    census_round.refresh_from_db()
    assert census_round.posting_start is None
    assert census_round.entries.get().status == "poor"


def test_anonymous_callers_are_refused(client, tree):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    assert client.get(_url("census_round_detail")).status_code == 403
    assert client.post(_url("census_round_advance"), {"target": "collected"}).status_code == 403


@pytest.mark.django_db
def test_the_schema_lists_the_census_and_household_routes(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for route in (
        "/api/census/{commune}/rounds/",
        "/api/census/{commune}/{year}/",
        "/api/census/{commune}/{year}/entries/",
        "/api/census/{commune}/{year}/advance/",
        "/api/census/{commune}/{year}/meeting/",
        "/api/census/{commune}/{year}/posting/",
        "/api/census/{commune}/{year}/complaints/",
        "/api/census/{commune}/{year}/override/",
        "/api/census/{commune}/{year}/revise/",
        "/api/households/{commune}/{code}/",
    ):
        assert route in paths, route
    assert "post" in paths["/api/census/{commune}/{year}/advance/"]
