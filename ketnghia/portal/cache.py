"""The public pages' cache: one version number, bumped when the public side changes.

A public page's cache key and ETag carry the version, so publishing or withdrawing a
bulletin and approving (or removing) a comment make every cached public page stale at once.
Kept in Django's cache (Redis when configured, else the process's memory).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import transaction

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
    """Mark every cached public page stale once the current transaction commits."""
    transaction.on_commit(_bump)


def page_key(path: str, language: str) -> str:
    """Return the cache key of the public page at `path` in `language`, at this version."""
    digest = hashlib.sha256(f"{language}|{path}".encode()).hexdigest()[:32]
    return f"portal:page:{public_version()}:{digest}"
