from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    name = "ketnghia.reform"
    verbose_name = _("Units after the 2025 reform")
