"""The production configuration, started as deployed: gunicorn and the task worker.

On PostgreSQL only. The repository's Procfile's `web` and `worker` commands run with the
production settings (DEBUG off, a secret key and the allowed hosts from the environment,
behind a reverse proxy that says HTTPS), on the test database; the static files are
collected first, as the `release` step does. A province viewer signs in like a browser
(the CSRF token from the login form) and opens the program dashboard; a commune officer
uploads a census file, which the worker imports; both processes then stop on SIGTERM and
exit cleanly.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from ketnghia.census import services
from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.poverty.standards import get_standard

pytestmark = pytest.mark.usefixtures("transactional_db")

REPOSITORY = Path(__file__).resolve().parents[3]
PASSWORD = "Mat-khau-san-xuat-1"


def _procfile() -> dict[str, list[str]]:
    lines = (REPOSITORY / "deploy" / "Procfile").read_text().splitlines()
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            found[name.strip()] = command.strip()
    bin_dir = Path(sys.executable).parent
    # Each process is one command; its program comes from this venv.
    return {
        name: [str(bin_dir / words[0]), *words[1:]]
        for name in ("web", "worker")
        for words in [shlex.split(found[name])]
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Browser:
    """Just enough of a browser behind the HTTPS proxy: cookies, Origin, X-Forwarded-Proto."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        file: tuple[str, str, bytes] | None = None,
    ):
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None and file is not None:
            boundary = "ketnghia-test-boundary"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in form.items()
            ]
            field, name, content = file
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if form is not None:
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        connection_.request(method, path, body=body, headers=headers)
        response = connection_.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                # Secure and HttpOnly, as production sets them behind HTTPS.
                assert morsel["secure"], header
                self.cookies[name] = morsel.value
        connection_.close()
        return response, content.decode("utf-8", "replace")


def _sign_in(browser: Browser, username: str) -> None:
    """Sign in like a browser: the CSRF token from the login form, then the form posted."""
    login = reverse(settings.LOGIN_URL)
    response, html = browser.request("GET", login)
    assert response.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response, html = browser.request(
        "POST", login, {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    )
    assert response.status == 302, html[:2000]
    assert "sessionid" in browser.cookies


def _wait_until_serving(port: int, web: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert web.poll() is None, "gunicorn exited at start"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def test_gunicorn_and_the_worker_serve_the_dashboard_in_production_settings(tree, users, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the production configuration runs on PostgreSQL")
    load_program(tree, users)
    viewer = users.province_viewer
    # The production settings keep Django's default hashers (the tests' MD5 is not among them).
    for user in (viewer, users.commune_officer):
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
        user.save(update_fields=["password"])
    census_round = services.census_round_create(
        commune=tree.ngok_wang, year=2024, standard_code="vn-2022"
    )
    census_csv = write_csv(
        tmp_path / "ra-soat.csv",
        headers(get_standard("vn-2022")),
        [household("H1", "Y Blong", "Làng Kon Stiu", "1.000.000", [1, 1, 1] + [0] * 9)],
    )

    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KETNGHIA_", "DJANGO_", "PYTEST"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    env.update(
        {
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": "production-test-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "KETNGHIA_BEHIND_PROXY": "1",
            "KETNGHIA_BIND": f"127.0.0.1:{port}",
            "KETNGHIA_VAR_DIR": str(tmp_path / "var"),
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "WEB_CONCURRENCY": "2",
            "PYTHONPATH": str(REPOSITORY),
        }
    )
    ketnghia = str(Path(sys.executable).parent / "ketnghia")
    subprocess.run(
        [ketnghia, "collectstatic", "--noinput", "-v0"], env=env, check=True, timeout=240
    )
    commands = _procfile()
    logs = {name: (tmp_path / f"{name}.log").open("wb") for name in commands}
    processes = {
        name: subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=logs[name], stderr=subprocess.STDOUT
        )
        for name, command in commands.items()
    }
    try:
        _wait_until_serving(port, processes["web"], time.monotonic() + 60)
        browser = Browser(port)
        _sign_in(browser, viewer.username)
        # The home opens on the newest census year (2024, the open round below); 2015 is the
        # program's latest approved year.
        response, html = browser.request("GET", "/?year=2015")
        assert response.status == 200
        assert 'data-testid="dashboard"' in html and 'data-unit="62"' in html
        # A figure: 8 poor households of 30 in 2015.
        assert "8/30 hộ" in html and "26,7\xa0%" in html
        # Static files come hashed from the collected files (WhiteNoise), not from the finders.
        script = re.search(r'src="(/static/plotly/plotly\.min\.[0-9a-f]{12}\.js)"', html)
        assert script, "plotly.js is not served from the collected, hashed files"
        response, _body = browser.request("GET", script.group(1))
        assert response.status == 200
        assert "max-age" in (response.getheader("Cache-Control") or "")
        # A census upload is queued by the web and imported by the worker process.
        officer = Browser(port)
        _sign_in(officer, users.commune_officer.username)
        page = f"/census/{tree.ngok_wang.code}/2024/"
        response, html = officer.request("GET", page)
        assert response.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        response, _html = officer.request(
            "POST",
            reverse("census:round_import", args=[tree.ngok_wang.code, 2024]),
            {"csrfmiddlewaretoken": token},
            file=("file", "ra-soat.csv", census_csv.read_bytes()),
        )
        assert response.status == 302, _html[:2000]
        job = ImportJob.objects.get(scope__round=census_round.pk)
        deadline = time.monotonic() + 90
        while not job.is_finished and time.monotonic() < deadline:
            assert processes["worker"].poll() is None, "the task worker exited"
            time.sleep(0.5)
            job.refresh_from_db()
        assert job.state == ImportJobState.DONE, job.report
        assert CensusEntry.objects.filter(round=census_round).count() == 1
    finally:
        codes = {name: _stop(process) for name, process in processes.items()}
        for log in logs.values():
            log.close()
    output = {name: (tmp_path / f"{name}.log").read_text(errors="replace") for name in commands}
    assert codes == {"web": 0, "worker": 0}, output
    # The access log goes to stdout, one line per request.
    assert re.search(r'"GET /\?year=2015 HTTP/1\.1" 200', output["web"]), output["web"]


def _redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server at 127.0.0.1:6379")
def test_a_cache_url_puts_the_cache_and_the_sessions_in_redis(tmp_path):
    """KETNGHIA_CACHE_URL turns on Django's RedisCache (a value set by one process is read
    by another, as between gunicorn's workers) and cached_db sessions."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KETNGHIA_", "DJANGO_", "PYTEST")) and key != "REDIS_URL"
    }
    env.update(
        {
            "KETNGHIA_CACHE_URL": "redis://127.0.0.1:6379/15",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "SECRET_KEY": "production-test-key-" + "x" * 40,
            "KETNGHIA_VAR_DIR": str(tmp_path),
        }
    )
    ketnghia = str(Path(sys.executable).parent / "ketnghia")
    key = f"ketnghia-test-{os.getpid()}-{time.time_ns()}"
    write = (
        "from django.conf import settings; from django.core.cache import cache; "
        f"cache.set({key!r}, 'gia-tri', 60); "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    )
    read = f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})"
    first = subprocess.run(
        [ketnghia, "shell", "-c", write], env=env, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
    second = subprocess.run(
        [ketnghia, "shell", "-c", read], env=env, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] == "gia-tri"
