"""A 2015 figure of the demo under the communes after the 2025 reform: selector, page, CLI."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ketnghia.census.models import CensusEntry
from ketnghia.core.formatting import format_percent
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.demo.generator import demo_users
from ketnghia.geo.models import Succession, Unit
from ketnghia.programs.models import Program
from ketnghia.reform.selectors import reform_figures

URL = reverse("reform:figures")
PARAMS = {"program": "nq04", "indicator": "poverty_rate", "year": 2015}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def users(demo, db):
    return {u.username: u for u in demo_users()}


@pytest.fixture
def figures(demo, db):
    return reform_figures(
        scope=EVERYTHING, program=Program.objects.get(code="nq04"), code="poverty_rate", year=2015
    )


def _direct(codes: list[str]) -> tuple[int, int]:
    """Poor households and households of the 2015 rounds of `codes`, counted on the entries."""
    counts = CensusEntry.objects.filter(round__year=2015, round__commune__code__in=codes).aggregate(
        households=Count("pk"), poor=Count("pk", filter=Q(status="poor"))
    )
    return counts["poor"], counts["households"]


def test_demo_mapping_is_loaded(demo, db):
    assert demo.reform is not None
    assert (demo.reform.old_communes, demo.reform.new_communes) == (102, 40)
    assert Succession.objects.filter(old_unit__level="commune").count() == 102
    assert not Unit.objects.filter(
        path__startswith="/62/", level="commune", valid_to__isnull=True
    ).exists()


def test_a_merged_commune_equals_the_direct_sum_over_its_old_communes(figures):
    # The new commune with the most program communes behind it.
    row = max(figures.units, key=lambda r: (len(r.parts), r.code))
    assert len(row.parts) >= 2
    olds = [part.code for part in row.parts]
    assert set(olds) <= set(
        Succession.objects.filter(new_unit__code=row.code).values_list("old_unit__code", flat=True)
    )
    poor, households = _direct(olds)
    assert (row.numerator, row.denominator) == (poor, households)
    assert row.value == pytest.approx(100 * poor / households)
    assert all(part.fraction == 1 for part in row.parts)


def test_totals_are_conserved_province_wide(figures):
    assert figures.numerator == pytest.approx(figures.old_numerator)
    assert figures.denominator == pytest.approx(figures.old_denominator)
    assert figures.value == pytest.approx(34.0, abs=0.05)  # the article's 2015 figure
    # 53 program communes, each wholly in one new commune.
    assert sum(len(r.parts) for r in figures.units) == 53
    assert all(r.code.endswith("-2025") for r in figures.units)
    # Every old program commune's own rate is the one the engine gives it.
    poor_by_commune: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, status in CensusEntry.objects.filter(round__year=2015).values_list(
        "round__commune__code", "status"
    ):
        poor_by_commune[code][1] += 1
        poor_by_commune[code][0] += status == "poor"
    for row in figures.units:
        for part in row.parts:
            assert (part.numerator, part.denominator) == tuple(poor_by_commune[part.code])


def test_the_page_shows_the_selector_figures(figures, users, client):
    client.force_login(users["demo-viewer"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    for row in figures.units:
        assert f'data-unit="{row.code}"' in html
        assert f'data-value="{row.value}"' in html
        for part in row.parts:
            assert f'data-old="{part.code}"' in html
    assert 'data-testid="reform-figures"' in html
    assert format_percent(figures.value, language="vi") in html  # 34,0 %
    assert format_percent(figures.units[0].value, language="vi") in html
    assert len(queries) < 30


def test_the_page_links_the_mapping_upload_for_a_province_administrator_only(users, client):
    client.force_login(users["demo-viewer"])
    assert 'data-testid="reform-imports"' not in client.get(URL, PARAMS).content.decode()
    admin = users["demo-admin"]
    client.force_login(admin)
    html = client.get(URL, PARAMS).content.decode()
    assert reverse("reform:import", args=[admin.jurisdiction.code]) in html


def test_the_page_costs_the_same_whatever_the_year(users, client):
    client.force_login(users["demo-viewer"])
    with CaptureQueriesContext(connection) as a:
        client.get(URL, PARAMS)
    with CaptureQueriesContext(connection) as b:
        client.get(URL, {**PARAMS, "year": 2010})
    assert len(a) == len(b)


def test_a_district_officer_sees_only_what_came_from_their_district(figures, users, client):
    officer = users["demo-district"]
    district = officer.jurisdiction
    scope = scope_for(officer, Action.VIEW)
    mine = reform_figures(
        scope=scope, program=Program.objects.get(code="nq04"), code="poverty_rate", year=2015
    )
    expected = {r.code for r in figures.units if any(p.district == district.name for p in r.parts)}
    assert {r.code for r in mine.units} == expected and expected
    assert all(p.district == district.name for r in mine.units for p in r.parts)
    client.force_login(officer)
    html = client.get(URL, PARAMS).content.decode()
    others = {r.code for r in figures.units} - expected
    assert others and not any(f'data-unit="{code}"' in html for code in others)


def test_anonymous_users_and_bad_parameters(client, users, demo):
    assert client.get(URL, PARAMS).status_code == 302  # to the login page
    client.force_login(users["demo-viewer"])
    assert client.get(URL, {**PARAMS, "indicator": "nope"}).status_code == 404
    assert client.get(URL, {**PARAMS, "program": "nope"}).status_code == 404
    assert client.get(URL, {**PARAMS, "year": "abc"}).status_code == 404
    assert (
        client.get(URL, {**PARAMS, "year": 1995}).status_code == 200
    )  # no figures: an empty table


def test_cli_json_equals_the_selector(figures, capsys):
    call_command("reform-figures", "--program", "nq04", "--year", "2015", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == pytest.approx(figures.value)
    assert data["numerator"] == figures.numerator
    assert len(data["units"]) == len(figures.units)
    first = data["units"][0]
    row = figures.units[0]
    assert (first["code"], first["numerator"], first["denominator"]) == (
        row.national_code,
        row.numerator,
        row.denominator,
    )
    assert [p["code"] for p in first["from"]] == [p.code for p in row.parts]
    call_command("reform-figures", "--year", "2015")
    out = capsys.readouterr().out
    assert "34.0%" in out and row.name in out
    with pytest.raises(CommandError):
        call_command("reform-figures", "--year", "2015", "--indicator", "nope")
