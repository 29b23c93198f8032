"""Criteria set versions, the facts entered per year, infrastructure, and stored assessments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.errors import InvalidInput
from ketnghia.criteria.domain import CriteriaSet, Level
from ketnghia.geo.models import Unit

_PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class CriteriaSetVersion(models.Model):
    """One stored version of a criteria set: the same dict a set file holds.

    A version that has assessments is never edited: an administrator creates a new version
    from it (the admin's "new version" action) and edits that one.
    """

    code = models.CharField(_("code"), max_length=40)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=255)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    definition = models.JSONField(_("definition"))
    source = models.CharField(_("source"), max_length=120, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), on_delete=models.SET_NULL, null=True, blank=True
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criteria set version")
        verbose_name_plural = _("criteria set versions")
        ordering = ["code", "level", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "level", "version"], name="uniq_criteria_set_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_level_display()} · v{self.version}"

    def as_set(self) -> CriteriaSet:
        from ketnghia.criteria.sets import criteria_set_from_dict

        data = {**self.definition, "code": self.code, "level": self.level, "version": self.version}
        return criteria_set_from_dict(data, source=f"db:{self.code}/{self.level}/v{self.version}")

    def has_results(self) -> bool:
        return self.pk is not None and self.assessments.exists()

    def clean(self) -> None:
        if not isinstance(self.definition, dict):
            raise ValidationError({"definition": _("Give the definition as a table of fields.")})
        if self.pk is not None:
            stored = (
                CriteriaSetVersion.objects.filter(pk=self.pk)
                .values_list("definition", flat=True)
                .first()
            )
            if stored is not None and stored != self.definition and self.has_results():
                raise ValidationError(
                    _("This version has results and cannot change; create a new version from it.")
                )
        try:
            criteria_set = self.as_set()
        except InvalidInput as error:
            raise ValidationError([str(problem) for problem in error.problems]) from error
        self.name = criteria_set.name.vi
        self.first_year, self.last_year = criteria_set.first_year, criteria_set.last_year


class PartyCellRating(models.IntegerChoices):
    """The yearly rating of the village Party cell (chi bộ)."""

    NOT_COMPLETED = 1, _("did not complete its tasks")
    COMPLETED = 2, _("completed its tasks")
    GOOD = 3, _("completed its tasks well")
    EXCELLENT = 4, _("completed its tasks excellently (clean and strong)")


class VillageFacts(models.Model):
    """Facts about one village in one year that the census does not collect; blank = not known."""

    village = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="criteria_facts"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    party_cell_rating = models.PositiveSmallIntegerField(
        _("Party cell rating"), choices=PartyCellRating.choices, null=True, blank=True
    )
    village_rules_adopted = models.BooleanField(_("village rules adopted"), null=True, blank=True)
    mass_organisations_active = models.BooleanField(
        _("mass organisations active"), null=True, blank=True
    )
    serious_crimes = models.PositiveIntegerField(_("serious crimes"), null=True, blank=True)
    public_order_incidents = models.PositiveIntegerField(
        _("public-order incidents"), null=True, blank=True
    )
    drug_cases = models.PositiveIntegerField(_("drug addiction cases"), null=True, blank=True)
    illegal_migration_cases = models.PositiveIntegerField(
        _("illegal migration cases"), null=True, blank=True
    )
    households_short_of_food = models.PositiveIntegerField(
        _("households short of food"), null=True, blank=True
    )
    households_hygienic_latrine = models.PositiveIntegerField(
        _("households with a hygienic latrine"), null=True, blank=True
    )
    households_clean_water = models.PositiveIntegerField(
        _("households with clean water"), null=True, blank=True
    )
    households_land_or_work = models.PositiveIntegerField(
        _("households with production land or stable work"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village facts")
        verbose_name_plural = _("village facts")
        ordering = ["village__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="uniq_village_facts")
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_path = self.village.path
        super().save(*args, **kwargs)


class Road(models.TextChoices):
    """The road to the commune centre."""

    ALL_SEASON = "all_season", _("car-passable all year")
    DRY_SEASON = "dry_season", _("car-passable in the dry season only")
    NONE = "none", _("no car road")


ROAD_SCORES = {Road.ALL_SEASON: 2, Road.DRY_SEASON: 1, Road.NONE: 0}


class CommuneInfrastructure(models.Model):
    """A commune's infrastructure in one year; blank = not known."""

    commune = models.ForeignKey(
        Unit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="infrastructure"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    road_to_centre = models.CharField(
        _("road to the commune centre"), max_length=12, choices=Road.choices, blank=True
    )
    electricity_percent = models.DecimalField(
        _("households on the grid (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_PERCENT,
    )
    health_station_standard = models.BooleanField(
        _("health station meets the national standard"), null=True, blank=True
    )
    preschools = models.PositiveSmallIntegerField(_("preschools"), null=True, blank=True)
    primary_schools = models.PositiveSmallIntegerField(_("primary schools"), null=True, blank=True)
    lower_secondary_schools = models.PositiveSmallIntegerField(
        _("lower secondary schools"), null=True, blank=True
    )
    clean_water_percent = models.DecimalField(
        _("households with clean water (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_PERCENT,
    )
    mobile_coverage_percent = models.DecimalField(
        _("villages with mobile coverage (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_PERCENT,
    )
    cultural_house = models.BooleanField(_("cultural house"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commune infrastructure")
        verbose_name_plural = _("commune infrastructure")
        ordering = ["commune__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year"], name="uniq_commune_infrastructure")
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_path = self.commune.path
        super().save(*args, **kwargs)


class ManualAssessment(models.Model):
    """A person's judgement of an assessed criterion for one unit and year, with evidence."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    set_code = models.CharField(_("criteria set"), max_length=40)
    criterion_code = models.CharField(_("criterion"), max_length=40)
    met = models.BooleanField(_("met"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    assessor_name = models.CharField(_("assessed by"), max_length=150)
    assessed_on = models.DateField(_("assessed on"))
    evidence = models.TextField(_("evidence"))
    evidence_file = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("evidence file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("manual assessment")
        verbose_name_plural = _("manual assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "set_code", "criterion_code"], name="uniq_manual_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.set_code}.{self.criterion_code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    MEETS = "meets", _("meets")
    BASICALLY_MEETS = "basically_meets", _("basically meets")
    NOT_MET = "not_met", _("does not meet")


class Assessment(models.Model):
    """The engine's result for one unit, year and set version, with the inputs it used."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    set_version = models.ForeignKey(
        CriteriaSetVersion,
        verbose_name=_("criteria set"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    outcome = models.CharField(_("result"), max_length=16, choices=Outcome.choices)
    met_count = models.PositiveSmallIntegerField(_("criteria met"))
    counted = models.PositiveSmallIntegerField(_("criteria counted"))
    failing = models.JSONField(_("criteria not met"), default=list)
    details = models.JSONField(_("per criterion"), default=dict)
    inputs = models.JSONField(_("inputs used"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["unit_path", "year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "set_version"], name="uniq_assessment")
        ]
        indexes = [models.Index(fields=["set_version", "year"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.set_version}: {self.outcome}"
