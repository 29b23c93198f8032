from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "ketnghia.economy"
    verbose_name = _("Economic models and outcomes")

    def ready(self) -> None:
        from ketnghia.economy.facts import load_economy_facts
        from ketnghia.indicators.facts import register_fact_source

        register_fact_source(load_economy_facts)
        _register_estimator()
        _register_subcommands()
        from ketnghia.economy.review import review_section
        from ketnghia.reports.contributed import register_review_section

        register_review_section("economy", review_section)


def _register_estimator() -> None:
    """The exit-rate difference as an indicator: re-estimated when what it reads changes."""
    from ketnghia.census.services import OFFICIAL_FIGURE
    from ketnghia.economy.estimates import ESTIMATOR, support_exit_estimates
    from ketnghia.geo.services import REGIONS, UNITS
    from ketnghia.households.services import HEADS
    from ketnghia.indicators.estimates import register_estimator
    from ketnghia.programs.services import COMMUNES
    from ketnghia.support.services import SOURCE_DELIVERIES

    register_estimator(
        ESTIMATOR,
        support_exit_estimates,
        reads={OFFICIAL_FIGURE, SOURCE_DELIVERIES, COMMUNES, UNITS, REGIONS, HEADS},
    )


def _register_subcommands() -> None:
    """`ketnghia support models|outcomes`: the auditors' command line is the support app's."""
    from ketnghia.economy import cli
    from ketnghia.support.cli import Subcommand, register

    register(
        Subcommand(
            "models",
            _("Economic models and how far they were replicated."),
            cli.add_models_arguments,
            lambda command, options: cli.run_models(options, command.stdout),
        )
    )
    register(
        Subcommand(
            "outcomes",
            _("Poverty exits of supported against comparable households."),
            cli.add_outcomes_arguments,
            lambda command, options: cli.run_outcomes(options, command.stdout),
        )
    )
