"""One log line per refused request, and the project's own error pages while DEBUG is on.

Django logs a 403 raised as `PermissionDenied` (every `GateRefused`) with its whole traceback:
seventeen lines for an ordinary refusal, 140 of them in one crawl of the site, burying the
lines that matter. A refusal is not a fault: one line saying who, where and why is enough.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults

# What Django's technical (DEBUG) 404 page says of itself; no page of ours says it.
_TECHNICAL_404_MARK = b"<code>DEBUG = True</code>"


def refusal_line(request: HttpRequest | None, reason: str) -> tuple[str, tuple[object, ...]]:
    """Return the log message and its arguments for a refused `request`."""
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    match = getattr(request, "resolver_match", None)
    route = (match.route or match.view_name) if match is not None else ""
    path = request.path if request is not None else ""
    return (
        "Refused: user=%s route=%s path=%s reason=%s",
        (who, route or "-", path, reason or "-"),
    )


class OneLineRefusals(logging.Filter):
    """Turn django.request's 403 records (traceback included) into one line: user, route, reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if isinstance(exception, PermissionDenied) or getattr(record, "status_code", None) == 403:
            reason = str(exception) if exception is not None else record.getMessage()
            if exception is not None and not reason:
                reason = type(exception).__name__
            record.msg, record.args = refusal_line(getattr(record, "request", None), reason)
            record.exc_info = None
            record.exc_text = None
        return True


class ErrorPagesMiddleware:
    """With DEBUG on (the local profile), answer 404 with the project's page, not Django's.

    Without DEBUG Django already renders `404.html` and `403.html`; 403 is rendered from
    `403.html` even with DEBUG on. Only the technical 404 page needs replacing: the one a view
    raises (`process_exception`) and the one the URL resolver produces (seen here as a
    response).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not response.streaming
            and _TECHNICAL_404_MARK in response.content
        ):
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        return None
