from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "ketnghia.criteria"
    verbose_name = _("Village and commune criteria")

    def ready(self) -> None:
        from ketnghia.census.services import OFFICIAL_FIGURE
        from ketnghia.core import derived
        from ketnghia.criteria import facts, providers, services

        for provider in (
            providers.CensusFacts(),
            providers.VillageFactsProvider(),
            providers.InfrastructureProvider(),
        ):
            facts.register(provider)
        # Census approvals reach the stored results at their commit, before the indicators.
        derived.register(
            services.official_figure_changed,
            name=services.ASSESSMENTS,
            reads={OFFICIAL_FIGURE},
            writes=services.ASSESSMENTS,
        )
