from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "ketnghia.economy"
    verbose_name = _("Economic models and outcomes")

    def ready(self) -> None:
        from ketnghia.economy.facts import load_economy_facts
        from ketnghia.indicators.facts import register_fact_source

        register_fact_source(load_economy_facts)
