from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ketnghia.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app declares its personal-data outputs in `<app>/disclosures.py`.
        autodiscover_modules("disclosures")
