from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "ketnghia.census"
    verbose_name = _("Poverty census")
