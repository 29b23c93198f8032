from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "ketnghia.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # The provinces' stored dashboards are written again with each new data version.
        from ketnghia.dashboards.services import dashboard_rows_write
        from ketnghia.indicators.services import VERSION_LISTENERS

        if dashboard_rows_write not in VERSION_LISTENERS:
            VERSION_LISTENERS.append(dashboard_rows_write)
