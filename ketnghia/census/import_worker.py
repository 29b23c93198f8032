"""The process a web upload's census import runs in: `python -m ketnghia.census.import_worker JOB`.

`census.tasks.census_import_run` starts it for a running job; it caps its own address space
(KETNGHIA_IMPORT_WORKER_MEMORY_MB) before anything else, then imports the job's file and
records the outcome on the job. A file that needs more memory ends this process only; the
task that started it marks the job failed.
"""

from __future__ import annotations

import os
import resource
import sys


def main(argv: list[str]) -> int:
    limit = int(os.environ.get("KETNGHIA_IMPORT_WORKER_MEMORY_MB", "3072")) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
    import django

    django.setup()
    from ketnghia.census.tasks import census_import_job_execute

    census_import_job_execute(int(argv[1]), confirm="--confirm" in argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
