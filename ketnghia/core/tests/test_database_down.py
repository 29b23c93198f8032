"""The database down or restarted while pages are served: a clear 503 page, no traceback, and
the pages recover by themselves (`core.unavailable`, `CONN_HEALTH_CHECKS`).

A PostgreSQL restart is reproduced without touching the shared server: the test's own
backend is ended with `pg_terminate_backend` from a second connection (what a restart does
to every open connection), and "down" is the connection pointed at a port nobody listens on.
"""

from __future__ import annotations

import socket

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from ketnghia.core.models import Dataset
from ketnghia.core.unavailable import server_error

MESSAGE = "Hiện không kết nối được cơ sở dữ liệu"


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL backend to end (SQLite has no server)")


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _terminate_backend() -> None:
    """End this connection's server process from another connection, as a restart would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    conf = connection.get_connection_params()
    conf.pop("cursor_factory", None)
    conf.pop("context", None)
    with psycopg.connect(**conf, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the probe closes: nobody listens there


def _assert_unavailable(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"]
    text = response.content.decode()
    assert "Traceback" not in text and "OperationalError" not in text
    return text


@pytest.mark.usefixtures("transactional_db")
def test_a_connection_ended_by_a_restart_answers_503_once_then_pages_recover(users):
    _postgresql_only()
    client = _client(users.province_viewer)
    page = reverse("geo:unit_detail", args=["62"])
    assert client.get(page).status_code == 200
    _terminate_backend()
    # The request that was using the connection when the server went away.
    text = _assert_unavailable(client.get(page))
    assert MESSAGE in text and 'data-testid="error-503"' in text
    # The broken connection was dropped: the next request opens a new one.
    assert client.get(page).status_code == 200


@pytest.mark.usefixtures("transactional_db")
def test_with_persistent_connections_the_first_request_after_a_restart_is_served(users):
    _postgresql_only()
    client = _client(users.province_viewer)
    page = reverse("geo:unit_detail", args=["62"])
    connection.settings_dict["CONN_MAX_AGE"] = 600  # as KETNGHIA_CONN_MAX_AGE=600 sets it
    try:
        connection.close()
        assert client.get(page).status_code == 200
        _terminate_backend()
        close_old_connections()  # what Django does when the next request starts
        assert client.get(page).status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


@pytest.mark.usefixtures("transactional_db")
def test_a_database_that_cannot_be_reached_answers_a_translated_503(users):
    _postgresql_only()
    Dataset.objects.create(kind=Dataset.DEMO, description="")
    client = _client(users.province_viewer)
    page = reverse("geo:unit_detail", args=["62"])
    assert 'data-testid="demo-marker"' in client.get(page).content.decode()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = _closed_port()
    connection.close()
    try:
        for url in (page, reverse("core:home"), reverse("accounts:login")):
            text = _assert_unavailable(client.get(url))
            assert MESSAGE in text, url
            # The demo marker stays, remembered from the last page served.
            assert 'data-testid="demo-marker"' in text, url
        answer = client.get(reverse("api:unit_list"))
        assert answer.status_code == 503 and answer["Content-Type"] == "application/json"
        assert MESSAGE in answer.json()["errors"][0]["message"]
        english = _client()
        english.cookies["django_language"] = "en"
        assert (
            "The database cannot be reached" in english.get(reverse("core:home")).content.decode()
        )
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()
    assert client.get(page).status_code == 200


def test_sqlite_locked_is_unavailable_but_a_bug_stays_a_500(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's OperationalError carries both kinds")
    request = RequestFactory().get("/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        assert server_error(request).status_code == 503
    try:
        raise OperationalError("no such column: geo_unit.nothing")
    except OperationalError:
        assert server_error(request).status_code == 500
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
