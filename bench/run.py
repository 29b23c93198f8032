"""`make bench`: time the census import against django-import-export and print one table.

Everything runs on scratch databases: SQLite files in a temporary directory (one fresh copy
of a migrated template per measurement) and, when PostgreSQL answers, a database
`ketnghia_bench` created for the run and dropped after it. Each measurement is its own
process (`bench.worker`), so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import census_pages, national
from bench import criteria as criteria_bench

REPO = Path(__file__).resolve().parent.parent
# The scratch database; another name (KETNGHIA_BENCH_DATABASE) lets two benches share a server.
BENCH_DATABASE = os.environ.get("KETNGHIA_BENCH_DATABASE", "ketnghia_bench")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"

# Targets of the census issues: against the library's defaults (the first census issue),
# against its documented bulk configuration and the COPY floor (issue 7, item 11).
TARGET_CSV_RATIO = 50
TARGET_XLSX_RATIO = 30
# An .xlsx import's peak memory against the .csv import's of the same rows.
TARGET_XLSX_MEMORY = 2
TARGET_POSTGRES_RATE = 100_000
TARGET_TUNED_SQLITE = 20
TARGET_TUNED_POSTGRES = 10
TARGET_COPY_FLOOR = 1.3


@dataclass
class Line:
    """One line of the table: what was measured, on what, the figure and its target."""

    what: str
    database: str
    rows: str
    time: str
    figure: str
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.lines.append(Line(*args, **kwargs))

    def render(self) -> str:
        header = Line("measurement", "database", "rows", "time", "figure", "target", "")
        rows = [header, *self.lines]
        widths = [
            max(len(getattr(line, name)) for line in rows)
            for name in ("what", "database", "rows", "time", "figure", "target", "verdict")
        ]
        out = []
        for index, line in enumerate(rows):
            cells = [
                line.what.ljust(widths[0]),
                line.database.ljust(widths[1]),
                line.rows.rjust(widths[2]),
                line.time.rjust(widths[3]),
                line.figure.rjust(widths[4]),
                line.target.ljust(widths[5]),
                line.verdict,
            ]
            out.append("  ".join(cells).rstrip())
            if index == 0:
                out.append("-" * len(out[0]))
        return "\n".join([*out, "", *self.notes])


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _verdict(value: float, target: float) -> str:
    return "met" if value >= target else "NOT met"


def _times(result: dict[str, Any]) -> str:
    """Return "min / median" of a result's runs (one time when there was one run)."""
    if result.get("runs", 1) == 1:
        return _s(result["seconds"])
    return f"{_s(result['min_seconds'])} / {_s(result['seconds'])}"


# --- Processes and databases -------------------------------------------------------------


def _env(database_url: str, var_dir: Path, *, debug: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "KETNGHIA_VAR_DIR": str(var_dir),
            "KETNGHIA_PROFILE": "local",
            # As in production: with DEBUG on, Django keeps every query's text, which slows
            # the row-by-row baseline far more than the set-based import.
            "DEBUG": "1" if debug else "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    return env


def _worker(env: dict[str, str], *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench: worker {' '.join(args)} failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


class SQLite:
    """A migrated template file; each measurement runs on a fresh copy of it."""

    label = "SQLite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.sqlite3"
        self.runs = 0
        _worker(self.env(self.template), "setup")

    def env(self, path: Path) -> dict[str, str]:
        return _env(f"sqlite:///{path}", self.directory)

    @contextmanager
    def fresh(self) -> Iterator[dict[str, str]]:
        self.runs += 1
        path = self.directory / f"run-{self.runs}.sqlite3"
        shutil.copyfile(self.template, path)
        try:
            yield self.env(path)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _postgres_admin_url() -> str | None:
    """Return a URL of a reachable PostgreSQL server's maintenance database, else None."""
    import psycopg

    given = os.environ.get("DATABASE_URL", "")
    url = given if given.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return admin
    except psycopg.Error:
        return None


class PostgreSQL:
    """The scratch database `ketnghia_bench`, created for one measurement and dropped after."""

    label = "PostgreSQL"

    def __init__(self, admin_url: str, directory: Path) -> None:
        self.admin_url = admin_url
        self.directory = directory
        self.url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{BENCH_DATABASE}"))

    def _sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)

    @contextmanager
    def fresh(self) -> Iterator[dict[str, str]]:
        self._sql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        self._sql(f"CREATE DATABASE {BENCH_DATABASE}")
        try:
            env = _env(self.url, self.directory)
            _worker(env, "setup")
            yield env
        finally:
            self._sql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


# --- Measurements ------------------------------------------------------------------------


def _setup_django(directory: Path) -> None:
    """Set Django up in this process for the generator (it reads the import's columns)."""
    import django

    os.environ.update(_env(f"sqlite:///{directory / 'unused.sqlite3'}", directory))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketnghia.settings"
    django.setup()


def _files(directory: Path, full: int, baseline: int, memory: tuple[int, ...]) -> dict[str, Path]:
    from bench import generate

    started = time.perf_counter()
    files = {
        "csv": generate.write_csv(directory / f"census-{full}.csv", full),
        "xlsx": generate.write_xlsx(directory / f"census-{full}.xlsx", full),
        "csv-prefix": generate.write_csv(directory / f"census-{baseline}.csv", baseline),
        "xlsx-prefix": generate.write_xlsx(directory / f"census-{baseline}.xlsx", baseline),
    }
    for size in memory:
        files[f"csv-{size}"] = generate.write_csv(directory / f"census-{size}.csv", size)
    print(f"bench: files generated in {_s(time.perf_counter() - started)}", flush=True)
    return files


RUNS = 3


def _import(
    database: SQLite | PostgreSQL, task: str, path: Path, rows: int, *options: str
) -> dict[str, Any]:
    """Run one measurement RUNS times, each on a fresh database; return the median run.

    The result's `seconds` is the median, `min_seconds` the fastest, `runs` how many.
    """
    results = []
    for _run in range(RUNS):
        with database.fresh() as env:
            result = _worker(env, task, str(path), *options)
        if result["entries"] != rows:
            raise SystemExit(
                f"bench: {task} of {path.name} left {result['entries']} entries for {rows} rows"
            )
        results.append(result)
        print(
            f"bench: {task:8} {' '.join(options):12} {path.name:22} {database.label:10} "
            f"{_s(result['seconds']):>8} {_n(rows / result['seconds']):>9} rows/s",
            flush=True,
        )
    results.sort(key=lambda found: found["seconds"])
    chosen = dict(results[len(results) // 2])
    chosen["min_seconds"] = results[0]["seconds"]
    chosen["runs"] = len(results)
    chosen["rows"] = rows
    chosen["rate"] = rows / chosen["seconds"]
    return chosen


def _ratio_lines(
    report: Report,
    label: str,
    mine: dict[str, Any],
    baselines: list[tuple[str, dict[str, Any], float]],
    database: str = "SQLite",
) -> None:
    """Add ketnghia's line, each baseline's line, and ketnghia's speed-up over each."""
    report.add(
        f"import {label}, ketnghia (preview + history)",
        database,
        _n(mine["rows"]),
        _times(mine),
        f"{_n(mine['rate'])} rows/s",
    )
    for variant, result, _target in baselines:
        report.add(
            f"import {label}, django-import-export ({variant})",
            database,
            _n(result["rows"]),
            _times(result),
            f"{_n(result['rate'])} rows/s",
        )
    for variant, result, target in baselines:
        ratio = mine["rate"] / result["rate"]
        report.add(
            f"  speed-up {label} vs {variant}",
            database,
            "",
            "",
            f"{ratio:.1f}×",
            f"≥ {target}×",
            _verdict(ratio, target),
        )


def _history_line(report: Report, database: str, result: dict[str, Any]) -> None:
    """Say whether the import wrote one history row per household and per entry."""
    written = result["history_households"] >= result["households"] and (
        result["history_entries"] >= result["entries"]
    )
    report.add(
        "  history rows written by the import",
        database,
        _n(result["history_households"] + result["history_entries"]),
        "",
        f"{_n(result['history_households'])} + {_n(result['history_entries'])}",
        "one per household and entry",
        "met" if written else "NOT met",
    )


def _memory_lines(report: Report, label: str, results: dict[int, dict[str, Any]]) -> None:
    """Add the peak memory of imports of two sizes of file, and how the peaks compare."""
    for size, result in results.items():
        growth = result["rss_peak_kib"] - result["rss_before_kib"]
        report.add(
            f"peak memory, import {label} (process RSS)",
            "SQLite",
            _n(size),
            _s(result["seconds"]),
            _mib(result["rss_peak_kib"]),
            "flat in file size",
            f"+{_mib(growth)} during the import",
        )
    (small, first), (large, second) = sorted(results.items())
    ratio = second["rss_peak_kib"] / first["rss_peak_kib"]
    report.add(
        f"  peak at {_n(large)} ÷ peak at {_n(small)} rows",
        "SQLite",
        "",
        "",
        f"{ratio:.2f}×",
        f"≈ 1× (file is {large / small:.0f}× larger)",
        "met" if ratio < 1.25 else "NOT met",
    )


def _xlsx_against_csv(report: Report, rows: int, xlsx: dict[str, Any], csv: dict[str, Any]) -> None:
    """Add how the .xlsx import's peak compares with the .csv import's of the same rows."""
    ratio = xlsx["rss_peak_kib"] / csv["rss_peak_kib"]
    report.add(
        f"  peak .xlsx ÷ peak .csv at {_n(rows)} rows",
        "SQLite",
        "",
        "",
        f"{ratio:.2f}×",
        f"≤ {TARGET_XLSX_MEMORY}× (a sheet streamed row by row)",
        "met" if ratio <= TARGET_XLSX_MEMORY else "NOT met",
    )


def _demo(directory: Path) -> list[float]:
    """Time `ketnghia demo` twice on an empty SQLite database (first load, then idempotent)."""
    var_dir = directory / "demo"
    var_dir.mkdir()
    # The demo creates users with published passwords: it runs only with DEBUG on.
    env = _env(f"sqlite:///{var_dir / 'demo.sqlite3'}", var_dir, debug=True)
    command = [str(Path(sys.executable).parent / "ketnghia")]
    subprocess.run([*command, "migrate", "--noinput", "-v0"], env=env, cwd=REPO, check=True)
    times = []
    for _run in range(2):
        started = time.perf_counter()
        subprocess.run([*command, "demo"], env=env, cwd=REPO, check=True)
        times.append(time.perf_counter() - started)
    return times


def _national(report: Report, directory: Path, args: argparse.Namespace) -> None:
    """Add the national lines (bench/national.py), or say why there are none."""
    admin_url = None if args.no_postgres else _postgres_admin_url()
    if admin_url is None:
        report.add("national indicators", "PostgreSQL", "", "", "not measured", "", "no server")
        return
    results = national.run(
        admin_url,
        directory,
        args.national_scale,
        runs=RUNS,
        duration=args.national_duration,
        keep=args.national_keep,
        reuse=args.national_reuse,
    )
    for line in national.lines(results):
        report.add(*line)
    report.notes.append(national.NOTE)


def _imports(report: Report, directory: Path, args: argparse.Namespace) -> None:
    """Add the census import's lines: .csv and .xlsx into SQLite against the bulk-tuned
    django-import-export (and its defaults), .csv into PostgreSQL against the COPY floor, and
    the peak memory of each at two sizes."""
    memory = () if "memory" in args.skip else tuple(args.memory_rows)
    files = _files(directory, args.rows, args.baseline_rows, memory)
    sqlite = SQLite(directory)

    mine: dict[str, dict[str, Any]] = {}
    prefix_rows = args.baseline_rows
    for label, target in ((".csv", TARGET_CSV_RATIO), (".xlsx", TARGET_XLSX_RATIO)):
        kind = label.lstrip(".")
        prefix = files[f"{kind}-prefix"]
        mine[kind] = _import(sqlite, "ketnghia", files[kind], args.rows)
        baselines = [
            (
                "bulk-tuned",
                _import(sqlite, "baseline", prefix, prefix_rows, "--tuned"),
                TARGET_TUNED_SQLITE,
            )
        ]
        if "defaults" not in args.skip:
            baselines += [
                ("defaults", _import(sqlite, "baseline", prefix, prefix_rows), target),
                (
                    "defaults, no history rows",
                    _import(sqlite, "baseline", prefix, prefix_rows, "--no-history"),
                    target,
                ),
            ]
        _ratio_lines(report, label, mine[kind], baselines)
        _history_line(report, "SQLite", mine[kind])

    admin_url = None if args.no_postgres else _postgres_admin_url()
    if admin_url is None:
        report.add(
            "import .csv, ketnghia",
            "PostgreSQL",
            "",
            "",
            "not measured",
            "",
            "skipped" if args.no_postgres else "no server answered",
        )
    else:
        postgres = PostgreSQL(admin_url, directory)
        result = _import(postgres, "ketnghia", files["csv"], args.rows)
        tuned = _import(postgres, "baseline", files["csv-prefix"], prefix_rows, "--tuned")
        _ratio_lines(
            report,
            ".csv",
            result,
            [("bulk-tuned", tuned, TARGET_TUNED_POSTGRES)],
            database="PostgreSQL",
        )
        _history_line(report, "PostgreSQL", result)
        report.add(
            "  households per second",
            "PostgreSQL",
            "",
            "",
            f"{_n(result['rate'])}/s",
            f"≥ {_n(TARGET_POSTGRES_RATE)}/s",
            _verdict(result["rate"], TARGET_POSTGRES_RATE),
        )
        floor = _import(postgres, "copy", files["csv"], args.rows)
        report.add(
            "COPY floor: the same rows, same tables, one transaction",
            "PostgreSQL",
            _n(floor["rows"]),
            _times(floor),
            f"{_n(floor['rate'])} rows/s",
        )
        ratio = result["seconds"] / floor["seconds"]
        report.add(
            "  ketnghia's time ÷ the COPY floor's",
            "PostgreSQL",
            "",
            "",
            f"{ratio:.2f}×",
            f"≤ {TARGET_COPY_FLOOR}×",
            "met" if ratio <= TARGET_COPY_FLOOR else "NOT met",
        )

    small, large = args.memory_rows
    if "memory" not in args.skip:
        _memory_lines(
            report,
            ".csv",
            {
                size: _import(sqlite, "ketnghia", files[f"csv-{size}"], size)
                for size in (small, large)
            },
        )
        # The workbook sizes at hand: the baseline's prefix and the main file.
        _memory_lines(
            report,
            ".xlsx",
            {
                args.baseline_rows: _import(
                    sqlite, "ketnghia", files["xlsx-prefix"], args.baseline_rows
                ),
                args.rows: mine["xlsx"],
            },
        )
        _xlsx_against_csv(report, args.rows, mine["xlsx"], mine["csv"])


def _worker_runs(
    directory: Path,
    args: argparse.Namespace,
    task: str,
    *,
    extra: tuple[str, ...] = (),
    check: Callable[[dict[str, Any]], str | None],
    show: Callable[[dict[str, Any]], str],
    order: Callable[[dict[str, Any]], float],
) -> tuple[str, dict[str, Any]]:
    """Run the worker's `task` RUNS times, each on a fresh database (PostgreSQL when a server
    answers, else SQLite); stop on what `check` finds wrong; return the database's label and
    the median run by `order`."""
    admin_url = None if args.no_postgres else _postgres_admin_url()
    database: SQLite | PostgreSQL = (
        PostgreSQL(admin_url, directory) if admin_url else SQLite(directory)
    )
    results = []
    for _run in range(RUNS):
        with database.fresh() as env:
            result = _worker(env, task, str(directory), *extra)
        wrong = check(result)
        if wrong:
            raise SystemExit(f"bench: {wrong}")
        print(f"bench: {task} {database.label:10} {show(result)}", flush=True)
        results.append(result)
    results.sort(key=order)
    return database.label, results[len(results) // 2]


def _activities(report: Report, directory: Path, args: argparse.Namespace) -> None:
    """Add the activity import's line: 10,000 reports, on PostgreSQL when a server answers."""
    from bench import activities

    label, chosen = _worker_runs(
        directory,
        args,
        "activities",
        check=lambda found: (
            None
            if found["entries"] == activities.ROWS
            else f"the activity import created {found['entries']} activities"
        ),
        show=lambda found: f"{_s(found['seconds']):>8}",
        order=lambda found: found["seconds"],
    )
    activities.add_lines(report, label, {**chosen, "rows": activities.ROWS}, _s)


def _assignments(report: Report, directory: Path, args: argparse.Namespace) -> None:
    """Add the assignments import's lines: Party members to households, on PostgreSQL."""
    from bench import assignments

    label, chosen = _worker_runs(
        directory,
        args,
        "assignments",
        check=lambda found: (
            None
            if (found["created"], found["closed"]) == (assignments.ROWS, assignments.ROWS)
            else f"the assignments import wrote {found}"
        ),
        show=lambda found: f"{_s(found['seconds']):>8}",
        order=lambda found: found["seconds"] + found["reassign_seconds"],
    )
    assignments.add_lines(report, label, {**chosen, "rows": assignments.ROWS}, _s)


def _support(report: Report, directory: Path, args: argparse.Namespace) -> None:
    """Add the support lines: the cycle proposal and the delivery import (bench/support.py)."""
    from bench import support

    label, chosen = _worker_runs(
        directory,
        args,
        "support",
        extra=("--rows", str(args.support_rows)),
        check=lambda found: (
            None
            if found["delivered"] and found["recorded"] == found["delivery_rows"]
            else f"the delivery import recorded {found['recorded']} rows"
        ),
        show=lambda found: (
            f"propose {_s(found['propose_seconds']):>8} import {_s(found['import_seconds']):>8}"
        ),
        order=lambda found: found["import_seconds"],
    )
    support.add_lines(report, label, chosen, _s)


def main(argv: list[str] | None = None) -> None:
    global RUNS
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the main file")
    parser.add_argument(
        "--baseline-rows", type=int, default=10_000, help="prefix django-import-export imports"
    )
    parser.add_argument(
        "--memory-rows", type=int, nargs=2, default=(50_000, 200_000), metavar=("SMALL", "LARGE")
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--criteria-only", action="store_true", help="only bench/criteria.py")
    parser.add_argument(
        "--only",
        choices=["national", "activities", "assignments", "support", "imports"],
        help="run one part only: national = the indicators at national scale (bench/national.py), "
        "activities = the activity import (bench/activities.py), assignments = the "
        "assignments import (bench/assignments.py), support = the cycle proposal and the "
        "delivery import (bench/support.py), imports = the census import's lines (.csv and "
        ".xlsx against django-import-export, PostgreSQL against the COPY floor, peak memory)",
    )
    parser.add_argument(
        "--national-scale",
        type=float,
        nargs="+",
        default=list(national.DEFAULT_SCALES),
        metavar="F",
        help="factors of the national data set (1 = 27 M households), default 0.02 0.1 "
        "(leave the part out with --skip national)",
    )
    parser.add_argument(
        "--national-duration",
        type=float,
        default=national.DURATION,
        help="seconds of each dashboard load (0: no load)",
    )
    parser.add_argument(
        "--national-keep",
        action="store_true",
        help="keep the national scratch database at the end (one factor)",
    )
    parser.add_argument(
        "--national-reuse",
        action="store_true",
        help="measure the kept national database again without generating it",
    )
    parser.add_argument(
        "--support-rows", type=int, default=100_000, help="households of the support part"
    )
    parser.add_argument("--pages-scale", type=int, default=10, help="times the demo, pages")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help="runs per figure (min and median are printed)"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["memory", "demo", "defaults", "national"],
        help="leave out the memory lines, the demo timing, the library-defaults baselines or "
        "the national indicators",
    )
    args = parser.parse_args(argv)
    RUNS = max(1, args.runs)

    report = Report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ketnghia-bench-") as tmp:
        directory = Path(tmp)
        _setup_django(directory)
        if args.only == "national":
            _national(report, directory, args)
            print()
            print(report.render())
            return
        if args.only in ("activities", "assignments"):
            (_activities if args.only == "activities" else _assignments)(report, directory, args)
            print()
            print(report.render())
            return
        if args.only == "support":
            _support(report, directory, args)
            print()
            print(report.render())
            return
        if args.only == "imports":
            _imports(report, directory, args)
            print()
            print(report.render())
            return
        criteria_bench.add_lines(report, criteria_bench.measure())
        if args.criteria_only:
            print(report.render())
            return
        _imports(report, directory, args)

        if "demo" not in args.skip:
            first, second = _demo(directory)
            report.add("demo generation, first load", "SQLite", "", _s(first), "")
            report.add("demo generation, second run (no change)", "SQLite", "", _s(second), "")

        # The commune census page at the demo's size and at --pages-scale times it.
        for line in census_pages.lines(census_pages.run(directory, scale=args.pages_scale)):
            report.add(*line)
        from bench import portal, twinning

        twinning.add_lines(report, _s)
        from bench import economy

        economy.add_lines(report, _s)
        _activities(report, directory, args)
        _assignments(report, directory, args)
        _support(report, directory, args)
        # The public portal under public load (readers, the comment flood).
        portal.add_lines(report)
        if "national" not in args.skip:
            _national(report, directory, args)

    report.notes += [
        f"Conditions: {platform.machine()}, {os.cpu_count()} cores shared with other work, "
        f"Python {platform.python_version()}, DEBUG off; {RUNS} run(s) per figure, each on a "
        "fresh database, times as min / median, rates from the median; wall-clock time of "
        "the import call (file reading, validation, classification, the change preview, "
        "writes, history rows and the import record), database set-up excluded.",
        f"django-import-export is timed on the first {_n(args.baseline_rows)} rows of the same "
        f"file (it runs at hundreds of rows per second); ketnghia imports all "
        f"{_n(args.rows)}. The speed-up compares rows per second.",
        "Baseline: bench/baseline.py, a ModelResource over CensusEntry that gets or creates "
        "the Household of each row and classifies it, library defaults; 'defaults' also "
        "writes django-simple-history's row per saved household and entry, as the ORM does "
        "for these models, 'no history rows' turns that off (ketnghia's import records one "
        "ImportBatch instead). 'bulk-tuned' is the library's documented bulk configuration "
        "(use_bulk, batch_size=1000, skip_diff, CachedInstanceLoader, households created in "
        "one bulk_create and loaded once); bulk mode writes no history rows, ketnghia does.",
        "COPY floor: the rows ketnghia's import wrote (households, entries, their history "
        "rows, the import record), copied out, the tables emptied, then COPY'd back in one "
        "transaction; the ratio is ketnghia's median time over the floor's.",
        f"Whole run: {_s(time.perf_counter() - started)}.",
    ]
    print()
    print(report.render())


if __name__ == "__main__":
    main()
