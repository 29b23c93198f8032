"""Read replicas (`core.replicas`), against a real streaming replica on PostgreSQL.

CI starts one (`.ci/replica`: a standby on 127.0.0.1:5433 made with pg_basebackup -R) and
exports DATABASE_REPLICA_URL for the PostgreSQL run. The replica follows the whole primary
cluster, so it holds the test database too: the tests commit their rows on the primary
(`transaction=True`), wait until the replica has replayed them, and read through the router.
Without a replica the tests are skipped, except in CI on PostgreSQL, where a missing replica
is a failure.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, get_resolver, reverse

from ketnghia.core import replicas
from ketnghia.geo.models import Unit

# The replica alias exists only when DATABASE_REPLICA_URL is set (else the tests skip).
WITH_REPLICA = pytest.mark.django_db(
    transaction=True,
    databases=["default", replicas.REPLICA]
    if replicas.REPLICA in settings.DATABASES
    else ["default"],
)
DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_every_read_only_route_exists() -> None:
    """A renamed route would silently fall back to the primary: every listed name resolves."""
    names: set[str] = set()

    def collect(resolver, prefix: str = "") -> None:
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                namespace = pattern.namespace
                collect(pattern, f"{prefix}{namespace}:" if namespace else prefix)
            elif pattern.name:
                names.add(prefix + pattern.name)

    collect(get_resolver())
    assert names >= replicas.READ_ONLY_ROUTES, replicas.READ_ONLY_ROUTES - names


def test_writes_always_go_to_the_primary() -> None:
    router = replicas.ReplicaRouter()
    with replicas.replica_reads():
        assert router.db_for_write(Unit) == "default"
    assert router.db_for_read(Unit) is None
    assert router.allow_migrate(replicas.REPLICA, "geo") is False
    assert router.allow_migrate("default", "geo") is True


def _replica_missing(reason: str) -> None:
    if os.environ.get("CI") and connections["default"].vendor == "postgresql":
        pytest.fail(f"CI on PostgreSQL needs the read replica (.ci/replica): {reason}")
    pytest.skip(reason)


def _port(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        return int(cursor.fetchone()[0])


def _wait_replayed(timeout: float = 60) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    _wait_for_replica("pg_last_wal_replay_lsn()", timeout)


def _wait_received(timeout: float = 60) -> None:
    """Wait until the replica has received (not necessarily replayed) the primary's WAL.

    Only then can the replica tell that it lags: before the WAL arrives, what it received
    and what it replayed are the same, and it counts itself caught up.
    """
    _wait_for_replica("pg_last_wal_receive_lsn()", timeout)


def _wait_for_replica(position_sql: str, timeout: float) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        with connections[replicas.REPLICA].cursor() as cursor:
            cursor.execute(f"SELECT pg_wal_lsn_diff({position_sql}, %s) >= 0", [target])
            if cursor.fetchone()[0]:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica's {position_sql} did not reach the primary's")
        time.sleep(0.05)


@pytest.fixture
def replica(settings) -> Iterator[None]:
    """A usable streaming replica, checked fresh at every read; replay resumed afterwards."""
    if connections["default"].vendor != "postgresql":
        _replica_missing("the read replica tests need PostgreSQL")
    if replicas.REPLICA not in connections.databases:
        _replica_missing("DATABASE_REPLICA_URL is not set")
    try:
        with connections[replicas.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            in_recovery = cursor.fetchone()[0]
    except DatabaseError as error:
        _replica_missing(f"the read replica does not answer: {error}")
    if not in_recovery:
        _replica_missing("DATABASE_REPLICA_URL names a primary, not a streaming replica")
    settings.KETNGHIA_REPLICA_READS = True
    settings.KETNGHIA_REPLICA_CHECK_SECONDS = 0
    settings.KETNGHIA_REPLICA_MAX_LAG = 600
    settings.CACHES = DUMMY_CACHE  # every page below is computed, never served from a cache
    replicas.forget_health()
    try:
        yield
    finally:
        with connections[replicas.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        replicas.forget_health()


def _dashboard_url(tree) -> str:
    return reverse("dashboards:unit", args=[tree.province.code]) + "?program=nq04&year=2015"


@pytest.fixture
def program(tree, users, replica) -> None:
    """The dashboards' small program (nq04 over the tree's communes, two approved rounds)."""
    from ketnghia.dashboards.tests.conftest import load_program

    load_program(tree, users)


def _dashboard(client, tree) -> tuple[str, int]:
    """Return the province dashboard's text and how many queries the replica answered."""
    with CaptureQueriesContext(connections[replicas.REPLICA]) as on_replica:
        response = client.get(_dashboard_url(tree))
    assert response.status_code == 200
    # The router's own lag checks run on the replica too; count the page's queries only.
    page_queries = [
        query for query in on_replica.captured_queries if "pg_is_in_recovery" not in query["sql"]
    ]
    return response.content.decode(), len(page_queries)


def _rename_province(tree, name: str) -> None:
    """Rename the province on the primary (committed: the test runs outside a transaction)."""
    Unit.objects.filter(pk=tree.province.pk).update(name=name)


def _pause_replay() -> None:
    with connections[replicas.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


@WITH_REPLICA
def test_dashboard_is_answered_by_the_replica_and_writes_land_on_the_primary(
    replica, program, tree, users, client
) -> None:
    assert _port("default") != _port(replicas.REPLICA)
    client.force_login(users.province_viewer)
    _rename_province(tree, "Tỉnh Trước Khi Dừng")
    _wait_replayed()

    page, on_replica = _dashboard(client, tree)
    assert on_replica > 0
    assert "Tỉnh Trước Khi Dừng" in page

    # Replay paused: a rename committed on the primary is not on the replica yet. The page
    # still shows the old name, so the replica answered it.
    _pause_replay()
    _rename_province(tree, "Tỉnh Sau Khi Dừng")
    assert Unit.objects.using("default").get(pk=tree.province.pk).name == "Tỉnh Sau Khi Dừng"
    page, on_replica = _dashboard(client, tree)
    assert on_replica > 0
    assert "Tỉnh Trước Khi Dừng" in page and "Tỉnh Sau Khi Dừng" not in page

    # A write inside a replica-reading block still lands on the primary.
    with replicas.replica_reads():
        assert Unit.objects.get(pk=tree.province.pk).name == "Tỉnh Trước Khi Dừng"
        _rename_province(tree, "Tỉnh Ghi Vào Chính")
    assert Unit.objects.using("default").get(pk=tree.province.pk).name == "Tỉnh Ghi Vào Chính"
    with connections[replicas.REPLICA].cursor() as cursor:
        cursor.execute("SELECT name FROM geo_unit WHERE id = %s", [tree.province.pk])
        assert cursor.fetchone()[0] == "Tỉnh Trước Khi Dừng"


@WITH_REPLICA
def test_a_user_who_just_wrote_reads_from_the_primary(
    replica, program, tree, users, client, settings
):
    client.force_login(users.province_viewer)
    _rename_province(tree, "Tỉnh Cũ")
    _wait_replayed()
    _pause_replay()
    _rename_province(tree, "Tỉnh Mới")

    # Any write request (here the language switch, a POST) marks the browser.
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert response.status_code == 302
    assert replicas.WROTE_COOKIE in response.cookies
    assert response.cookies[replicas.WROTE_COOKIE]["max-age"] == 15
    page, on_replica = _dashboard(client, tree)
    assert "Tỉnh Mới" in page
    assert on_replica == 0

    # Once the window has passed, the replica answers again (still paused: the old name).
    settings.KETNGHIA_REPLICA_READ_YOUR_WRITES = 0
    page, on_replica = _dashboard(client, tree)
    assert "Tỉnh Cũ" in page and on_replica > 0

    # A GET marks nothing.
    settings.KETNGHIA_REPLICA_READ_YOUR_WRITES = 15
    client.cookies.pop(replicas.WROTE_COOKIE)
    response = client.get(_dashboard_url(tree))
    assert replicas.WROTE_COOKIE not in response.cookies


@WITH_REPLICA
def test_a_lagging_replica_is_skipped_with_a_warning(
    replica, program, tree, users, client, settings, caplog
) -> None:
    client.force_login(users.province_viewer)
    _rename_province(tree, "Tỉnh Cũ")
    _wait_replayed()
    _pause_replay()
    time.sleep(0.2)
    _rename_province(tree, "Tỉnh Mới")
    # Under load the WAL may take a moment to stream; until it has, the replica cannot
    # know it lags (and would rightly answer). The case here is a replica that has it.
    _wait_received()
    settings.KETNGHIA_REPLICA_MAX_LAG = 0.1
    with caplog.at_level(logging.WARNING, logger="ketnghia.core.replicas"):
        page, on_replica = _dashboard(client, tree)
    assert "Tỉnh Mới" in page and on_replica == 0
    assert any("behind" in record.getMessage() for record in caplog.records)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@WITH_REPLICA
def test_losing_the_replica_does_not_fail_a_page(
    replica, program, tree, users, client, caplog
) -> None:
    client.force_login(users.province_viewer)
    _rename_province(tree, "Tỉnh Vẫn Đọc Được")
    connection = connections[replicas.REPLICA]
    saved = connection.settings_dict
    connection.close()
    connection.settings_dict = {**saved, "PORT": _closed_port()}
    try:
        with caplog.at_level(logging.WARNING, logger="ketnghia.core.replicas"):
            response = client.get(_dashboard_url(tree))
    finally:
        connection.close()
        connection.settings_dict = saved
    assert response.status_code == 200
    assert "Tỉnh Vẫn Đọc Được" in response.content.decode()
    assert any("unavailable" in record.getMessage() for record in caplog.records)


def test_read_only_routes_reverse() -> None:
    """The list holds URL names, not paths: each one reverses with some arguments."""
    for name in replicas.READ_ONLY_ROUTES:
        for args in ([], ["62"]):
            try:
                reverse(name, args=args)
                break
            except NoReverseMatch:
                continue
        else:
            pytest.fail(f"{name} does not reverse")
