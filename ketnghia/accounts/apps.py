from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ketnghia.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from ketnghia.accounts import sessions  # noqa: F401  (connects the sign-in signal)
