from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The `core.derived` name of the entries' stored head ethnicity (`summaries.entries_heads_refresh`).
HEADS_REFRESHER = "census.heads"


class CensusConfig(AppConfig):
    name = "ketnghia.census"
    verbose_name = _("Poverty census")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from ketnghia.census import household_checks, summaries
        from ketnghia.census.models import CensusEntry
        from ketnghia.core import derived
        from ketnghia.households.checks import household_checks_register
        from ketnghia.households.selectors import household_change_source_register
        from ketnghia.households.services import HEADS

        # A household's page lists its census entries' changes; a household typed on the web
        # is checked as a census file's row is (households knows neither: census registers).
        household_change_source_register(
            CensusEntry,
            lambda record: gettext("census %(year)s") % {"year": record.round.year},
            related=("round",),
        )
        household_checks_register(household_checks.CensusHouseholdChecks())
        # A head's change in the registry moves the entries' head ethnicity, which the
        # indicators read: refreshed before them (`writes` orders it first).
        derived.register(
            summaries.entries_heads_refresh,
            name=HEADS_REFRESHER,
            reads={HEADS},
            writes=HEADS_REFRESHER,
        )
