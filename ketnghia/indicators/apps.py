from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "ketnghia.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from ketnghia.core import derived
        from ketnghia.indicators import services

        # Reads every source (and the criteria's stored results): runs after every other.
        derived.register(services.aggregates_refresh, name=services.REFRESHER)
