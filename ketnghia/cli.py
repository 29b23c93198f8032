"""The `ketnghia` console command: Django's manage.py with ketnghia's settings as default."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, defaulting the settings module to ketnghia's."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
