from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "ketnghia.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # The provinces' stored dashboards are written again with each new data version
        # (in a rebuild's transaction, or by a task once a refresh commits).
        from ketnghia.dashboards.tasks import dashboard_rows_after_bump
        from ketnghia.indicators.services import VERSION_LISTENERS

        if dashboard_rows_after_bump not in VERSION_LISTENERS:
            VERSION_LISTENERS.append(dashboard_rows_after_bump)
