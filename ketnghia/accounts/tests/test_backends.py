"""The sign-in backend: a session keeps working across the change of backend."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY

pytestmark = pytest.mark.django_db

DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_a_session_signed_in_with_djangos_backend_stays_signed_in(client, users):
    """Sessions made before `UserWithJurisdictionBackend` name Django's backend: after the
    deploy their users are still signed in, not sent back to the sign-in page."""
    client.force_login(users.province_viewer, backend=DJANGO_BACKEND)
    assert client.session[BACKEND_SESSION_KEY] == DJANGO_BACKEND
    response = client.get("/units/")
    assert response.status_code == 200


def test_a_new_sign_in_uses_the_backend_reading_the_jurisdiction(client, users):
    client.force_login(users.province_viewer)
    assert client.session[BACKEND_SESSION_KEY].endswith("UserWithJurisdictionBackend")
