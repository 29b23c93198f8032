"""The commune census page at the demo's size and at N times it: ms per request and the ratio.

`python -m bench.census_pages [--scale 10] [--requests 25]` (and `make bench`, through
`run.py`) loads the demo into a scratch SQLite database, times the commune census page and
its recompute partial as the demo's commune officer sees them, then copies every household
and census entry N-1 times in SQL (each copy a new household of the same commune and village,
with the same entries in every round), rebuilds the stored round summaries and times the
same pages again. Beside them, the computation the page made before the summaries existed
(`commune_census_summary_live`: every entry of every year, transitions in Python).

Target (census issue, item 10): each page's time at N times within 1.5 times its time at 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
HOUSEHOLD_COLUMNS = (
    "commune_id",
    "village_id",
    "code",
    "head_name",
    "address",
    "area",
    "area_overridden",
    "unit_path",
    "registered_year",
    "left_year",
)
ENTRY_COLUMNS = (
    "round_id",
    "household_id",
    "household_code",
    "head_name",
    "village_code",
    "area",
    "member_count",
    "monthly_income_per_person",
    "surveyed_on",
    "deprivations",
    "deprivation_count",
    "computed_status",
    "rule",
    "status",
    "override_reason",
    "override_approver_id",
    "import_batch_id",
    "search_folded",
)


def _env(database: Path, var_dir: Path, *, debug: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "KETNGHIA_VAR_DIR": str(var_dir),
            "KETNGHIA_PROFILE": "local",
            "DEBUG": "1" if debug else "0",
            "ALLOWED_HOSTS": "testserver",  # the test client's host
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    return env


# --- In the measuring process ------------------------------------------------------------


def _scale(factor: int) -> dict[str, int]:
    """Copy every household and entry `factor - 1` times in SQL; rebuild the summaries."""
    from django.db import connection, transaction

    from ketnghia.census.models import CensusEntry
    from ketnghia.census.summaries import summaries_rebuild
    from ketnghia.households.models import Household

    quote = connection.ops.quote_name
    households, entries = quote(Household._meta.db_table), quote(CensusEntry._meta.db_table)
    h_columns = ", ".join(HOUSEHOLD_COLUMNS)
    h_select = ", ".join("code || %s" if c == "code" else c for c in HOUSEHOLD_COLUMNS)
    e_select = ", ".join(
        {"household_id": "h2.id", "household_code": "h2.code"}.get(c, f"e.{c}")
        for c in ENTRY_COLUMNS
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for copy in range(2, factor + 1):
            suffix = f"~{copy}"
            cursor.execute(
                f"INSERT INTO {households} ({h_columns}) SELECT {h_select} FROM {households} "
                "WHERE code NOT LIKE %s",
                [suffix, "%~%"],
            )
            cursor.execute(
                f"""
                INSERT INTO {entries} ({", ".join(ENTRY_COLUMNS)})
                SELECT {e_select}
                FROM {entries} e
                JOIN {households} h ON h.id = e.household_id
                JOIN {households} h2 ON h2.commune_id = h.commune_id AND h2.code = h.code || %s
                WHERE h.code NOT LIKE %s
                """,
                [suffix, "%~%"],
            )
        copied = time.perf_counter() - started
        summaries_rebuild()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "copy_seconds": copied,
        "rebuild_seconds": time.perf_counter() - started - copied,
        "households": Household.objects.count(),
        "entries": CensusEntry.objects.count(),
    }


def _time_requests(client: Any, url: str, requests: int, **headers: str) -> float:
    for _warm in range(3):
        assert client.get(url, headers=headers).status_code == 200, url
    times = []
    for _run in range(requests):
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _measure_once(requests: int) -> dict[str, float]:
    from django.test import Client
    from django.urls import reverse

    from ketnghia.accounts.models import User
    from ketnghia.census.models import CensusEntry, CensusRound
    from ketnghia.census.selectors import commune_census_summary_live
    from ketnghia.core.gate import Action, scope_for

    officer = User.objects.get(username="demo-commune")
    commune = officer.jurisdiction
    client = Client()
    client.force_login(officer)
    year = CensusRound.objects.filter(commune=commune).order_by("-year").first().year
    page = reverse("census:commune_census", args=[commune.code])
    recompute = reverse("census:round_recompute", args=[commune.code])
    recompute += f"?year={year}&standard=vn-2016"
    page_ms = _time_requests(client, page, requests)
    recompute_ms = _time_requests(
        client, recompute, requests, HX_Request="true", HX_Target="recompute-result"
    )
    # Last: it builds millions of objects, which would slow what runs after it.
    live = []
    scope = scope_for(officer, Action.VIEW)
    for _run in range(3):
        started = time.perf_counter()
        commune_census_summary_live(scope=scope, commune=commune)
        live.append(time.perf_counter() - started)
    return {
        "page_ms": page_ms,
        "recompute_ms": recompute_ms,
        "live_ms": 1000 * statistics.median(live),
        "commune_entries": CensusEntry.objects.filter(round__commune=commune).count(),
    }


def measure(scale: int, requests: int) -> dict[str, Any]:
    """Measure at 1×, scale the database, measure again (Django already set up)."""
    small = _measure_once(requests)
    scaled = _scale(scale)
    large = _measure_once(requests)
    return {"scale": scale, "small": small, "large": large, "scaled": scaled}


# --- The orchestrating process ------------------------------------------------------------


def run(directory: Path, *, scale: int = 10, requests: int = 25) -> dict[str, Any]:
    """Load the demo into a fresh SQLite file under `directory` and measure both sizes."""
    var_dir = directory / "pages"
    var_dir.mkdir(exist_ok=True)
    database = var_dir / "pages.sqlite3"
    command = [str(Path(sys.executable).parent / "ketnghia")]
    # The demo creates users with published passwords: it runs only with DEBUG on.
    load = _env(database, var_dir, debug=True)
    started = time.perf_counter()
    subprocess.run([*command, "migrate", "--noinput", "-v0"], env=load, cwd=REPO, check=True)
    subprocess.run([*command, "demo"], env=load, cwd=REPO, check=True, capture_output=True)
    loaded = time.perf_counter() - started
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.census_pages",
            "--measure",
            "--scale",
            str(scale),
            "--requests",
            str(requests),
        ],
        env=_env(database, var_dir, debug=False),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("bench: census pages measurement failed")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["demo_seconds"] = loaded
    return result


def lines(result: dict[str, Any]) -> list[tuple[str, str, str, str, str, str, str]]:
    """Return the table lines (what, database, rows, time, figure, target, verdict)."""
    scale, small, large = result["scale"], result["small"], result["large"]
    out = []
    for key, what in (
        ("page_ms", "commune census page"),
        ("recompute_ms", "commune page, recompute partial"),
        ("live_ms", "  before: entries read per request"),
    ):
        ratio = large[key] / small[key]
        target = f"≤ {TARGET_RATIO:.1f}×" if key != "live_ms" else ""
        verdict = ("ok" if ratio <= TARGET_RATIO else "MISSED") if target else ""
        out.append(
            (
                f"{what}, 1× → {scale}× demo",
                "SQLite",
                f"{small['commune_entries']:,} → {large['commune_entries']:,}",
                f"{small[key]:.1f} → {large[key]:.1f} ms",
                f"{ratio:.2f}×",
                target,
                verdict,
            )
        )
    return out


def render(result: dict[str, Any]) -> str:
    scaled = result["scaled"]
    rows = [("measurement", "database", "commune entries", "time", "ratio", "target", "")]
    rows += lines(result)
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    text.insert(1, "-" * len(text[0]))
    text.append("")
    text.append(
        f"Scaled to {scaled['households']:,} households and {scaled['entries']:,} entries "
        f"(copies in SQL {scaled['copy_seconds']:.0f} s, summaries rebuilt in "
        f"{scaled['rebuild_seconds']:.1f} s); demo load {result['demo_seconds']:.0f} s. "
        "Median of the requests after 3 warm-ups, Django test client in one process, DEBUG off, on a machine shared with other work (expect noise)."
    )
    return "\n".join(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.census_pages", description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="times the demo (default 10)")
    parser.add_argument("--requests", type=int, default=25, help="timed requests per page")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
        import django

        django.setup()
        print(json.dumps(measure(args.scale, args.requests)))
        return
    with tempfile.TemporaryDirectory(prefix="ketnghia-bench-pages-") as tmp:
        result = run(Path(tmp), scale=args.scale, requests=args.requests)
    print(render(result))


if __name__ == "__main__":
    main()
