"""What the package loaders (`load-units`, `load-reform-2025`) share: actor lookup, problem
listing and exit codes. The file imports are `imports.records.RecordsCommand`s."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ketnghia.core.commands import BaseCommand


class LoaderCommand(BaseCommand):
    """Base of the package loaders: `--actor`, problems on stderr and exit code 2."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="User recorded in the history as having made the change (default: none).",
        )

    def actor(self, options: dict[str, Any]) -> Any:
        return self.user_named(options.get("actor"))
