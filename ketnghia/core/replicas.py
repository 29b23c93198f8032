"""Read replicas: the read-only pages read from a streaming replica, everything else from
the primary.

With `DATABASE_REPLICA_URL` set, settings add the database alias `replica` and
`ReplicaRouter`. A GET or HEAD request to a route listed in `READ_ONLY_ROUTES` (dashboards,
the review report and its files, coverage and exports) reads from the replica; every write,
every other page and anything inside a transaction uses the primary (`default`).

Read-your-writes: any other request (POST, PUT, PATCH, DELETE) sets the cookie
`WROTE_COOKIE` with its time; for `KETNGHIA_REPLICA_READ_YOUR_WRITES` seconds after it,
that browser reads every page from the primary, so a user never misses what they have just
saved.

A replica that does not answer, or lags more than `KETNGHIA_REPLICA_MAX_LAG` seconds behind
the primary, is skipped with a warning in the log (checked at most every
`KETNGHIA_REPLICA_CHECK_SECONDS` per process); the page is then read from the primary.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
WROTE_COOKIE = "ketnghia_wrote"

# The pages that only read, by URL name ("namespace:name"): one place, checked by a test
# (every name must resolve). Only their GET and HEAD requests go to the replica.
READ_ONLY_ROUTES = frozenset(
    {
        # dashboards
        "dashboards:mine",
        "dashboards:twinning",
        "dashboards:maps",
        "dashboards:unit",
        "dashboards:behind",
        # the review report and its files (saving it is a POST: primary)
        "reports:review",
        "reports:review_json",
        "reports:review_xlsx",
        "reports:review_docx",
        # coverage of the twinning network, and exports
        "twinning:overview",
        "twinning:coverage_export",
        "criteria:overview",
        "criteria:commune_export",
    }
)

_SAFE_METHODS = frozenset({"GET", "HEAD"})

# Whether this request (or block) may read from the replica; primary by default.
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ketnghia_replica_reads", default=False
)

# Per process: when the replica was last checked and whether it was usable.
_health: dict[str, Any] = {"checked": None, "usable": False}

_LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
    END
"""


def configured() -> bool:
    """Return whether a replica is configured (and reads may go to it at all)."""
    return REPLICA in settings.DATABASES and getattr(settings, "KETNGHIA_REPLICA_READS", True)


def max_lag() -> float:
    return float(getattr(settings, "KETNGHIA_REPLICA_MAX_LAG", 30))


def read_your_writes_seconds() -> int:
    return int(getattr(settings, "KETNGHIA_REPLICA_READ_YOUR_WRITES", 15))


def forget_health() -> None:
    """Check the replica again on the next read (tests, or after a failover)."""
    _health["checked"] = None


def replica_lag() -> float:
    """Return how many seconds the replica's replay is behind (0 when caught up)."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(_LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_usable() -> bool:
    """Return whether the replica answers and is recent enough; log why when it is not."""
    now = time.monotonic()
    every = float(getattr(settings, "KETNGHIA_REPLICA_CHECK_SECONDS", 5))
    checked = _health["checked"]
    if checked is not None and now - checked < every:
        return bool(_health["usable"])
    try:
        lag = replica_lag()
    except DatabaseError as error:
        logger.warning("Read replica unavailable, reading from the primary: %s", error)
        connections[REPLICA].close()
        usable = False
    else:
        usable = lag <= max_lag()
        if not usable:
            logger.warning(
                "Read replica %.1f s behind (more than %.1f s), reading from the primary",
                lag,
                max_lag(),
            )
    _health.update(checked=now, usable=usable)
    return usable


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside the block go to the replica (a read-only export outside a page)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def wrote_recently(request: HttpRequest) -> bool:
    """Return whether this browser wrote within the read-your-writes window."""
    value = request.COOKIES.get(WROTE_COOKIE, "")
    try:
        wrote = float(value)
    except ValueError:
        return False
    return time.time() - wrote < read_your_writes_seconds()


def route_reads_only(request: HttpRequest) -> bool:
    """Return whether the request is a GET or HEAD of a route listed as read-only."""
    match = request.resolver_match
    return (
        request.method in _SAFE_METHODS
        and match is not None
        and match.view_name in READ_ONLY_ROUTES
    )


class ReplicaRouter:
    """Send the reads of a read-only request to the replica when it is usable."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _replica_reads.get() or not configured():
            return None
        if connections["default"].in_atomic_block:
            return None  # what a transaction reads must be what it writes beside
        return REPLICA if replica_usable() else None

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both sides

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Route a read-only page's reads to the replica; remember a browser's writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if request.method not in _SAFE_METHODS and request.method != "OPTIONS" and configured():
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=read_your_writes_seconds(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if configured() and route_reads_only(request) and not wrote_recently(request):
            _replica_reads.set(True)
