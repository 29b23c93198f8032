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
from django.core.management.base import CommandError, CommandParser, DjangoHelpFormatter
from django.utils.translation import gettext as _

from ketnghia.core.errors import KetnghiaError
from ketnghia.core.text import format_number

# The exit status of a command that refused its input (nothing written).
EXIT_INVALID = 2


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

    def refuse(self, error: KetnghiaError) -> CommandError:
        """List every problem on stderr and return the error that ends the command with 2."""
        self.write_problems(error)
        return CommandError(
            _("Nothing was written: %(count)s problem(s) found.")
            % {"count": format_number(error.count)},
            returncode=EXIT_INVALID,
        )

    def refuse_unconfirmed(self, error: KetnghiaError) -> CommandError:
        """List why an import needs `--confirm` and return the error that ends with 2."""
        self.write_problems(error)
        return CommandError(_("Run again with --confirm to import it."), returncode=EXIT_INVALID)

    def user_named(self, username: str | None) -> Any:
        """Return the user an import is recorded as made by (`--actor`), None if not given."""
        if not username:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                _("Unknown user “%(username)s”.") % {"username": username},
                returncode=EXIT_INVALID,
            )
        return user

    def write_problems(self, error: KetnghiaError) -> None:
        for problem in error.problems:
            self.stderr.write(str(problem))
