"""The process a web upload's assignments file is read in: `python -m … KEY [--dry-run]`.

It caps its own address space (KETNGHIA_IMPORT_WORKER_MEMORY_MB) before anything else, as
the census import's worker does, then runs the stored upload and writes its outcome beside
it (`uploads.upload_worker`). A file that needs more memory ends this process only.
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
    from ketnghia.twinning.assignment_import.uploads import upload_worker

    upload_worker(argv[1], dry_run="--dry-run" in argv[2:], confirm="--confirm" in argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
