"""Administrative units, their classification per period, and successions between them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.text import fold


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class UnitKind(models.TextChoices):
    """The unit's legal kind; values follow the national names (tỉnh, huyện, xã, thôn...)."""

    TINH = "tinh", _("Province (tỉnh)")
    THANH_PHO_TRUNG_UONG = "thanh_pho_trung_uong", _("Centrally governed city")
    HUYEN = "huyen", _("Rural district (huyện)")
    QUAN = "quan", _("Urban district (quận)")
    THANH_PHO = "thanh_pho", _("Provincial city")
    THI_XA = "thi_xa", _("Town (thị xã)")
    XA = "xa", _("Commune (xã)")
    PHUONG = "phuong", _("Ward (phường)")
    THI_TRAN = "thi_tran", _("Township (thị trấn)")
    THON = "thon", _("Village (thôn)")
    LANG = "lang", _("Village (làng)")
    BAN = "ban", _("Village (bản)")
    TO_DAN_PHO = "to_dan_pho", _("Residential group (tổ dân phố)")


KINDS_BY_LEVEL: dict[str, frozenset[str]] = {
    UnitLevel.PROVINCE: frozenset({UnitKind.TINH, UnitKind.THANH_PHO_TRUNG_UONG}),
    UnitLevel.DISTRICT: frozenset(
        {UnitKind.HUYEN, UnitKind.QUAN, UnitKind.THANH_PHO, UnitKind.THI_XA}
    ),
    UnitLevel.COMMUNE: frozenset({UnitKind.XA, UnitKind.PHUONG, UnitKind.THI_TRAN}),
    UnitLevel.VILLAGE: frozenset({UnitKind.THON, UnitKind.LANG, UnitKind.BAN, UnitKind.TO_DAN_PHO}),
}
URBAN_KINDS = frozenset({UnitKind.PHUONG, UnitKind.THI_TRAN, UnitKind.TO_DAN_PHO, UnitKind.QUAN})
PARENT_LEVEL: dict[str, str | None] = {
    UnitLevel.PROVINCE: None,
    UnitLevel.DISTRICT: UnitLevel.PROVINCE,
    UnitLevel.COMMUNE: UnitLevel.DISTRICT,
    UnitLevel.VILLAGE: UnitLevel.COMMUNE,
}


class Unit(models.Model):
    """One administrative unit: province, district, commune or village.

    `path` lists the codes from the province down to this unit ("/62/610/23305/"), so
    "this unit and everything below it" is one indexed prefix match; the scoping gate
    relies on it.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    is_urban = models.BooleanField(_("urban"), default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("geo:unit_detail", kwargs={"code": self.code})

    def set_derived_fields(self) -> None:
        """Keep `path` and `search_name` in step with code, parent and name (bulk paths call it)."""
        self.search_name = fold(self.name)
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"

    @property
    def ancestor_codes(self) -> list[str]:
        """Return the codes from the province down to the parent of this unit."""
        return [code for code in self.path.strip("/").split("/")[:-1] if code]


class ClassificationScheme(models.TextChoices):
    COMMUNE_REGION = "commune_region", _("Commune region (I, II, III)")
    ESPECIALLY_DIFFICULT_VILLAGE = (
        "especially_difficult_village",
        _("Especially difficult village"),
    )


class UnitClassification(models.Model):
    """A unit's class in one scheme for one period (e.g. region III for 2016–2020)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="classifications", verbose_name=_("unit")
    )
    scheme = models.CharField(_("scheme"), max_length=40, choices=ClassificationScheme.choices)
    value = models.CharField(_("value"), max_length=20)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit classification")
        verbose_name_plural = _("unit classifications")
        ordering = ["unit", "scheme", "start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "scheme", "start_year"], name="uniq_classification_period"
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="classification_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_scheme_display()} {self.value} {self.start_year}–{self.end_year}"


class Succession(models.Model):
    """A merger or split: `share` of the old unit passed to the new unit on `date`."""

    old_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="successors", verbose_name=_("old unit")
    )
    new_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="predecessors", verbose_name=_("new unit")
    )
    date = models.DateField(_("effective date"))
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["date", "old_unit"]
        constraints = [
            models.UniqueConstraint(fields=["old_unit", "new_unit"], name="uniq_succession_pair")
        ]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit} ({self.date}, {self.share})"
