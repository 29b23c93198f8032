"""The memory-capped process every web upload is read in: `python -m ketnghia.imports.worker`.

`worker_run("module:function", **arguments)` runs `function(**arguments)` in a child process
that caps its own address space (KETNGHIA_IMPORT_WORKER_MEMORY_MB) before anything else, and
returns what it returned (plain JSON data). A file that needs more memory, or more time than
KETNGHIA_IMPORT_WORKER_TIMEOUT, ends that child only: `worker_run` raises `WorkerDied` and the
web server (or the task worker) goes on. The census upload (`imports.tasks`), the assignments
upload and the activity upload (`twinning`) all go through it.

With KETNGHIA_IMPORT_WORKER_PROCESS off (tests), or a database another process cannot open
(an in-memory SQLite database), the function runs in this process instead.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from ketnghia.core.text import format_number

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 3072
DEFAULT_TIMEOUT = 3600
# The child learns where to write its result from this variable.
_OUTCOME = "KETNGHIA_WORKER_OUTCOME"


# A worker that ended by these signals was killed (by an operator, a restart, the OOM killer).
_KILLED = {-signal.SIGKILL, -signal.SIGTERM, -signal.SIGINT}


def worker_killed_message() -> str:
    """The message of an import whose process was killed before it finished."""
    return _(
        "The import's worker was stopped before it finished (killed, or the server "
        "restarted); nothing of the file was imported. Upload it again; if this happens "
        "again, the file may need more memory than an import may use: split it by village."
    )


class WorkerDied(Exception):
    """The worker process ended without a result: out of memory, killed, or out of time."""

    def __init__(self, *, timed_out: bool, detail: str = "", killed: bool = False) -> None:
        super().__init__(detail or ("timeout" if timed_out else "died"))
        self.timed_out = timed_out
        self.killed = killed
        self.detail = detail

    @property
    def message(self) -> str:
        """The Vietnamese-translatable message a user sees for the file."""
        if self.killed:
            return worker_killed_message()
        if self.timed_out:
            return _(
                "The import took longer than %(minutes)s minutes and was stopped; the file was "
                "not imported. Split it by village and import the parts."
            ) % {"minutes": worker_timeout() // 60}
        return _(
            "Reading the file needed more memory than an import may use (%(limit)s MB), so "
            "it was stopped; the file was not imported. Delete the empty rows and columns "
            "beyond your data, or split the file by village."
        ) % {"limit": format_number(worker_memory_mb())}


def worker_memory_mb() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_WORKER_MEMORY_MB", DEFAULT_MEMORY_MB))


def worker_timeout() -> int:
    return int(getattr(settings, "KETNGHIA_IMPORT_WORKER_TIMEOUT", DEFAULT_TIMEOUT))


def database_url() -> str | None:
    """Return a URL of this process's database for the worker, None if it cannot share it."""
    conf = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(conf.get("USER") or "", safe="")
        password = quote(conf.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{conf['PORT']}" if conf.get("PORT") else ""
        return f"postgres://{auth}{conf.get('HOST') or ''}{port}/{quote(str(conf['NAME']))}"
    if connection.vendor == "sqlite":
        name = str(conf.get("NAME") or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None  # an in-memory database lives in this process only
        return f"sqlite:///{Path(name).resolve()}"
    return None


def worker_command(
    target: str, arguments: dict[str, Any]
) -> tuple[list[str], dict[str, str]] | None:
    """Return the worker's command line and environment, None to run in this process."""
    if not getattr(settings, "KETNGHIA_IMPORT_WORKER_PROCESS", False):
        return None
    url = database_url()
    if url is None:
        return None
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ketnghia.settings"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "KETNGHIA_IMPORT_WORKER_MEMORY_MB": str(worker_memory_mb()),
            # One thread for numpy's BLAS: each would reserve address space of its own.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    command = [sys.executable, "-m", "ketnghia.imports.worker", target, json.dumps(arguments)]
    return command, env


def _function(target: str) -> Any:
    module, _sep, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_run(target: str, **arguments: Any) -> Any:
    """Run `target` ("module:function") with `arguments` in the worker; return its result.

    Raises `WorkerDied` when the worker ends without one (memory, time, a crash).
    """
    worker = worker_command(target, arguments)
    if worker is None:
        return _function(target)(**arguments)
    command, env = worker
    handle, name = tempfile.mkstemp(prefix="ketnghia-worker-", suffix=".json")
    os.close(handle)
    outcome = Path(name)
    env = {**env, _OUTCOME: str(outcome)}
    try:
        try:
            finished = subprocess.run(
                command, env=env, timeout=worker_timeout(), capture_output=True, check=False
            )
        except subprocess.TimeoutExpired:
            logger.warning("import worker %s: stopped after %ss", target, worker_timeout())
            raise WorkerDied(timed_out=True) from None
        detail = finished.stderr.decode("utf-8", "replace")[-2000:]
        text = outcome.read_text(encoding="utf-8") if finished.returncode == 0 else ""
        if not text:
            logger.warning(
                "import worker %s ended with %s: %s", target, finished.returncode, detail
            )
            raise WorkerDied(timed_out=False, detail=detail, killed=finished.returncode in _KILLED)
        return json.loads(text)
    finally:
        outcome.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    limit = int(os.environ.get("KETNGHIA_IMPORT_WORKER_MEMORY_MB", str(DEFAULT_MEMORY_MB)))
    resource.setrlimit(resource.RLIMIT_AS, (limit * 1024 * 1024, limit * 1024 * 1024))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
    import django

    django.setup()
    result = _function(argv[1])(**json.loads(argv[2]))
    outcome = os.environ.get(_OUTCOME)
    if outcome:
        Path(outcome).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
