"""The sign-in backend: Django's, reading a signed-in user with their jurisdiction at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class UserWithJurisdictionBackend(ModelBackend):
    """Django's `ModelBackend`, whose `get_user` (run on every request of a signed-in user)
    reads the jurisdiction in the same query.

    The gate asks every request for the user's scope (`core.gate.scope_for`: their
    jurisdiction's path); read apart, that was a second query on every page. The user row
    itself is still read on every request: it is what makes a deactivation or a password change
    end the user's sessions at once, on every server process.
    """

    def get_user(self, user_id: Any) -> Any:
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.select_related("jurisdiction").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
