"""One measurement in a fresh process: `python -m bench.worker TASK ARGS…` prints one JSON line.

Each measurement gets its own process so its peak memory (`ru_maxrss`) is its own and no
cache of an earlier run helps it. The database is whatever `DATABASE_URL` names; `run.py`
hands each run a fresh copy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
os.environ.setdefault("KETNGHIA_PROFILE", "local")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import generate  # noqa: E402
from ketnghia.accounts.models import User  # noqa: E402
from ketnghia.census.models import CensusEntry, CensusRound  # noqa: E402
from ketnghia.geo.models import Unit, UnitKind, UnitLevel  # noqa: E402
from ketnghia.households.models import Household  # noqa: E402

BENCH_USER = "bench"


def _max_rss_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _unit(code: str, name: str, level: str, kind: str, parent: Unit | None) -> Unit:
    unit = Unit(code=code, name=name, level=level, kind=kind, parent=parent)
    unit.save()
    return unit


def setup() -> dict[str, Any]:
    """Migrate and create the commune, its villages and the importing user."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    province = _unit("62", "Tỉnh Kon Tum", UnitLevel.PROVINCE, UnitKind.TINH, None)
    district = _unit("615", "Huyện Đắk Hà", UnitLevel.DISTRICT, UnitKind.HUYEN, province)
    commune = _unit(generate.COMMUNE_CODE, "Xã Ngọk Wang", UnitLevel.COMMUNE, UnitKind.XA, district)
    for number, code in enumerate(generate.village_codes(), start=1):
        _unit(code, f"Thôn {number}", UnitLevel.VILLAGE, UnitKind.THON, commune)
    User.objects.create_user(username=BENCH_USER, password=None)
    return {"seconds": time.perf_counter() - started}


def _round(year: int) -> CensusRound:
    from ketnghia.census.services import census_round_create

    commune = Unit.objects.get(code=generate.COMMUNE_CODE)
    return census_round_create(
        commune=commune, year=year, standard_code=generate.STANDARD_CODE, actor=None
    )


def _counts(census_round: CensusRound) -> dict[str, int]:
    return {
        "entries": CensusEntry.objects.filter(round=census_round).count(),
        "households": Household.objects.filter(commune=census_round.commune).count(),
        "history_households": Household.history.count(),
        "history_entries": CensusEntry.history.filter(round_id=census_round.pk).count(),
    }


def ketnghia_import(path: Path, year: int) -> dict[str, Any]:
    """Time `census_import` committing the whole file into a new round."""
    from ketnghia.census.importing import census_import

    census_round = _round(year)
    actor = User.objects.get(username=BENCH_USER)
    rss_before = _max_rss_kib()
    started = time.perf_counter()
    census_import(
        census_round=census_round, path=path, file_name=path.name, dry_run=False, actor=actor
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_before_kib": rss_before,
        "rss_peak_kib": _max_rss_kib(),
        "vendor": connection.vendor,
        **_counts(census_round),
    }


def copy_floor(path: Path, year: int) -> dict[str, Any]:
    """Time the floor: PostgreSQL COPY of the rows an import writes, in one transaction.

    The file is first imported with ketnghia (not timed) so the rows are exactly those an
    import writes — households, entries, their history rows and the import record. They are
    copied out, the tables emptied, and the timed part copies them back in with COPY in one
    transaction (commit and deferred foreign-key checks included).
    """
    from django.db import transaction

    from ketnghia.census.importing import census_import
    from ketnghia.census.models import ImportBatch

    if connection.vendor != "postgresql":
        raise SystemExit("the COPY floor needs PostgreSQL")
    census_round = _round(year)
    actor = User.objects.get(username=BENCH_USER)
    census_import(census_round=census_round, path=path, file_name=path.name, actor=actor)
    counts = _counts(census_round)
    models = [
        Household,
        Household.history.model,
        ImportBatch,
        CensusEntry,
        CensusEntry.history.model,
    ]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    dumps: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in tables:
            data = bytearray()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    data += block
            dumps[table] = bytes(data)
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    rss_before = _max_rss_kib()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(dumps[table])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_before_kib": rss_before,
        "rss_peak_kib": _max_rss_kib(),
        "vendor": connection.vendor,
        **counts,
    }


def baseline_import(
    path: Path, year: int, *, history: bool = True, tuned: bool = False
) -> dict[str, Any]:
    """Time django-import-export reading the file and importing it with the bench resource.

    Without `history`, django-simple-history writes no historical row per save: ketnghia's
    import records one ImportBatch instead of a history row per household, so this is the
    like-for-like (and harder) comparison.
    """
    from django.conf import settings

    from bench.baseline import baseline_import as run

    settings.SIMPLE_HISTORY_ENABLED = history
    census_round = _round(year)
    rss_before = _max_rss_kib()
    started = time.perf_counter()
    run(census_round=census_round, path=path, tuned=tuned)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_before_kib": rss_before,
        "rss_peak_kib": _max_rss_kib(),
        "vendor": connection.vendor,
        **_counts(census_round),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument(
        "task",
        choices=["setup", "ketnghia", "baseline", "copy", "activities", "assignments", "support"],
    )
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--year", type=int, default=generate.YEAR)
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--rows", type=int, default=100_000, help="households (task support)")
    parser.add_argument("--tuned", action="store_true", help="the library's bulk configuration")
    args = parser.parse_args(argv)
    if args.task == "setup":
        result = setup()
    elif args.task == "ketnghia":
        result = ketnghia_import(args.file, args.year)
    elif args.task == "copy":
        result = copy_floor(args.file, args.year)
    elif args.task == "activities":
        from bench import activities

        # `file` names the directory the generated file goes in.
        result = activities.measure(args.file)
    elif args.task == "assignments":
        from bench import assignments

        result = assignments.measure(args.file)
    elif args.task == "support":
        from bench import support

        # `file` names the directory the generated files go in; --rows the households.
        result = support.measure(args.file, args.rows)
    else:
        result = baseline_import(
            args.file, args.year, history=not args.no_history, tuned=args.tuned
        )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
