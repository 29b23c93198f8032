"""The production configuration, started as deployed: gunicorn and the task worker.

On PostgreSQL only. The repository's Procfile's `web` and `worker` commands run with the
production settings (DEBUG off, a secret key and the allowed hosts from the environment,
behind a reverse proxy that says HTTPS), on the test database; the static files are
collected first, as the `release` step does. A province viewer signs in like a browser
(the CSRF token from the login form) and opens the program dashboard; both processes then
stop on SIGTERM and exit cleanly.
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

from ketnghia.dashboards.tests.conftest import load_program

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

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
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
    viewer.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
    viewer.save(update_fields=["password"])

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
        login = reverse(settings.LOGIN_URL)
        response, html = browser.request("GET", login)
        assert response.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        response, _html = browser.request(
            "POST",
            login,
            {"csrfmiddlewaretoken": token, "username": viewer.username, "password": PASSWORD},
        )
        assert response.status == 302, _html[:2000]
        assert "sessionid" in browser.cookies
        response, html = browser.request("GET", "/")
        assert response.status == 200
        assert 'data-testid="dashboard"' in html and 'data-unit="62"' in html
        # A figure: 8 poor households of 30 in the program's latest year.
        assert "8/30 hộ" in html and "26,7\xa0%" in html
        # Static files come hashed from the collected files (WhiteNoise), not from the finders.
        script = re.search(r'src="(/static/plotly/plotly\.min\.[0-9a-f]{12}\.js)"', html)
        assert script, "plotly.js is not served from the collected, hashed files"
        response, _body = browser.request("GET", script.group(1))
        assert response.status == 200
        assert "max-age" in (response.getheader("Cache-Control") or "")
        assert processes["worker"].poll() is None, "the task worker exited"
    finally:
        codes = {name: _stop(process) for name, process in processes.items()}
        for log in logs.values():
            log.close()
    output = {name: (tmp_path / f"{name}.log").read_text(errors="replace") for name in commands}
    assert codes == {"web": 0, "worker": 0}, output
    # The access log goes to stdout, one line per request.
    assert re.search(r'"GET / HTTP/1\.1" 200', output["web"]), output["web"]
