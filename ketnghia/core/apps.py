from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ketnghia.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app declares its personal-data outputs in `<app>/disclosures.py`.
        autodiscover_modules("disclosures")
        # SQLite's folded-name columns call `ketnghia_fold` (core.folding): every connection
        # gets it, those opened already included.
        from django.db import connections
        from django.db.backends.signals import connection_created

        from ketnghia.core.folding import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="ketnghia.core.folding")
        for connection in connections.all(initialized_only=True):
            register_sqlite(connection)
