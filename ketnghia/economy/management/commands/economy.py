"""`ketnghia economy models|outcomes --program CODE [--json]` (to become `ketnghia support …`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy

from ketnghia.core.commands import BaseCommand
from ketnghia.economy import cli


class Command(BaseCommand):
    help = gettext_lazy(
        "Economic models and whether support worked: the models with their replications, or "
        "the matched difference in poverty exits per package kind and start year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        models = commands.add_parser(
            "models", help=gettext_lazy("Economic models and how far they were replicated.")
        )
        cli.add_models_arguments(models)
        outcomes = commands.add_parser(
            "outcomes",
            help=gettext_lazy("Poverty exits of supported against comparable households."),
        )
        cli.add_outcomes_arguments(outcomes)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "models":
            cli.run_models(options, self.stdout)
        else:
            cli.run_outcomes(options, self.stdout)
