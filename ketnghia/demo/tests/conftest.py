"""Fixtures for the demo tests."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import translation

from ketnghia.demo.generator import DemoReport, demo_load


@pytest.fixture(autouse=True)
def _english_messages():
    """Check messages against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> DemoReport:
    """Load the whole demo once for a test module, and roll it back after the module.

    A full load writes some 900,000 rows; loading it once per module and letting each test run
    in a savepoint inside that transaction keeps the tests independent and the suite quick.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        report = demo_load()
        # Check the deferred foreign keys of the load now, once: each test's teardown checks
        # constraints inside its savepoint, which would otherwise check them all again.
        connection.check_constraints()
        yield report
        transaction.set_rollback(True)
