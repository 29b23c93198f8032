from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "ketnghia.census"
    verbose_name = _("Poverty census")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from ketnghia.census import household_checks
        from ketnghia.census.models import CensusEntry
        from ketnghia.households.checks import household_checks_register
        from ketnghia.households.selectors import household_change_source_register

        # A household's page lists its census entries' changes; a household typed on the web
        # is checked as a census file's row is (households knows neither: census registers).
        household_change_source_register(
            CensusEntry,
            lambda record: gettext("census %(year)s") % {"year": record.round.year},
            related=("round",),
        )
        household_checks_register(household_checks.CensusHouseholdChecks())
