from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ketnghia.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from ketnghia.dashboards import todos
        from ketnghia.portal.todos import portal_todos

        if portal_todos not in todos.EXTRA_TODOS:
            todos.EXTRA_TODOS.append(portal_todos)
