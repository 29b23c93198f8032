"""The public portal under public load (portal issue, item 7), against a real gunicorn server.

`python -m bench.portal` (and `make bench`, through `run.py`): a scratch SQLite database with
one published bulletin carrying 300 approved comments, served by gunicorn (2 workers, gthread);
then
- 200 concurrent anonymous readers, each reading the bulletin 5 times with 0.5–1.5 s between
  pages (a reader reads): latency p50/p95/max of every page, errors;
- the same page from 200 readers with no pause at all (a closed loop): pages per second;
- a flood of 1,000 comment posts from one address (127.0.0.5), 10 at a time, while a
  legitimate reader (127.0.0.9) posts one comment: how many the flood got stored (at most
  the rate limit's number), what the legitimate reader got.

Targets: p95 under 100 ms and no error; the flood stores at most `rate_limit_count`
comments, the legitimate comment is taken.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
READERS = 200
PAGES_PER_READER = 5
COMMENTS = 300
FLOOD = 1_000
TARGET_P95_MS = 100.0
SLUG = "ban-tin-thu-tai"


def _setup() -> None:
    """Create the database, one published bulletin and its comments (run in a child)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from ketnghia.geo.models import Unit, UnitKind, UnitLevel
    from ketnghia.portal import services
    from ketnghia.portal.models import Bulletin, Comment
    from ketnghia.portal.rules import CommentState

    call_command("migrate", verbosity=0)
    province = Unit(code="62", name="Tỉnh Kon Tum", level=UnitLevel.PROVINCE, kind=UnitKind.TINH)
    province.save()
    bulletin = services.bulletin_create(
        actor=None,
        unit=province,
        title="Bản tin thử tải",
        lead="Một bản tin có 300 ý kiến.",
        body="<p>" + "Nội dung bản tin. " * 200 + "</p>",
        tags=["Thử tải"],
    )
    services.bulletin_transition(actor=None, bulletin=bulletin, action="publish")
    assert Bulletin.objects.get().slug == SLUG
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            bulletin=bulletin,
            author_name=f"Người đọc {n}",
            author_email=f"doc-gia-{n}@bench.invalid",
            content=f"Ý kiến số {n}: cảm ơn bản tin, xem thêm https://example.org/{n}",
            state=CommentState.APPROVED,
            created_at=now,
        )
        for n in range(COMMENTS)
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(
    port: int, path: str, source: str = "127.0.0.1", headers: dict | None = None
) -> tuple[int, bytes, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def _readers(port: int, pause: bool, duration: float = 0.0) -> dict[str, Any]:
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    start = threading.Barrier(READERS)

    def reader(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        start.wait()
        if pause:  # readers arrive within the first second, not all in the same millisecond
            time.sleep(rng.uniform(0, 1.0))
        n = 0
        etag = cookie = ""
        while (n < PAGES_PER_READER) if pause else (time.perf_counter() < deadline):
            began = time.perf_counter()
            try:
                # A browser asks again with the ETag it has (If-None-Match): 304, no body.
                headers = {"If-None-Match": etag, "Cookie": cookie} if etag else {}
                status, body, response = _get(port, f"/bulletins/{SLUG}/", headers=headers)
                ok = status == 304 or (
                    status == 200 and b"Ng\xc6\xb0\xe1\xbb\x9di \xc4\x91\xe1\xbb\x8dc 299" in body
                )
                if pause:  # the browser keeps the page's ETag and its cookie
                    etag = response.getheader("ETag") or etag
                    cookie = (response.getheader("Set-Cookie") or "").split(";")[0] or cookie
            except OSError:
                ok = False
            elapsed = time.perf_counter() - began
            with lock:
                times.append(elapsed)
                errors += 0 if ok else 1
            n += 1
            if pause:
                time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ordered = sorted(times)
    return {
        "requests": len(times),
        "errors": errors,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
        "max_ms": 1000 * ordered[-1],
        "per_second": len(times) / wall,
    }


def _form(port: int, source: str) -> tuple[str, str]:
    status, body, response = _get(port, f"/bulletins/{SLUG}/", source)
    assert status == 200
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()  # type: ignore[union-attr]
    return cookie, token


def _post(port: int, source: str, cookie: str, token: str, n: int, name: str) -> int:
    data = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "name": name,
            "email": f"{'doc-gia' if source.endswith('.9') else 'spam'}{n}@bench.invalid",
            "content": f"Ý kiến {name} số {n}",
            "consent": "on",
        }
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            "POST",
            f"/bulletins/{SLUG}/comments/",
            body=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{port}/bulletins/{SLUG}/",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _flood(port: int) -> dict[str, Any]:
    flood_source, legit_source = "127.0.0.5", "127.0.0.9"
    cookie, token = _form(port, flood_source)
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(range(FLOOD))
    legit: list[int] = []

    def flooder() -> None:
        while True:
            with lock:
                if not queue:
                    return
                n = queue.pop()
            status = _post(port, flood_source, cookie, token, n, "Spam Bot")
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    def legitimate() -> None:
        time.sleep(0.5)
        legit_cookie, legit_token = _form(port, legit_source)
        legit.append(_post(port, legit_source, legit_cookie, legit_token, 1, "Chị Hoa"))

    began = time.perf_counter()
    threads = [threading.Thread(target=flooder) for _ in range(10)]
    threads.append(threading.Thread(target=legitimate))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "seconds": time.perf_counter() - began,
        "statuses": statuses,
        "legit_status": legit[0] if legit else None,
    }


def _stored(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import django,os,json;os.environ.setdefault('DJANGO_SETTINGS_MODULE','ketnghia.settings');"
        "django.setup();from ketnghia.portal.models import Comment;"
        "print(json.dumps({'flood': Comment.objects.filter(ip='127.0.0.5').count(),"
        "'legit': Comment.objects.filter(ip='127.0.0.9').count()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict[str, Any]:
    """Set up, serve, measure; return the figures."""
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
                "KETNGHIA_VAR_DIR": directory,
                "KETNGHIA_PROFILE": "local",
                "DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            }
        )
        subprocess.run([sys.executable, "-m", "bench.portal", "--setup"], env=env, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ketnghia.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "16",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=str(REPO),
        )
        try:
            for _ in range(100):
                try:
                    if _get(port, f"/bulletins/{SLUG}/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            for _ in range(20):  # both workers fill their cache
                _get(port, f"/bulletins/{SLUG}/")
            readers = _readers(port, pause=True)
            closed = _readers(port, pause=False, duration=10.0)
            flood = _flood(port)
        finally:
            server.terminate()
            server.wait(timeout=30)
        flood["stored"] = _stored(env)
    return {"readers": readers, "closed": closed, "flood": flood}


def lines(result: dict[str, Any]) -> list[tuple[str, ...]]:
    """Return `make bench`'s table lines for `result`."""
    r, c, f = result["readers"], result["closed"], result["flood"]
    met = r["p95_ms"] < TARGET_P95_MS and r["errors"] == 0
    flood_ok = f["stored"]["flood"] <= 5 and f["legit_status"] == 302 and f["stored"]["legit"] == 1
    return [
        (
            f"portal: {READERS} concurrent readers, bulletin with {COMMENTS} comments (p50 / p95 / max)",
            "SQLite",
            f"{r['requests']:,}",
            f"{r['p95_ms']:.0f} ms",
            f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['max_ms']:.0f} ms, {r['errors']} errors",
            f"p95 < {TARGET_P95_MS:.0f} ms, no error",
            "met" if met else "NOT met",
        ),
        (
            f"portal: {READERS} readers with no pause (closed loop, 10 s)",
            "SQLite",
            f"{c['requests']:,}",
            f"{c['p95_ms']:.0f} ms",
            f"{c['per_second']:.0f} pages/s, {c['errors']} errors",
            "",
            "",
        ),
        (
            f"portal: flood of {FLOOD:,} comment posts from one address + one legitimate reader",
            "SQLite",
            f"{FLOOD:,}",
            f"{f['seconds']:.1f} s",
            f"statuses {dict(sorted(f['statuses'].items()))}; stored from the flood "
            f"{f['stored']['flood']}; legitimate reader {f['legit_status']}",
            "≤ 5 stored, legitimate taken",
            "met" if flood_ok else "NOT met",
        ),
    ]


def add_lines(report: Any) -> None:
    for line in lines(run()):
        report.add(*line)


if __name__ == "__main__":
    if "--setup" in sys.argv:
        _setup()
    else:
        for line in lines(run()):
            print(" | ".join(line))
