"""The dashboard cached by data version: a refresh shows the new figure at once, no scope gets a
page cached for another, and a browser holding the page gets a 304."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketnghia.census.models import RoundSummary
from ketnghia.indicators.cache import data_version
from ketnghia.indicators.services import aggregates_refresh

URL = "/dashboards/units/62/?program=nq04&year=2015"
DISTRICT_URL = "/dashboards/units/615/?program=nq04&year=2015"


def _poverty(html: str) -> str:
    match = re.search(r'data-testid="value-poverty_rate">([^<]*)<', html)
    assert match
    return match.group(1).strip()


def test_a_refresh_changes_the_version_and_the_next_page_shows_the_new_figure(
    client, users, program_data, tree
):
    client.force_login(users.province_viewer)
    first = client.get(URL)
    assert _poverty(first.content.decode()) == "26,7\xa0%"  # 8 poor of 30 households
    assert _poverty(client.get(URL).content.decode()) == "26,7\xa0%"  # from the cache
    before = data_version(unit_path=tree.ngok_wang.path)
    # Đăk Mar (615) 2015: its round's summary says 5 more poor households (as a re-import
    # would), and the refresh the write path runs.
    summary = RoundSummary.objects.get(round__commune=tree.ngok_wang, round__year=2015)
    RoundSummary.objects.filter(pk=summary.pk).update(poor=summary.poor + 5)
    aggregates_refresh(commune_ids=[tree.ngok_wang.pk], years=[2015])
    after = data_version(unit_path=tree.ngok_wang.path)
    assert after.token != before.token
    assert after.changed_at >= before.changed_at
    assert _poverty(client.get(URL).content.decode()) == "43,3\xa0%"  # 13 of 30


def test_a_district_user_never_gets_the_page_cached_for_the_province(client, users, program_data):
    client.force_login(users.province_viewer)
    wide = client.get(DISTRICT_URL).content.decode()
    # The province viewer's breadcrumb reaches the province…
    assert 'href="/dashboards/units/62/?' in wide
    client.force_login(users.district_officer)
    narrow = client.get(DISTRICT_URL).content.decode()
    # …the district officer's, at the same URL and version, does not.
    assert 'data-unit="615"' in narrow
    assert 'href="/dashboards/units/62/?' not in narrow
    assert client.get(URL).status_code == 404  # nor the province's page itself


def test_a_browser_holding_the_page_gets_a_304_until_the_data_changes(
    client, users, program_data, tree
):
    client.force_login(users.province_viewer)
    first = client.get(URL)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Last-Modified"]
    control = {part.strip() for part in first["Cache-Control"].split(",")}
    # Kept by the browser only, and revalidated every time; never by a shared cache.
    assert control == {"private", "no-cache"}
    assert "Cookie" in first["Vary"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    # Another year is another page.
    other = client.get(URL.replace("2015", "2014"), HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200
    # Another user holding the same copy gets the page (their name is on it).
    client.force_login(users.province_admin)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200
    client.force_login(users.province_viewer)
    etag = client.get(URL)["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    aggregates_refresh(commune_ids=[tree.ngok_wang.pk], years=[2015])
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    # Outside the scope: a 404 with no validator to hold on to.
    client.force_login(users.district_officer)
    refused = client.get(URL)
    assert refused.status_code == 404 and "ETag" not in refused


def test_other_pages_of_a_signed_in_user_stay_no_store(client, users, program_data):
    client.force_login(users.province_viewer)
    response = client.get("/dashboards/units/62/behind/?program=nq04&year=2015&figure=poverty_rate")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_the_cached_province_dashboard_reads_only_its_keys(client, users, program_data):
    client.force_login(users.province_viewer)
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    # The session, the user, the programs in scope, the program, the unit, the version.
    assert len(captured.captured_queries) <= 7, "\n".join(
        q["sql"] for q in captured.captured_queries
    )
