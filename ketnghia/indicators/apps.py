from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "ketnghia.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from ketnghia.core import derived
        from ketnghia.indicators import services

        derived.register(services.aggregates_refresh)
