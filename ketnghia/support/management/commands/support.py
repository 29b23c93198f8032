"""`ketnghia support`: support delivered, for auditors (subcommands from `support.cli`)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.core.errors import KetnghiaError
from ketnghia.support.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = gettext_lazy("Support delivered: funds and, from other apps, more reports.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, subcommand in sorted(SUBCOMMANDS.items()):
            subcommand.add_arguments(sub.add_parser(name, help=str(subcommand.help)))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            SUBCOMMANDS[options["action"]].run(self, options)
        except KetnghiaError as error:
            raise self.refuse(error) from None
