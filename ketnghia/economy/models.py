"""Economic development models hosted by a village, their participants, yearly results and
replications ("nhân rộng": a model started elsewhere links to the model it copies)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ModelKind(models.TextChoices):
    CROP = "crop", _("Crop")
    LIVESTOCK = "livestock", _("Livestock")
    FORESTRY = "forestry", _("Forestry")
    HANDICRAFT = "handicraft", _("Handicraft")
    SERVICE = "service", _("Service")


class ModelStatus(models.TextChoices):
    TRIAL = "trial", _("Trial")
    EFFECTIVE = "effective", _("Effective")
    STOPPED = "stopped", _("Stopped")


class EconomicModel(models.Model):
    """A crop, livestock, forestry, handicraft or service model hosted by one village."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=ModelKind.choices)
    village = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("host village")
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    organisation = models.ForeignKey(
        "twinning.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supporting organisation"),
    )
    work_team = models.ForeignKey(
        "twinning.WorkTeam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work team"),
    )
    start_date = models.DateField(_("start date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ModelStatus.choices, default=ModelStatus.TRIAL
    )
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replications",
        verbose_name=_("replicated from"),
    )
    output_unit = models.CharField(_("unit of output"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    photos = models.ManyToManyField(
        "core.Attachment", blank=True, related_name="+", verbose_name=_("photos")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("economic model")
        verbose_name_plural = _("economic models")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.unit_path = self.village.path
        super().save(*args, **kwargs)


class Participation(models.Model):
    """A household taking part in a model; one outside the host commune says why."""

    model = models.ForeignKey(
        EconomicModel,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("economic model"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    joined_year = models.PositiveSmallIntegerField(_("joined in"))
    reason = models.CharField(
        _("reason (household outside the commune)"), max_length=255, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participating household")
        verbose_name_plural = _("participating households")
        constraints = [
            models.UniqueConstraint(fields=["model", "household"], name="economy_one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.model} — {self.household}"


class ModelResult(models.Model):
    """A model's results in one year: total output and income per participating household."""

    model = models.ForeignKey(
        EconomicModel,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("economic model"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    output = models.DecimalField(_("output"), max_digits=14, decimal_places=2)
    income_per_household = models.BigIntegerField(_("income per participating household (VND)"))
    households = models.PositiveIntegerField(_("participating households"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly result")
        verbose_name_plural = _("yearly results")
        ordering = ["model", "year"]
        constraints = [
            models.UniqueConstraint(fields=["model", "year"], name="economy_one_result_a_year"),
            models.CheckConstraint(
                condition=models.Q(output__gte=0) & models.Q(income_per_household__gte=0),
                name="economy_result_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} — {self.year}"
