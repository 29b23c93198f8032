"""The portal's settings: `KETNGHIA_PORTAL` in settings, merged over these defaults.

Read at call time (never at import), so tests can override one key with `override_settings`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # WordPress's "Comment must be manually approved".
    "manual_moderation": False,
    # Hold a comment with this many links or more (WordPress's comment_max_links, default 2).
    "max_links": 2,
    # Words that hold a comment when found in its name, email, content, address or browser.
    "moderation_keys": [],
    # Words that send a comment straight to `disallowed_action` ("spam" or "trash").
    "disallowed_keys": [],
    "disallowed_action": "spam",
    # Hold a commenter who has no earlier approved comment (same name and email).
    "first_time_hold": True,
    # The same address or email within this many seconds is a flood (429).
    "flood_seconds": 15,
    # At most `rate_limit_count` posts per address within `rate_limit_seconds` (429).
    "rate_limit_count": 5,
    "rate_limit_seconds": 600,
    "comment_max_chars": 5000,
    "name_max_chars": 100,
    "body_max_chars": 200_000,
    "image_max_bytes": 5 * 1024 * 1024,
    # How long a commenter's email and address are kept (days), as the consent box says.
    "retention_days": 730,
    # The version of the consent text the box shows (kept with every comment).
    "consent_version": "2026-01",
    # A public figure computed over fewer households (or with fewer in a cell) is not shown.
    "small_cell_min": 10,
    # Public pages are cached this many seconds (and invalidated on publish/approval).
    "cache_seconds": 300,
    # A signed rights link (list or erase one's comments) is valid this many seconds.
    "rights_link_seconds": 24 * 60 * 60,
}


def setting(name: str) -> Any:
    """Return the portal setting `name` (the project's value, else the default)."""
    configured = getattr(settings, "KETNGHIA_PORTAL", {}) or {}
    return configured.get(name, DEFAULTS[name])
