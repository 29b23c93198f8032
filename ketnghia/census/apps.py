from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The `core.derived` name of the entries' stored head ethnicity (`summaries.entries_heads_refresh`).
HEADS_REFRESHER = "census.heads"


class CensusConfig(AppConfig):
    name = "ketnghia.census"
    verbose_name = _("Poverty census")

    def ready(self) -> None:
        from ketnghia.census import summaries
        from ketnghia.core import derived
        from ketnghia.households.services import HEADS

        # A head's change in the registry moves the entries' head ethnicity, which the
        # indicators read: refreshed before them (`writes` orders it first).
        derived.register(
            summaries.entries_heads_refresh,
            name=HEADS_REFRESHER,
            reads={HEADS},
            writes=HEADS_REFRESHER,
        )
