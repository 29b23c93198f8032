"""gunicorn's configuration for production: `gunicorn -c python:ketnghia.gunicorn_conf ketnghia.wsgi`.

Read from the environment like the settings (README, "Deployment"). gunicorn serves HTTP on
a local address; the reverse proxy in front of it terminates HTTPS and forwards the requests
(`KETNGHIA_BEHIND_PROXY=1`). Static files are served by WhiteNoise from `STATIC_ROOT` after
`ketnghia collectstatic`; census uploads are imported by `ketnghia db_worker`, not here.
"""

from __future__ import annotations

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Where gunicorn listens: local by default, the reverse proxy being on the same machine.
bind = os.environ.get("KETNGHIA_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Threaded workers (gthread): cores + 1 processes of `KETNGHIA_WEB_THREADS` (4) threads. A
# page served from the cache costs a few milliseconds of CPU, and sync workers close the
# connection after every request (they ignore keep-alive): under 50 users on 2 cores the
# reconnections cost more than the page (bench/README.md: 3 × 4 threads answered 45 requests
# a second where 5 sync workers answered 21, the same cached page, the same load). The threads
# of a process also overlap their waits on PostgreSQL and Redis, in less memory than more
# processes. KETNGHIA_WEB_THREADS=1 gives the sync workers, 2 × cores + 1 of them, as before.
threads = int(os.environ.get("KETNGHIA_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
workers = int(
    os.environ.get("WEB_CONCURRENCY", str(_cores() + 1 if threads > 1 else 2 * _cores() + 1))
)
# A request still running after this many seconds has its worker restarted: the longest
# pages (the review report as .docx) take seconds, imports run in the task worker.
timeout = int(os.environ.get("KETNGHIA_WEB_TIMEOUT", "120"))
# On SIGTERM (systemd stop, a deploy) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("KETNGHIA_WEB_GRACEFUL_TIMEOUT", "30"))
# Behind a proxy that keeps connections to gunicorn open between requests (gthread honours it;
# the proxy's upstream keep-alive should be shorter than this).
keepalive = int(os.environ.get("KETNGHIA_WEB_KEEPALIVE", "75"))
# Each worker is replaced after about this many requests, so no slow leak grows for weeks.
max_requests = int(os.environ.get("KETNGHIA_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Access and error log to stdout/stderr: the service manager (journald) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("KETNGHIA_WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The workers' heartbeat files on a memory file system when there is one (not a slow disk).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The proxy's X-Forwarded-* headers are trusted from these addresses only (the proxy's).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
