"""The base of ketnghia's management commands: help texts may be lazy translations.

argparse formats `help` and the description with `re` and `textwrap`, which refuse Django's
lazy strings (`gettext_lazy`), so `ketnghia import-census --help` died with a TypeError.
`BaseCommand` hands argparse a formatter that turns them into text first, in the language
active when the help is printed. Every ketnghia command derives from it (a test runs
`--help` for each).
"""

from __future__ import annotations

from argparse import Action
from typing import Any

from django.core.management.base import BaseCommand as DjangoBaseCommand
from django.core.management.base import CommandParser, DjangoHelpFormatter


class HelpFormatter(DjangoHelpFormatter):
    """Django's help formatter, taking lazy translations as help and description."""

    def _format_text(self, text: Any) -> str:
        return super()._format_text(str(text))

    def _expand_help(self, action: Action) -> str:
        if action.help is not None and not isinstance(action.help, str):
            action.help = str(action.help)
        return super()._expand_help(action)


class BaseCommand(DjangoBaseCommand):
    """A management command whose help texts may be `gettext_lazy` strings."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)
