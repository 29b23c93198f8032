from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "ketnghia.criteria"
    verbose_name = _("Village and commune criteria")

    def ready(self) -> None:
        from ketnghia.criteria import facts, providers

        for provider in (
            providers.CensusFacts(),
            providers.VillageFactsProvider(),
            providers.InfrastructureProvider(),
        ):
            facts.register(provider)
