"""Headers and sessions: no caching of pages for signed-in users, a CSP, JSON-only API,
officers' sessions ending with the browser, and `check --deploy` clean but for the proxy's part.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from ketnghia.census.tests.factories import make_round

PASSWORD = "Kh0ng-d0an-duoc"


def test_every_page_for_a_signed_in_user_is_not_stored(client, tree, users):
    make_round(tree.ngok_wang, 2024, "vn-2022", {"A": 900_000}, village=tree.village_a)
    client.force_login(users.commune_officer)
    for url in (
        reverse("census:household_detail", kwargs={"commune": "23500", "code": "A"}),
        reverse("census:round_template", kwargs={"commune": "23500", "year": 2024}),
        reverse("api:household_detail", kwargs={"commune": "23500", "code": "A"}),
        reverse("geo:unit_tree"),
        "/units/99999/",  # a 404 page too
    ):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store", url
        assert "Cookie" in response["Vary"], url
        assert "script-src 'self'" in response["Content-Security-Policy"], url


def test_public_pages_carry_the_csp_and_may_be_cached(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.KETNGHIA_CSP
    assert "unsafe-inline" not in settings.KETNGHIA_CSP.split("script-src")[1].split(";")[0]
    assert response.get("Cache-Control") != "no-store"


def test_the_browsable_api_is_off_unless_debug(client, users):
    assert not settings.DEBUG
    client.force_login(users.province_admin)
    response = client.get(reverse("api:me"), HTTP_ACCEPT="text/html")
    assert not response["Content-Type"].startswith("text/html")
    assert client.get(reverse("api:me"))["Content-Type"] == "application/json"


def _sign_in(client, username: str):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.session


def test_officers_sessions_end_with_the_browser_others_last_a_working_day(client, users):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    for username in ("commune23500", "district615"):
        session = _sign_in(client, username)
        assert session.get_expire_at_browser_close(), username
        assert session.get_expiry_age() <= 8 * 60 * 60
        client.logout()
    session = _sign_in(client, "admin62")
    assert not session.get_expire_at_browser_close()
    assert session.get_expiry_age() == 8 * 60 * 60


def test_check_deploy_is_clean_but_for_what_the_reverse_proxy_does(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KETNGHIA_", "DJANGO_")) and key not in ("DEBUG", "DATABASE_URL")
    }
    env.update(
        SECRET_KEY="x" * 20 + "a-long-random-production-key-0123456789",
        DEBUG="0",
        ALLOWED_HOSTS="ketnghia.example.org",
        KETNGHIA_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", "from ketnghia.cli import main; main()", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    found = {word.strip(":()") for word in output.split() if word.startswith("(security.")}
    assert found == {"security.W004", "security.W008"}, output
