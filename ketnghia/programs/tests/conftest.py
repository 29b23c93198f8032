"""Fixtures for the programs tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Check messages against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield
