"""Two imports that open the same round at the same moment (PostgreSQL): the second waits.

On SQLite one writer at a time is the database's own rule, so the race cannot happen there.
"""

from __future__ import annotations

import contextlib
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation

from ketnghia.census.management.commands import _census_round
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.poverty.standards import get_standard

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_two_imports_creating_one_round_at_once(tree, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: the race needs PostgreSQL")
    path = write_csv(
        tmp_path / "ra-soat.csv",
        headers(get_standard("vn-2022")),
        [household("H1", "Chủ hộ một", "Làng Kon Stiu", "1.500.000", [1, 1, 1] + [0] * 9)],
    )
    # Both imports reach the creation of the round before either has created it: each
    # waits here for the other (or two seconds, when the lock keeps the other away).
    meet = threading.Barrier(2, timeout=2)
    create = _census_round.census_round_create

    def create_together(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return create(**kwargs)

    monkeypatch.setattr(_census_round, "census_round_create", create_together)
    outcomes: list[object] = []

    def run() -> None:
        try:
            with translation.override("en"):
                call_command(
                    "import-census",
                    str(path),
                    "--commune",
                    "23500",
                    "--year",
                    "2024",
                    stdout=io.StringIO(),
                    stderr=io.StringIO(),
                )
            outcomes.append("ok")
        except BaseException as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["ok", "ok"]
    assert CensusRound.objects.filter(commune=tree.ngok_wang, year=2024).count() == 1
    assert CensusEntry.objects.filter(round__commune=tree.ngok_wang).count() == 1
