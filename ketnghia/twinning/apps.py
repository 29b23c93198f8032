from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwinningConfig(AppConfig):
    name = "ketnghia.twinning"
    verbose_name = _("Twinning network")

    def ready(self) -> None:
        from ketnghia.criteria import facts
        from ketnghia.twinning.facts import TwinningFacts

        facts.register(TwinningFacts())
