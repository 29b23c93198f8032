"""Fixtures for the twinning tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Check refusals against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield
