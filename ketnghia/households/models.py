"""Households and their members: the registry the poverty census classifies."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.folding import Folded
from ketnghia.households.ethnicities import ETHNIC_GROUPS
from ketnghia.poverty.domain import Area


class Household(models.Model):
    """A household of one commune; `code` is unique within the commune.

    `area` is copied from the village (or commune) when the household is registered and may be
    overridden (`area_overridden`), since the standard in force depends on it.
    """

    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="households", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        related_name="village_households",
        null=True,
        blank=True,
        verbose_name=_("village"),
    )
    code = models.CharField(_("household code"), max_length=40)
    head_name = models.CharField(_("head of household"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)
    area = models.CharField(_("area"), max_length=5, choices=Area.choices, default=Area.RURAL)
    area_overridden = models.BooleanField(_("area set by hand"), default=False)
    # The unit path of the village (or commune), so the gate filters households by prefix.
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    registered_year = models.PositiveSmallIntegerField(_("registered in"), null=True, blank=True)
    left_year = models.PositiveSmallIntegerField(_("left in"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["commune", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "code"], name="uniq_household_code_in_commune"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.head_name}"

    def save(self, *args, **kwargs) -> None:
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "census:household_detail", kwargs={"commune": self.commune.code, "code": self.code}
        )

    def set_derived_fields(self) -> None:
        """Keep `unit_path` in step with the village/commune (bulk paths call it)."""
        self.unit_path = (self.village or self.commune).path


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Relation(models.TextChoices):
    HEAD = "head", _("head")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other relative")


class Member(models.Model):
    """A person of a household. `personal_id` is shown masked unless the role allows more."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNIC_GROUPS)
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices)
    personal_id = models.CharField(_("personal ID number"), max_length=12, blank=True)
    # The name folded ("nguyen van a") by the database on every write, bulk ones included,
    # for the diacritic-insensitive search (`core.search`).
    search_folded = models.GeneratedField(
        expression=Folded("full_name"),
        output_field=models.CharField(max_length=150),
        db_persist=True,
        db_index=True,
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["search_folded"])

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return self.full_name
