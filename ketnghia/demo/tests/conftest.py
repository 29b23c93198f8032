"""Fixtures for the demo tests."""

from __future__ import annotations

import json

import pytest
import vietnam_provinces
from django.db import connection, transaction
from django.utils import translation

from ketnghia.demo.generator import CommuneInfo, DemoReport, demo_load
from ketnghia.geo.models import UnitLevel
from ketnghia.geo.services import kind_from_name, national_code


@pytest.fixture(autouse=True)
def _english_messages():
    """Check messages against their English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker) -> DemoReport:
    """Load the whole demo once for the test session, and roll it back at its end.

    A full load writes some 900,000 rows; loading it once and letting each test run in a
    savepoint inside that transaction keeps the tests independent and the suite quick. The
    tests that use it run last (`pytest_collection_modifyitems` in `ketnghia/conftest.py`),
    so no other test sees the demo's rows.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        report = demo_load()
        # Check the deferred foreign keys of the load now, once: each test's teardown checks
        # constraints inside its savepoint, which would otherwise check them all again.
        connection.check_constraints()
        yield report
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def kon_tum() -> list[CommuneInfo]:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        (province,) = [p for p in json.load(handle) if p["code"] == 62]
    return [
        CommuneInfo(
            code=national_code(UnitLevel.COMMUNE, ward["code"]),
            name=ward["name"],
            kind=kind_from_name(UnitLevel.COMMUNE, ward["name"]),
            district_code=national_code(UnitLevel.DISTRICT, district["code"]),
        )
        for district in province["districts"]
        for ward in district["wards"]
    ]
