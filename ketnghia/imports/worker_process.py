"""Which process runs an import, and whether it still does.

A job that is running names the process that runs it (`process_mark`: host, pid and the
process's start time). When that process is gone — killed (SIGKILL, the kernel's OOM killer),
or the machine restarted — nothing else would ever finish the job, so whoever looks at the
job next (its page, the next import) asks `process_gone` and marks it failed. The start time
guards against a new process that got the same pid; a job marked on another host is left to
the timeout, since its process cannot be seen from here.
"""

from __future__ import annotations

import os
import socket
from typing import Any


def _start_time(pid: int) -> str:
    """Return the process's start time in clock ticks since boot ('' where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[-1].split()
    except OSError:
        return False
    return bool(fields) and fields[0] in {"Z", "X"}


def process_mark(pid: int | None = None) -> dict[str, Any]:
    """Return what names this process (or `pid`) for a later `process_gone`."""
    pid = os.getpid() if pid is None else pid
    return {"host": socket.gethostname(), "pid": pid, "start": _start_time(pid)}


def process_gone(mark: Any) -> bool:
    """Whether the process `mark` names has ended (False when it cannot be known from here)."""
    if not isinstance(mark, dict) or not isinstance(mark.get("pid"), int):
        return False
    if mark.get("host") != socket.gethostname():
        return False
    pid = mark["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    if _zombie(pid):
        return True  # killed, not yet reaped by its parent
    start = mark.get("start")
    return bool(start) and _start_time(pid) not in {"", start}
