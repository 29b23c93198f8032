"""The dashboards as each role sees them: the figures are the indicators selectors' own."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ketnghia.census.tests.factories import make_round
from ketnghia.core import formatting
from ketnghia.core.gate import Action, scope_for
from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.twinning.models import Twinning


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def _value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def _figures(user, program, year, unit=None, **options):
    return indicators.program_figures(
        scope=scope_for(user, Action.VIEW), program=program, year=year, unit=unit, **options
    )


def test_the_province_viewer_home_page_is_the_program_dashboard(client, users, program_data):
    client.force_login(users.province_viewer)
    response = client.get("/")
    assert response.status_code == 200
    html = _text(response)
    assert 'data-testid="dashboard"' in html and 'data-unit="62"' in html
    program = program_data.program
    figures = _figures(users.province_viewer, program, 2015)
    key = _figures(users.province_viewer, program, 2015, disaggregation="group:key")
    with translation.override("vi"):
        expected = {
            code: formatting.format_percent(figures[code].value)
            for code in ("poverty_rate", "near_poverty_rate", "communes_below_30")
        }
        expected_key = formatting.format_percent(key["poverty_rate"].value)
    # 8 poor of 30 households in 2015; 2 of 3 communes under 30 %; the key commune 2 of 10.
    assert figures["poverty_rate"].numerator == 8 and figures["poverty_rate"].denominator == 30
    assert expected == {
        "poverty_rate": "26,7\xa0%",
        "near_poverty_rate": "13,3\xa0%",
        "communes_below_30": "66,7\xa0%",
    }
    for code, text in expected.items():
        assert _value(html, f"value-{code}") == text
    assert _value(html, "value-poverty_rate-key") == expected_key == "20,0\xa0%"
    assert "8/30 hộ" in html and "2/3 xã" in html
    # The target of 2015 and its baseline, 2014's figure (13 of 30).
    assert "Mục tiêu 2015: <strong>35\xa0%</strong>" in html
    assert "Năm gốc 2014: 43,3\xa0%" in html
    # The year selector, the as-of time, the trend with its data, the ranking, the review link.
    assert '<option value="2014">2014</option>' in html
    assert 'data-testid="refreshed-at"' in html and "<time datetime=" in html
    assert 'id="trend-chart-data" type="application/json"' in html
    assert "/reports/review/?program=nq04&amp;baseline=2014&amp;year=2015" in html
    ranking = re.findall(r'<tr data-commune="(\d+)">', html)
    assert ranking == ["23488", "23500", "23290"]  # 50 %, 20 %, 10 %


def test_the_year_selector_shows_that_year(client, users, program_data):
    client.force_login(users.province_viewer)
    html = _text(client.get("/dashboards/units/62/?program=nq04&year=2014"))
    figures = _figures(users.province_viewer, program_data.program, 2014)
    assert figures["poverty_rate"].numerator == 13
    with translation.override("vi"):
        assert _value(html, "value-poverty_rate") == formatting.format_percent(
            figures["poverty_rate"].value
        )
    assert '<option value="2014" selected>2014</option>' in html
    # A year without data falls back to the last one.
    html = _text(client.get("/dashboards/units/62/?program=nq04&year=1990"))
    assert '<option value="2015" selected>2015</option>' in html


def test_the_in_progress_switch_shows_other_figures_marked_as_such(
    client, users, program_data, tree
):
    # A 2016 round still in draft in Ngọk Wang: not an official figure, but one in progress.
    make_round(tree.ngok_wang, 2016, "vn-2016", {"A": 500_000, "B": 2_000_000})
    aggregates_rebuild()
    client.force_login(users.province_viewer)
    official = _text(client.get("/dashboards/units/62/?program=nq04&year=2016"))
    assert 'data-testid="in-progress-marker"' not in official
    assert '<option value="2016"' not in official  # no official 2016 figure
    html = _text(client.get("/dashboards/units/62/?program=nq04&year=2016&official=0"))
    assert 'data-testid="in-progress-marker"' in html
    assert "Tạm tính" in html and 'name="official" value="0" checked' in html
    figures = _figures(users.province_viewer, program_data.program, 2016, official=False)
    assert figures["poverty_rate"].denominator == 2 and not figures["poverty_rate"].official
    with translation.override("vi"):
        assert _value(html, "value-poverty_rate") == formatting.format_percent(
            figures["poverty_rate"].value
        )
    # The links keep the switch on.
    assert "official=0" in re.search(r'data-testid="figure-poverty_rate"', html).string


def test_a_district_officer_sees_their_district_and_not_another(client, users, program_data):
    client.force_login(users.district_officer)
    response = client.get("/")
    html = _text(response)
    assert 'data-unit="615"' in html
    figures = _figures(
        users.district_officer, program_data.program, 2015, unit=users.district_officer.jurisdiction
    )
    assert figures["poverty_rate"].denominator == 20  # Ngọk Wang and Đăk Mar
    with translation.override("vi"):
        assert _value(html, "value-poverty_rate") == formatting.format_percent(
            figures["poverty_rate"].value
        )
    assert re.findall(r'<tr data-commune="(\d+)">', html) == ["23488", "23500"]
    assert client.get("/dashboards/units/610/?program=nq04").status_code == 404
    assert client.get("/dashboards/units/23290/?program=nq04").status_code == 404
    assert client.get("/dashboards/units/62/?program=nq04").status_code == 404
    assert (
        client.get(
            "/dashboards/units/610/behind/?program=nq04&year=2015&figure=poverty_rate"
        ).status_code
        == 404
    )
    assert client.get("/dashboards/units/23488/?program=nq04").status_code == 200


def test_a_commune_officer_lands_on_their_commune(client, users, program_data):
    client.force_login(users.commune_officer)
    html = _text(client.get("/"))
    assert 'data-unit="23500"' in html
    figures = _figures(
        users.commune_officer, program_data.program, 2015, unit=users.commune_officer.jurisdiction
    )
    with translation.override("vi"):
        assert (
            _value(html, "value-poverty_rate")
            == formatting.format_percent(figures["poverty_rate"].value)
            == "20,0\xa0%"
        )
    assert 'data-testid="value-communes_below_30"' not in html  # a count of communes: not here
    assert "/census/23500/2015/" in html  # the households of the round
    assert client.get("/dashboards/units/23488/?program=nq04").status_code == 404


def test_a_twinning_member_sees_their_communes_and_no_other(client, users, program_data, tree):
    client.force_login(users.twinning_member)
    response = client.get("/")
    html = _text(response)
    assert 'data-testid="twinning-dashboard"' in html
    assert re.findall(r'<section class="card h-100" data-commune="(\d+)">', html) == ["23290"]
    (figure,) = [
        f
        for f in indicators.unit_figures(
            scope=scope_for(users.twinning_member, Action.VIEW),
            program=program_data.program,
            code="poverty_rate",
            year=2015,
        )
    ]
    with translation.override("vi"):
        assert _value(html, "twinned-23290-poverty_rate") == formatting.format_percent(figure.value)
    assert 'href="/network/"' in html
    assert client.get("/dashboards/units/23290/?program=nq04").status_code == 200
    assert client.get("/dashboards/units/23500/?program=nq04").status_code == 404
    assert client.get("/dashboards/units/610/?program=nq04").status_code == 404
    # Once the twinning has ended the member reaches no unit at all: the gate refuses the route.
    Twinning.objects.filter(commune=tree.dak_choong).update(end_date=date(2008, 1, 1))
    assert client.get("/dashboards/units/23290/?program=nq04").status_code == 403


def test_the_figure_links_to_the_communes_behind_it(client, users, program_data):
    client.force_login(users.province_viewer)
    html = _text(client.get("/?year=2015"))
    link = re.search(r'href="([^"]*figure=communes_below_30)"', html).group(1).replace("&amp;", "&")
    behind = _text(client.get(link))
    rows = indicators.units_behind(
        scope=scope_for(users.province_viewer, Action.VIEW),
        program=program_data.program,
        code="communes_below_30",
        year=2015,
    )
    counted = sorted(r.unit_code for r in rows if r.numerator)
    assert counted == ["23290", "23500"]
    meeting, others = behind.split('data-testid="behind-others"')
    assert sorted(re.findall(r'<tr data-unit="(\d+)">', meeting)) == counted
    assert re.findall(r'<tr data-unit="(\d+)">', others) == ["23488"]
    assert "2/3 xã" in behind and "50,0\xa0%" in others  # Đăk Mar's own rate beside it
    # The province viewer may view every commune: each links to its households.
    assert behind.count('data-testid="households-link"') == 3
    # The key communes' figure lists the key commune only.
    key = _text(
        client.get(
            "/dashboards/units/62/behind/?program=nq04&year=2015&figure=poverty_rate&group=group:key"
        )
    )
    assert re.findall(r'<tr data-unit="(\d+)">', key) == ["23500"]
    # An unknown figure or group is a 404, not a 500.
    assert (
        client.get("/dashboards/units/62/behind/?program=nq04&year=2015&figure=nope").status_code
        == 404
    )
    assert (
        client.get(
            "/dashboards/units/62/behind/?program=nq04&year=2015&figure=poverty_rate&group=x"
        ).status_code
        == 404
    )
    assert (
        client.get("/dashboards/units/62/behind/?program=nq04&figure=poverty_rate").status_code
        == 404
    )


def test_users_without_a_dashboard_keep_the_intro_home_page(client, users, program_data):
    client.force_login(users.public_moderator)
    html = _text(client.get("/"))
    assert 'data-testid="dashboard"' not in html
    client.logout()
    assert 'data-testid="dashboard"' not in _text(client.get("/"))
    assert client.get("/dashboards/units/62/").status_code == 302  # to the sign-in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_province_dashboard_makes_a_fixed_number_of_queries_and_no_entry_read(
    client, tree, users, size, django_assert_max_num_queries
):
    if size == "small":
        data = load_program(tree, users)
    else:
        data = load_program(tree, users, extra_communes=6, extra_years=3)
    assert len(data.communes) == (3 if size == "small" else 9)
    client.force_login(users.province_viewer)
    client.get("/")  # warm the session and the definitions
    cache.clear()  # the page built afresh (it is cached by data version)
    queries = _queries(client, "/?year=2015")
    # The province's dashboard is read pre-shaped from its stored row (written by the rebuild):
    # 1 query for it, 1 for the data version, 2 for the session and the user with their unit, 3 for
    # the home's to-dos (the census year, its rounds, the program's communes missing from it),
    # 1 for the programs, 1 for the demo marker, 2 for the support card (its figures by source,
    # the funds of the year); computed afresh it took 33 (see test_rows): fixed whatever the size.
    assert len(queries) == 11, "\n".join(queries)
    # Built once for this scope and version: the session, the user with their unit, the home's
    # to-dos, the programs, the version and the demo marker.
    cached = _queries(client, "/?year=2015")
    assert len(cached) == 8, "\n".join(cached)
    for sql in queries:
        lowered = sql.lower()
        assert "census_censusentry" not in lowered and "households_household" not in lowered
    behind = _queries(
        client, "/dashboards/units/62/behind/?program=nq04&year=2015&figure=communes_below_30"
    )
    # 9 for the communes and their figures, 2 for those the figure leaves out (none here).
    assert len(behind) == 11, "\n".join(behind)
