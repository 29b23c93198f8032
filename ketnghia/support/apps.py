from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "ketnghia.support"
    verbose_name = _("Support delivered")

    def ready(self) -> None:
        from ketnghia.indicators.facts import register_fact_source
        from ketnghia.support.facts import load_support_facts

        register_fact_source(load_support_facts)
