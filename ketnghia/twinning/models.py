"""Twinning units (provincial agencies, armed-forces units, enterprises) and their communes.

Only what the scoping gate needs today: which organisation is twinned with which commune, when.
Assignments below commune level, work teams and activities come with the twinning issue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    PROVINCIAL_AGENCY = "provincial_agency", _("Provincial agency")
    ARMED_FORCES = "armed_forces", _("Armed-forces unit")
    ENTERPRISE = "enterprise", _("Enterprise")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    DISTRICT_OFFICE = "district_office", _("District office")


class Organisation(models.Model):
    """A body that can be assigned responsibility for a commune or village."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    province = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Twinning(models.Model):
    """An organisation twinned with an especially difficult commune for a period."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="twinnings",
        verbose_name=_("organisation"),
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="twinnings", verbose_name=_("commune")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("twinning")
        verbose_name_plural = _("twinnings")
        ordering = ["commune__path", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "commune", "start_date"], name="uniq_twinning_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.commune}"
