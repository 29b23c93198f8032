from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ketnghia.reports"
    verbose_name = _("Review reports")
