"""Maintained aggregates (one row per indicator, program, unit, year and variant) and targets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Aggregate(models.Model):
    """An indicator's numerator, denominator and value for one program unit, year and variant.

    Written only by `services` (refresh on each write that changes inputs, and the set-based
    rebuild); every page reads figures from here (`selectors`), never from the source rows.
    """

    indicator = models.CharField(_("indicator"), max_length=60)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    unit_level = models.CharField(_("level"), max_length=10)
    # Copied from the unit so the gate filters rows by prefix without a join.
    unit_path = models.CharField(max_length=255)
    period = models.PositiveSmallIntegerField(_("year"))
    disaggregation = models.CharField(_("disaggregation"), max_length=40, blank=True, default="")
    official = models.BooleanField(_("approved rounds only"), default=True)
    numerator = models.FloatField(_("numerator"))
    denominator = models.FloatField(_("denominator"))
    value = models.FloatField(_("value"), null=True)
    # An estimate's 95 % interval in the value's unit (`estimate` indicators; None otherwise),
    # and the reason an estimate has no value.
    ci_low = models.FloatField(_("interval low"), null=True, blank=True)
    ci_high = models.FloatField(_("interval high"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, default="")
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "program",
                    "indicator",
                    "unit",
                    "period",
                    "disaggregation",
                    "official",
                ],
                name="uniq_aggregate",
            )
        ]
        indexes = [
            models.Index(
                fields=["program", "period", "unit_level", "official", "disaggregation"],
                name="aggregate_lookup",
            ),
            models.Index(fields=["unit", "period"], name="aggregate_unit_period"),
            models.Index(fields=["unit_path"], name="aggregate_unit_path"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit_id} {self.period} {self.disaggregation}: {self.value}"


class DataVersion(models.Model):
    """The version of a province's aggregates: bumped in the transaction that changes them.

    Pages built from the aggregates are cached per (page, scope, parameters, version) and
    answer 304 on a matching ETag (`indicators.cache`); a refresh of a commune bumps its
    province's row, a rebuild every province's. The row lives in the database, so every
    server process sees the same version, whatever cache it has.
    """

    province = models.OneToOneField(
        "geo.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    version = models.PositiveBigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("aggregates version")
        verbose_name_plural = _("aggregates versions")

    def __str__(self) -> str:
        return f"{self.province_id}: {self.version}"


class Target(models.Model):
    """A program's target for an indicator in a year, with its baseline."""

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="indicator_targets",
        verbose_name=_("program"),
    )
    indicator = models.CharField(_("indicator"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.FloatField(_("target"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["program", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "indicator", "year"], name="uniq_indicator_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.indicator} {self.year}: {self.target}"
