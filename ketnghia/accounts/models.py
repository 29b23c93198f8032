"""Users, their role and their jurisdiction: what the scoping gate reads."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.accounts.rules import Role, jurisdiction_problems

__all__ = ["Actor", "Role", "User"]


class User(AbstractUser):
    """A person who signs in; `role` and `jurisdiction` decide what the gate lets them see."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit this user answers for; they see it and everything below it."),
    )
    organisation = models.ForeignKey(
        "twinning.Organisation",
        verbose_name=_("twinning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def clean(self) -> None:
        """Refuse a role whose jurisdiction is missing or of the wrong level (admin forms)."""
        super().clean()
        if not self.role:
            return
        problems = jurisdiction_problems(
            role=self.role,
            jurisdiction_level=self.jurisdiction.level if self.jurisdiction else None,
            has_organisation=self.organisation_id is not None,
        )
        if problems:
            raise ValidationError({"jurisdiction": problems})


# Who takes an action a service performs: a user, or None for the system itself (commands,
# loaders, the demo). Every service's `actor` argument has this type.
Actor = User | None
