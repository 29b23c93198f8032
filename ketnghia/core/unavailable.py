"""The answer while the database is down: a clear 503 page, never a traceback.

`server_error` is the project's `handler500`. Django calls it for any exception a view or a
middleware let through (sessions and the user are loaded lazily, so a database that is down
fails inside the middleware as often as inside the view). When the exception says the
database cannot be reached or its connection broke (PostgreSQL restarting, a terminated
backend, SQLite's file locked or unreadable) the visitor gets a translated "try again in a
moment" page with status 503 and `Retry-After` (JSON under /api/); every other exception
gets the usual 500 page. Either way the traceback goes to the log only.

Recovery needs nothing: the broken connection is closed here, so the next request opens a
new one; persistent connections (`CONN_MAX_AGE`) are health-checked before reuse
(`CONN_HEALTH_CHECKS`, settings).
"""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 30

# SQLite raises OperationalError for bugs too ("no such column"); these say the file itself
# cannot be used right now.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
    "database table is locked",
)

# The demo marker of the last page served, for the 503 page (which cannot ask the database).
_last_known_demo = {"demo": False}


def remember_demo(demo: bool) -> None:
    """Remember whether the data set is the demo, for pages served while the database is down."""
    _last_known_demo["demo"] = demo


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` says the database is down or the connection to it broke."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    vendors = {connections[alias].vendor for alias in connections}
    if "sqlite" in vendors and "postgresql" not in vendors:
        return any(text in str(error).lower() for text in _SQLITE_UNAVAILABLE)
    return True


def _close_broken_connections() -> None:
    for alias in connections:
        conn = connections[alias]
        try:
            if conn.connection is not None and not conn.is_usable():
                conn.close()
        except DatabaseError:
            conn.connection = None  # closing a dead socket may fail too; drop it


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer: JSON for the API, a page standing alone for everything else."""
    message = _(
        "The database cannot be reached at the moment, so this page cannot be shown. "
        "Nothing was saved by this request. Please try again in a minute."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"errors": [{"message": message}]}, status=503)
    else:
        html = loader.render_to_string(
            "503.html", {"message": message, "demo_data": _last_known_demo["demo"]}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's handler500: 503 when the database is unavailable, else the 500 page."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        _close_broken_connections()
        return database_unavailable_response(request)
    return defaults.server_error(request)
