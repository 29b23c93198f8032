"""Fixtures shared by every app's tests: a small real unit tree and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from ketnghia.accounts.models import Role, User
from ketnghia.accounts.services import user_create
from ketnghia.core import derived
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.twinning.models import Organisation, OrganisationKind, Twinning


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests on the whole demo last, in their order, so that one load serves them all.

    The demo fixture (`ketnghia/demo/tests/conftest.py`) is session-scoped and keeps its rows
    in an open transaction until the session ends: every test after its set-up sees them.
    """
    on_demo = [item for item in items if "demo" in getattr(item, "fixturenames", ())]
    others = [item for item in items if "demo" not in getattr(item, "fixturenames", ())]
    items[:] = others + on_demo


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile the .po catalogues first, so plain `pytest` after a .po edit tests the new text."""
    call_command("compile-translations", verbosity=0)


@pytest.fixture(autouse=True)
def _page_cache_cleared() -> None:
    """Start every test with an empty cache: a data version restarts with each test's data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _derived_refreshed_at_emulated_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the gathered derived refreshes where a real request would commit.

    pytest-django runs a test inside a transaction that never commits, so the write's
    outermost `atomic` block is a savepoint and `transaction.on_commit` hooks never run. When
    the first block inside the test's own blocks ends without an error, the refreshes it
    gathered (`core.derived`) run as its commit would run them; everything else (other
    `on_commit` hooks, savepoints rolled back) behaves as before. Tests marked
    `transaction=True` commit for real and need none of this.
    """
    original = transaction.Atomic.__exit__

    def __exit__(self: transaction.Atomic, exc_type, exc_value, traceback):
        connection = transaction.get_connection(self.using)
        blocks = connection.atomic_blocks
        # The block right inside the test's own (the demo's session block may lie below).
        committing = (
            len(blocks) >= 2 and not blocks[-1]._from_testcase and blocks[-2]._from_testcase
        )
        result = original(self, exc_type, exc_value, traceback)
        if committing and exc_type is None:
            derived.run_as_committed(self.using or "default")
        return result

    monkeypatch.setattr(transaction.Atomic, "__exit__", __exit__)


@pytest.fixture(autouse=True)
def _reads_from_primary(request: pytest.FixtureRequest) -> None:
    """Read from the primary only when a read replica is configured (CI on PostgreSQL).

    A test's rows are never committed, so a replica never sees them; the replica tests
    (`core/tests/test_replicas.py`) commit for real and turn replica reads back on.
    """
    from django.conf import settings

    if "replica" in settings.DATABASES:
        request.getfixturevalue("settings").KETNGHIA_REPLICA_READS = False


def make_unit(code: str, name: str, level: str, kind: str, parent: Unit | None = None) -> Unit:
    unit = Unit(code=code, name=name, level=level, kind=kind, parent=parent)
    unit.save()
    return unit


@dataclass
class Tree:
    """Kon Tum (62) with two districts, three communes and a few villages (real codes)."""

    province: Unit
    dak_ha: Unit
    dak_glei: Unit
    ngok_wang: Unit
    dak_mar: Unit
    dak_choong: Unit
    village_a: Unit
    village_b: Unit
    village_c: Unit


@pytest.fixture
def tree(db) -> Tree:
    p = make_unit("62", "Tỉnh Kon Tum", UnitLevel.PROVINCE, UnitKind.TINH)
    dak_ha = make_unit("615", "Huyện Đắk Hà", UnitLevel.DISTRICT, UnitKind.HUYEN, p)
    dak_glei = make_unit("610", "Huyện Đắk Glei", UnitLevel.DISTRICT, UnitKind.HUYEN, p)
    ngok_wang = make_unit("23500", "Xã Ngọk Wang", UnitLevel.COMMUNE, UnitKind.XA, dak_ha)
    dak_mar = make_unit("23488", "Xã Đăk Mar", UnitLevel.COMMUNE, UnitKind.XA, dak_ha)
    dak_choong = make_unit("23290", "Xã Đắk Choong", UnitLevel.COMMUNE, UnitKind.XA, dak_glei)
    return Tree(
        province=p,
        dak_ha=dak_ha,
        dak_glei=dak_glei,
        ngok_wang=ngok_wang,
        dak_mar=dak_mar,
        dak_choong=dak_choong,
        village_a=make_unit(
            "23500-01", "Làng Kon Stiu", UnitLevel.VILLAGE, UnitKind.LANG, ngok_wang
        ),
        village_b=make_unit("23488-01", "Thôn 1", UnitLevel.VILLAGE, UnitKind.THON, dak_mar),
        village_c=make_unit(
            "23290-01", "Làng Dục Nhầy", UnitLevel.VILLAGE, UnitKind.LANG, dak_choong
        ),
    )


@dataclass
class Users:
    province_admin: User
    province_viewer: User
    district_officer: User
    commune_officer: User
    twinning_member: User
    public_moderator: User


@pytest.fixture
def users(tree: Tree) -> Users:
    organisation = Organisation.objects.create(
        name="Sở Nông nghiệp và Phát triển nông thôn",
        kind=OrganisationKind.PROVINCIAL_AGENCY,
        province=tree.province,
    )
    Twinning.objects.create(
        organisation=organisation, commune=tree.dak_choong, start_date=date(2007, 6, 1)
    )
    password = "Kh0ng-d0an-duoc"
    return Users(
        province_admin=user_create(
            username="admin62",
            password=password,
            role=Role.PROVINCE_ADMIN,
            jurisdiction=tree.province,
        ),
        province_viewer=user_create(
            username="viewer62",
            password=password,
            role=Role.PROVINCE_VIEWER,
            jurisdiction=tree.province,
        ),
        district_officer=user_create(
            username="district615",
            password=password,
            role=Role.DISTRICT_OFFICER,
            jurisdiction=tree.dak_ha,
        ),
        commune_officer=user_create(
            username="commune23500",
            password=password,
            role=Role.COMMUNE_OFFICER,
            jurisdiction=tree.ngok_wang,
        ),
        twinning_member=user_create(
            username="twin", password=password, role=Role.TWINNING_MEMBER, organisation=organisation
        ),
        public_moderator=user_create(
            username="moderator", password=password, role=Role.PUBLIC_MODERATOR
        ),
    )
