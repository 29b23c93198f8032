"""Sessions of officers end when their browser closes (and after SESSION_COOKIE_AGE anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from ketnghia.accounts.rules import Role

# Roles that often sign in on a shared office computer of the commune or district.
BROWSER_SESSION_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER})


@receiver(user_logged_in, dispatch_uid="ketnghia-officer-session-expiry")
def end_officer_sessions_with_the_browser(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Make an officer's session cookie a browser-session one (still bounded by the age)."""
    if request is not None and getattr(user, "role", "") in BROWSER_SESSION_ROLES:
        request.session.set_expiry(0)
