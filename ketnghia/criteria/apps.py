from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "ketnghia.criteria"
    verbose_name = _("Village and commune criteria")

    def ready(self) -> None:
        from ketnghia.census.services import OFFICIAL_FIGURE
        from ketnghia.core import derived
        from ketnghia.criteria import facts, providers, services
        from ketnghia.geo.services import REGIONS
        from ketnghia.programs.services import COMMUNES

        for provider in (
            providers.CensusFacts(),
            providers.VillageFactsProvider(),
            providers.InfrastructureProvider(),
        ):
            facts.register(provider)
        # What the stored results read, reported by other apps' writes: census approvals
        # (the census facts), a program's commune list (a unit's class), a commune's region
        # (its thresholds), the twinning network (the twinning facts, registered by twinning).
        # They reach the stored results at their commit, before the indicators read them.
        derived.register(
            services.inputs_changed,
            name=services.ASSESSMENTS,
            reads={OFFICIAL_FIGURE, COMMUNES, REGIONS, *services.TWINNING_SOURCES},
            writes=services.ASSESSMENTS,
        )
