"""Measure the census import on a scratch database: rows per second and peak memory.

Not a test: run it by hand against a database made for it (it creates a commune and wipes
that commune's census), e.g.

    DATABASE_URL=postgres://…/scratch ketnghia migrate
    DATABASE_URL=postgres://…/scratch ketnghia shell -c \
        "from ketnghia.census.tests.measure_import import main; main(100_000)"

It prints one line per run: a first import (everything created), the same file again
(nothing changes), and a dry run.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

from django.db import connection

from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry, CensusRound, ImportBatch
from ketnghia.census.tests.census_files import generate_csv
from ketnghia.geo.models import Unit, UnitKind, UnitLevel
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

COMMUNE = "99901"


def _scratch_round() -> CensusRound:
    province, _ = Unit.objects.get_or_create(
        code="99", defaults={"name": "Tỉnh đo", "level": UnitLevel.PROVINCE, "kind": UnitKind.TINH}
    )
    district, _ = Unit.objects.get_or_create(
        code="999",
        defaults={
            "name": "Huyện đo",
            "level": UnitLevel.DISTRICT,
            "kind": UnitKind.HUYEN,
            "parent": province,
        },
    )
    commune, _ = Unit.objects.get_or_create(
        code=COMMUNE,
        defaults={
            "name": "Xã đo",
            "level": UnitLevel.COMMUNE,
            "kind": UnitKind.XA,
            "parent": district,
        },
    )
    for number in range(1, 9):
        Unit.objects.get_or_create(
            code=f"{COMMUNE}-{number:02d}",
            defaults={
                "name": f"Thôn {number}",
                "level": UnitLevel.VILLAGE,
                "kind": UnitKind.THON,
                "parent": commune,
            },
        )
    # Raw deletes: the ORM's would collect every row and write a history row for each.
    CensusEntry.objects.filter(round__commune=commune)._raw_delete(CensusEntry.objects.db)
    ImportBatch.objects.filter(round__commune=commune)._raw_delete(ImportBatch.objects.db)
    CensusRound.objects.filter(commune=commune)._raw_delete(CensusRound.objects.db)
    Household.objects.filter(commune=commune)._raw_delete(Household.objects.db)
    census_round = CensusRound(commune=commune, year=2024, standard_code="vn-2022")
    census_round.save()
    return census_round


def _run(label: str, rows: int, *, memory: bool = False, **kwargs) -> None:
    # tracemalloc slows Python several times over: time and memory are measured apart.
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    report = census_import(**kwargs)
    elapsed = time.perf_counter() - started
    peak = ""
    if memory:
        peak = f"  peak {tracemalloc.get_traced_memory()[1] / 1e6:6.1f} MB (traced, slower run)"
        tracemalloc.stop()
    print(
        f"{connection.vendor:10} {label:10} {rows:>9} rows {elapsed:7.2f} s "
        f"{rows / elapsed:>9,.0f} rows/s  created {report.created} changed {report.updated} "
        f"unchanged {report.unchanged}{peak}"
    )


def main(rows: int = 100_000, *, memory: bool = False) -> None:
    census_round = _scratch_round()
    with tempfile.TemporaryDirectory() as folder:
        path = generate_csv(
            Path(folder) / "census.csv",
            get_standard("vn-2022"),
            rows=rows,
            villages=[f"Thôn {n}" for n in range(1, 9)],
            commune_code=COMMUNE,
        )
        _run("dry run", rows, census_round=census_round, path=path, dry_run=True)
        _run("first", rows, census_round=census_round, path=path)
        _run("again", rows, census_round=census_round, path=path)
        if memory:
            _run("dry run", rows, census_round=census_round, path=path, dry_run=True, memory=True)
