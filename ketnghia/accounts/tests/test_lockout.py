"""Repeated failed sign-ins lock the account for a while, even with the right password."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

PASSWORD = "Kh0ng-d0an-duoc"


def _sign_in(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_works_with_the_right_password(client, users):
    response = _sign_in(client, "commune23500", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("api:me")).json()["username"] == "commune23500"


def test_account_is_locked_after_repeated_failures(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, "commune23500", "wrong-password")
    assert response.status_code in {403, 429}
    locked = _sign_in(client, "commune23500", PASSWORD)
    assert locked.status_code in {403, 429}
    assert "_auth_user_id" not in client.session
    # Other accounts are not affected by one account's lockout.
    assert _sign_in(client, "district615", PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "commune23500", "wrong-password")
    assert _sign_in(client, "commune23500", PASSWORD).status_code == 302
