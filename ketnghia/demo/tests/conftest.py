"""Fixtures for the demo tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash the fixture users' passwords cheaply; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages():
    """Check messages against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield
