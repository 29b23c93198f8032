from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "ketnghia.economy"
    verbose_name = _("Economic models and outcomes")
