"""Pages built from the aggregates, cached by the aggregates' data version.

A page read from the aggregates (a dashboard, the review report) is the same for everyone
with the same scope, parameters and language while the aggregates under it do not change.
So its expensive part is kept in Django's cache (Redis in production through
`KETNGHIA_CACHE_URL`, each process's local memory in the embedded default) under a key made
of the page, its parameters, the scope, the language and the **data version**
(`models.DataVersion`, bumped in the transaction of every refresh, rebuild, target or map
change). A new version makes a new key: nothing has to be deleted, and no process can serve
another's stale copy. Entries also expire after `KETNGHIA_PAGE_CACHE_SECONDS` (default 600),
which bounds what the version does not follow (a unit renamed, a program's name).

For one signed-in user the whole page can be kept too (`kept_page`): the body shared by the
scope, and the page around it (the user's name, their menu, the request's path), under a key
that adds the user and what the page shows of them. A hit then costs the session, the user's
row, the unit and the version, and no template. The page's CSRF token is never kept: a stand-in
is, and each answer gets a freshly masked token of the user's secret (as Django masks one per
response, so no two answers carry the same bytes for a compression side channel to compare).

The browser keeps its own copy: the response carries an ETag (the same parts, plus the user
and their CSRF secret, since the page around the cached part names the user and holds their
token) and `Last-Modified`, and `Cache-Control: private, no-cache` — a shared cache never
stores it, the browser stores it and revalidates each time, and gets a 304 while nothing
changed (`django.views.decorators.http.condition`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from ketnghia.core.gate import UnitScope
from ketnghia.indicators.models import DataVersion

# The header the browser may keep a signed-in page under (and revalidate every time).
PRIVATE_REVALIDATE = "private, no-cache"


@dataclass(frozen=True)
class Version:
    """The data version of a page: a token for keys and when it last changed."""

    token: str
    changed_at: datetime | None


def data_version(*, unit_path: str | None = None) -> Version:
    """Return the aggregates' version under `unit_path`'s province (every province if None)."""
    rows = DataVersion.objects.all()
    code = (unit_path or "").strip("/").split("/")[0]
    if code:
        rows = rows.filter(province__code=code)
    found = sorted(rows.values_list("province_id", "version", "changed_at"))
    if code:
        token = ":".join(f"{pk}.{version}" for pk, version, _at in found) or "0"
    else:
        token = hashlib.sha1(
            ",".join(f"{pk}.{version}" for pk, version, _at in found).encode()
        ).hexdigest()[:16]
    changed = max((at for _pk, _version, at in found), default=None)
    return Version(token=token, changed_at=changed)


def _scope_key(scope: UnitScope) -> str:
    return "*" if scope.everything else "|".join(sorted(scope.paths))


def key_for(*, page: str, scope: UnitScope, version: Version, parts: Iterable[object] = ()) -> str:
    """Return the cache key of `page` for this scope, version, language and `parts`."""
    text = "\x1f".join(
        [page, _scope_key(scope), version.token, get_language() or "", *map(str, parts)]
    )
    return f"page:{page}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached_text(key: str, build: Callable[[], str]) -> str:
    """Return the text kept under `key`, building and keeping it when missing."""
    text = cache.get(key)
    if text is None:
        text = build()
        cache.set(key, text, timeout=settings.KETNGHIA_PAGE_CACHE_SECONDS)
    return text


# What stands for the request's CSRF token in a page kept whole: letters and dashes, which no
# escaping changes. Each answer gets the request's own token in its place.
CSRF_STAND_IN = "csrf-token-of-this-request-kept-out-of-the-cache"


def user_page_key(
    request: HttpRequest, *, page: str, version: Version, parts: Iterable[object] = ()
) -> str:
    """Return the key of `page` kept whole for this user: `key_for`'s parts, the full path and
    what the page around the body shows of the user (name, role, menu)."""
    user = request.user
    shown = [
        user.pk,
        user.get_username(),
        getattr(user, "get_full_name", lambda: "")(),
        getattr(user, "role", ""),
        user.is_staff,
        user.is_superuser,
    ]
    return key_for(
        page=f"{page}:user",
        scope=getattr(request, "scope", UnitScope()),
        version=version,
        parts=[request.get_full_path(), *shown, *parts],
    )


def kept_page(request: HttpRequest, key: str, build: Callable[[str], HttpResponse]) -> HttpResponse:
    """Return the page kept under `key`, rendering it with `build(csrf_token)` and keeping it
    when missing; the answer carries the request's own CSRF token either way.

    A request with messages waiting renders the page (they are shown once) and keeps nothing.
    """
    if len(get_messages(request)):  # counted without being marked as shown
        return build(get_token(request))
    text = cache.get(key)
    if text is None:
        response = build(CSRF_STAND_IN)
        text = response.content.decode(response.charset)
        if response.status_code != 200:
            response.content = text.replace(CSRF_STAND_IN, get_token(request))
            return response
        cache.set(key, text, timeout=settings.KETNGHIA_PAGE_CACHE_SECONDS)
    return HttpResponse(text.replace(CSRF_STAND_IN, get_token(request)))


def _query(request: HttpRequest) -> str:
    return "&".join(f"{k}={v}" for k, values in sorted(request.GET.lists()) for v in values)


def _etag(request: HttpRequest, page: str, version: Version) -> str:
    get_token(request)  # the CSRF secret the page will carry, made now if it is new
    csrf = request.META.get("CSRF_COOKIE", "") or ""
    text = "\x1f".join(
        [
            page,
            request.path,
            _query(request),
            _scope_key(getattr(request, "scope", UnitScope())),
            str(getattr(request.user, "pk", "")),
            hashlib.sha256(csrf.encode()).hexdigest(),
            get_language() or "",
            version.token,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def revalidated(
    page: str, unit_path: Callable[..., str | None] = lambda request, *a, **k: None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view (inside the gate's decorator) so it answers 304 while the data version,
    scope, user, parameters and language are the browser's, and is kept privately only.

    `unit_path(request, *args, **kwargs)` names the unit whose province's version counts
    (None: every province's, e.g. a program-wide report); a unit the user may not reach
    gives None from it too, and the view then answers as it would (its 404).
    """

    def version_of(request: HttpRequest, *args: Any, **kwargs: Any) -> Version:
        cached = getattr(request, "data_version", None)
        if cached is None:
            cached = data_version(unit_path=unit_path(request, *args, **kwargs))
            request.data_version = cached  # type: ignore[attr-defined]
        return cached

    def etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
        return _etag(request, page, version_of(request, *args, **kwargs))

    def last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime | None:
        return version_of(request, *args, **kwargs).changed_at

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304):
                response.revalidate_privately = True  # type: ignore[attr-defined]
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
            else:
                response.headers.pop("ETag", None)
                response.headers.pop("Last-Modified", None)
            return response

        return wrapped

    return decorator
