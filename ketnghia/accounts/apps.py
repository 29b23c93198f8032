from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ketnghia.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from ketnghia.accounts import sessions  # noqa: F401  (connects the sign-in signal)
        from ketnghia.accounts.rules import Role
        from ketnghia.core import gate
        from ketnghia.core.gate import Action

        everything = (
            Action.VIEW,
            Action.EDIT,
            Action.ADMINISTER,
            Action.SEE_PERSONAL_DATA,
            Action.PUBLISH,
            Action.MODERATE,
        )
        for role, actions in (
            (Role.PROVINCE_ADMIN, everything),
            (Role.PROVINCE_VIEWER, (Action.VIEW,)),
            (Role.DISTRICT_OFFICER, (Action.VIEW, Action.EDIT)),
            (Role.COMMUNE_OFFICER, (Action.VIEW, Action.EDIT, Action.SEE_PERSONAL_DATA)),
            (Role.TWINNING_MEMBER, (Action.VIEW,)),
            (Role.PUBLIC_EDITOR, (Action.PUBLISH,)),
            (Role.PUBLIC_MODERATOR, (Action.MODERATE,)),
        ):
            gate.role_register(role, actions)
