"""The dashboard cached by data version: a refresh shows the new figure at once, no scope gets a
page cached for another, and a browser holding the page gets a 304."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from ketnghia.accounts.models import User
from ketnghia.census.models import RoundSummary
from ketnghia.indicators.cache import CSRF_STAND_IN, data_version
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


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_a_repeat_of_the_dashboard_reads_only_the_user_the_unit_and_its_version(
    client, users, program_data
):
    # Sessions in the cache, as in production with Redis (settings: `cached_db`).
    client.force_login(users.province_viewer)
    first = client.get(URL)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL)
    assert again.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    # The user with their jurisdiction (still active? the same password? their scope), the unit
    # inside that scope and its province's data version: no program, figure or template.
    assert len(sql) == 3, "\n".join(sql)
    assert "accounts_user" in sql[0] and "geo_unit" in sql[1]
    assert "indicators_dataversion" in sql[2]
    # The whole page, with a token of its own: the same page, never the same bytes.
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode())
        for r in (first, again)
    ]
    assert tokens[0] and tokens[1] and tokens[0][0] != tokens[1][0]
    assert CSRF_STAND_IN not in again.content.decode()
    assert _poverty(again.content.decode()) == _poverty(first.content.decode())
    # Signing out ends it, and a deactivated user is not answered from the cache either.
    client.post("/accounts/logout/")
    assert client.get(URL).status_code == 302
    client.force_login(users.province_viewer)
    assert client.get(URL).status_code == 200
    User.objects.filter(pk=users.province_viewer.pk).update(is_active=False)
    assert client.get(URL).status_code == 302


def test_the_page_kept_for_one_user_is_never_another_users(client, users, program_data):
    client.force_login(users.province_viewer)
    viewer = client.get(DISTRICT_URL).content.decode()
    assert (users.province_viewer.get_full_name() or users.province_viewer.username) in viewer
    client.force_login(users.district_officer)
    officer = client.get(DISTRICT_URL).content.decode()
    name = users.district_officer.get_full_name() or users.district_officer.username
    assert name in officer
    assert 'href="/dashboards/units/62/?' not in officer


def test_waiting_messages_are_shown_once_and_the_page_kept_without_them(
    client, users, program_data
):
    client.force_login(users.province_viewer)
    client.get(URL)  # the page kept for the user
    # A message left by the page before (in its cookie, as Django's messages keep it).
    storage = CookieStorage(HttpRequest())
    storage.add(messages.SUCCESS, "Đã lưu thử")
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    shown = client.get(URL).content.decode()
    assert "Đã lưu thử" in shown
    assert "Đã lưu thử" not in client.get(URL).content.decode()
