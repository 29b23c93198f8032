"""The public pages' cache: one version number, bumped when the public side changes.

A public page's cache key and ETag carry the version, so publishing or withdrawing a
bulletin and approving (or removing) a comment make every cached public page stale at once.
Kept in Django's cache (Redis when configured, else the process's memory).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from ketnghia.portal.conf import setting

V = TypeVar("V", bound=Callable[..., HttpResponse])

VERSION_KEY = "portal:public-version"


def public_version() -> int:
    """Return the current version of the public side (1 when nothing changed yet)."""
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, None)
        value = cache.get(VERSION_KEY) or 1
    return int(value)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def public_changed() -> None:
    """Mark every cached public page stale now and again when the transaction commits (a
    reader who cached the old page in between gets the new one after the commit)."""
    _bump()
    transaction.on_commit(_bump)


def page_key(path: str, language: str) -> str:
    """Return the cache key of the public page at `path` in `language`, at this version."""
    digest = hashlib.sha256(f"{language}|{path}".encode()).hexdigest()[:32]
    return f"portal:page:{public_version()}:{digest}"


# --- Serving public pages from the cache ----------------------------------------------------

# Rendered in place of the CSRF token, so one cached page serves every reader; each response
# gets the reader's own token back in its place.
CSRF_PLACEHOLDER = "portal-csrf-placeholder-7f3a"


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
    )


def _etag(key: str, request: HttpRequest, has_token: bool) -> str:
    # A page with a form is the reader's own by its CSRF secret (the cookie it sets).
    cookie = request.META.get("CSRF_COOKIE", "") if has_token else ""
    return '"' + hashlib.sha256(f"{key}|{cookie}".encode()).hexdigest()[:32] + '"'


def _finish(request: HttpRequest, body: bytes, content_type: str, key: str) -> HttpResponse:
    has_token = CSRF_PLACEHOLDER.encode() in body
    token = get_token(request) if has_token else ""
    etag = _etag(key, request, has_token)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        if has_token:
            body = body.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    # Public (any cache may keep it) but asked again each time: the ETag makes the answer a
    # small 304, and a change (a comment approved, a comment erased) shows at once.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def public_page(view: V) -> V:
    """Serve a public GET page from the cache (ETag, public Cache-Control) for readers who
    are not signed in; the page is rendered once per version of the public side."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        language = get_language() or "vi"
        key = page_key(f"{request.get_host()}{request.get_full_path()}", language)
        stored = cache.get(key)
        if stored is None:
            request.portal_cached = True  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if hasattr(response, "render") and callable(response.render):
                response.render()
            stored = (response.content, response["Content-Type"])
            cache.set(key, stored, int(setting("cache_seconds")))
        return _finish(request, stored[0], stored[1], key)

    return wrapped  # type: ignore[return-value]


def csrf_context(request: HttpRequest) -> dict[str, str]:
    """Return the template context that renders the placeholder instead of the token on a
    page being cached (every form gets the reader's token when the page is served)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "portal_cached", False) else {}
