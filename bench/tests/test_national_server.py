"""The national bench's production server part: process memory read, and its table lines."""

from __future__ import annotations

import os
import subprocess
import sys

from bench import national


def _figures(users: int, p95: float, errors: int = 0) -> dict:
    return {
        "requests": 1000, "errors": errors, "error_kinds": [], "seconds": 10.0, "rps": 100.0,
        "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.5, "users": users,
        "duration": 10.0, "think": None, "load_average": (3.0, 2.5, 2.0),
        "memory": {"master": 40 * 2**20, "workers": [90 * 2**20, 95 * 2**20],
                   "redis_used": 2**20, "redis_rss": 8 * 2**20},
    }  # fmt: skip


def test_the_memory_of_a_process_and_its_children_is_read():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in national._children(os.getpid())
        memory = national._memory(os.getpid(), None)
        assert memory["master"] > 2**20 and len(memory["workers"]) >= 1
    finally:
        child.kill()
        child.wait()
    assert national._rss(child.pid) is None  # gone


def test_the_load_lines_name_the_server_the_memory_and_the_verdict():
    result = {
        "scale": 0.02,
        "generated": {"households": 542_921, "provinces": 1, "districts": 11, "communes": 200,
                      "villages": 1923, "seconds": {"total": 40.0}},
        "floor": {"seconds": 0.3, "runs": [0.3]},
        "refresh": {"households": 2700, "return_seconds": 0.1, "return_runs": [0.1],
                    "approve_seconds": 0.1, "approve_runs": [0.1], "refresh_seconds": None,
                    "refresh_runs": []},
        "dashboard_uncached": {"seconds": 0.06, "runs": [0.06], "cpu_seconds": 0.02,
                               "queries": 8, "cached_seconds": 0.01, "bytes": 36_000},
        "dashboard_computed": {"seconds": 0.3, "runs": [0.3], "cpu_seconds": 0.09,
                               "queries": 28, "cached_seconds": 0.01, "bytes": 36_000},
        "server": {"kind": "gunicorn", "workers": 3, "worker_class": "gthread, 4 threads",
                   "cache": "Redis"},
        "load_single": _figures(1, 40.0),
        "load": _figures(50, 120.0),
        "load_think": _figures(50, 200.0, errors=2),
    }  # fmt: skip
    text = national.render([result])
    assert "gunicorn -c python:ketnghia.gunicorn_conf, 3 workers (gthread, 4 threads)" in text
    assert "cache: Redis" in text
    assert "RSS MiB: master 40, workers 90/95, Redis 1 used (8 RSS)" in text
    assert "NOT met (wall); CPU within it" in text  # 60 ms wall, 20 ms CPU
    assert "28 queries" in text
    lines = {line[0]: line for line in national.lines([result])}
    back_to_back = next(v for k, v in lines.items() if "50 users back to back" in k)
    think = next(v for k, v in lines.items() if "between pages" in k)
    assert back_to_back[-1] == "met" and think[-1] == "NOT met"
