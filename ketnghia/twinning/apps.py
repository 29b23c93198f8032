from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwinningConfig(AppConfig):
    name = "ketnghia.twinning"
    verbose_name = _("Twinning network")

    def ready(self) -> None:
        from ketnghia.accounts.rules import Role
        from ketnghia.core import gate
        from ketnghia.criteria import facts
        from ketnghia.twinning.facts import TwinningFacts
        from ketnghia.twinning.selectors import twinned_commune_paths

        facts.register(TwinningFacts())
        # A twinning-unit member reaches the communes its organisation is twinned with.
        gate.scope_provider_register(Role.TWINNING_MEMBER, twinned_commune_paths)
