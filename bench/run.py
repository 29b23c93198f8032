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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import census_pages
from bench import criteria as criteria_bench

REPO = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "ketnghia_bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"

# Targets of the census issue (item 10).
TARGET_CSV_RATIO = 50
TARGET_XLSX_RATIO = 30
TARGET_POSTGRES_RATE = 100_000


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


def _files(directory: Path, full: int, baseline: int, memory: tuple[int, int]) -> dict[str, Path]:
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


def _import(
    database: SQLite | PostgreSQL, task: str, path: Path, rows: int, *options: str
) -> dict[str, Any]:
    with database.fresh() as env:
        result = _worker(env, task, str(path), *options)
    if result["entries"] != rows:
        raise SystemExit(
            f"bench: {task} of {path.name} left {result['entries']} entries for {rows} rows"
        )
    result["rows"] = rows
    result["rate"] = rows / result["seconds"]
    print(
        f"bench: {task:8} {' '.join(options):12} {path.name:22} {database.label:10} "
        f"{_s(result['seconds']):>8} "
        f"{_n(result['rate']):>9} rows/s",
        flush=True,
    )
    return result


def _ratio_lines(
    report: Report,
    label: str,
    mine: dict[str, Any],
    theirs: dict[str, Any],
    theirs_bare: dict[str, Any],
    target: float,
) -> None:
    report.add(
        f"import {label}, ketnghia",
        "SQLite",
        _n(mine["rows"]),
        _s(mine["seconds"]),
        f"{_n(mine['rate'])} rows/s",
    )
    for result, variant in ((theirs, "defaults"), (theirs_bare, "no history rows")):
        report.add(
            f"import {label}, django-import-export ({variant})",
            "SQLite",
            _n(result["rows"]),
            _s(result["seconds"]),
            f"{_n(result['rate'])} rows/s",
        )
    for result, variant in ((theirs, "defaults"), (theirs_bare, "no history rows")):
        ratio = mine["rate"] / result["rate"]
        report.add(
            f"  speed-up {label} vs {variant}",
            "SQLite",
            "",
            "",
            f"{ratio:.1f}×",
            f"≥ {target}×",
            _verdict(ratio, target),
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


def main(argv: list[str] | None = None) -> None:
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
    parser.add_argument("--pages-scale", type=int, default=10, help="times the demo, pages")
    args = parser.parse_args(argv)

    report = Report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ketnghia-bench-") as tmp:
        directory = Path(tmp)
        _setup_django(directory)
        criteria_bench.add_lines(report, criteria_bench.measure())
        if args.criteria_only:
            print(report.render())
            return
        files = _files(directory, args.rows, args.baseline_rows, tuple(args.memory_rows))
        sqlite = SQLite(directory)

        mine: dict[str, dict[str, Any]] = {}
        for label, target in ((".csv", TARGET_CSV_RATIO), (".xlsx", TARGET_XLSX_RATIO)):
            kind = label.lstrip(".")
            prefix, prefix_rows = files[f"{kind}-prefix"], args.baseline_rows
            mine[kind] = _import(sqlite, "ketnghia", files[kind], args.rows)
            _ratio_lines(
                report,
                label,
                mine[kind],
                _import(sqlite, "baseline", prefix, prefix_rows),
                _import(sqlite, "baseline", prefix, prefix_rows, "--no-history"),
                target,
            )

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
            report.add(
                "import .csv, ketnghia",
                "PostgreSQL",
                _n(result["rows"]),
                _s(result["seconds"]),
                f"{_n(result['rate'])} households/s",
                f"≥ {_n(TARGET_POSTGRES_RATE)}/s",
                _verdict(result["rate"], TARGET_POSTGRES_RATE),
            )

        small, large = args.memory_rows
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

        first, second = _demo(directory)
        report.add("demo generation, first load", "SQLite", "", _s(first), "")
        report.add("demo generation, second run (no change)", "SQLite", "", _s(second), "")

        # The commune census page at the demo's size and at --pages-scale times it.
        for line in census_pages.lines(census_pages.run(directory, scale=args.pages_scale)):
            report.add(*line)
        from bench import twinning

        twinning.add_lines(report, _s)

    report.notes += [
        f"Conditions: {platform.machine()}, {os.cpu_count()} cores shared with other work, "
        f"Python {platform.python_version()}, DEBUG off; one run per figure, wall-clock "
        "time of the import call (file reading, validation, classification, writes and the "
        "import record), database set-up excluded.",
        f"django-import-export is timed on the first {_n(args.baseline_rows)} rows of the same "
        f"file (it runs at hundreds of rows per second); ketnghia imports all "
        f"{_n(args.rows)}. The speed-up compares rows per second.",
        "Baseline: bench/baseline.py, a ModelResource over CensusEntry that gets or creates "
        "the Household of each row and classifies it, library defaults; 'defaults' also "
        "writes django-simple-history's row per saved household and entry, as the ORM does "
        "for these models, 'no history rows' turns that off (ketnghia's import records one "
        "ImportBatch instead), the like-for-like comparison.",
        f"Whole run: {_s(time.perf_counter() - started)}.",
    ]
    print()
    print(report.render())


if __name__ == "__main__":
    main()
