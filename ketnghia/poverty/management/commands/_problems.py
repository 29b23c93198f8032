"""How the poverty commands report domain errors: every problem on stderr, then exit 2."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from ketnghia.core.errors import KetnghiaError


def fail(command: BaseCommand, error: KetnghiaError) -> CommandError:
    """Write each problem of `error` on its own line and return the CommandError to raise."""
    for problem in error.problems:
        command.stderr.write(str(problem))
    count = error.count
    return CommandError(
        ngettext(
            "%(count)s problem; nothing was written.",
            "%(count)s problems; nothing was written.",
            count,
        )
        % {"count": count},
        returncode=2,
    )
