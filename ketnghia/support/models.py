"""Support delivered: legal documents, funds by source (a ledger), packages, delivery cycles.

A fund's money is never a stored total: it is the sum of its ledger entries (allocations and
adjustments, appended, never changed), and what is committed or delivered is the sum of the
deliveries of its cycles in the right states (`selectors.fund_figures`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Plan")
    OTHER = "other", _("Other document")


class LegalDocument(models.Model):
    """A resolution, decision or plan that allocates money or defines support."""

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="support_documents",
        verbose_name=_("program"),
    )
    number = models.CharField(_("number and symbol"), max_length=80)
    issued_on = models.DateField(_("date issued"))
    issuer = models.CharField(_("issuing body"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    summary = models.TextField(_("summary"), blank=True)
    # The unit whose authority issued it (province or district): the gate reads its path.
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    attachment = models.ForeignKey(
        "core.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document file"),
    )
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number", "issued_on"], name="uniq_support_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} ({self.issued_on:%d/%m/%Y})"

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class FundSource(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    PROVINCE = "province", _("Provincial budget")
    DISTRICT = "district", _("District budget")
    TWINNING_UNIT = "twinning_unit", _("Twinning unit")
    ENTERPRISE = "enterprise", _("Enterprise or donor")
    PEOPLE = "people", _("People's contribution")


class Fund(models.Model):
    """The money one document gives for one year from one source (by one giver, for gifts)."""

    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="funds", verbose_name=_("document")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    # The twinning unit or enterprise that gives (sources twinning_unit and enterprise).
    organisation = models.ForeignKey(
        "twinning.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_funds",
        verbose_name=_("giver"),
    )
    # The unit whose budget it is (province, district, or the commune a gift goes to).
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["year", "document", "source"]

    def __str__(self) -> str:
        giver = f" · {self.organisation}" if self.organisation_id else ""
        return f"{self.document.number} · {self.year} · {self.get_source_display()}{giver}"

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation")
    ADJUSTMENT = "adjustment", _("Adjustment")


class FundEntry(models.Model):
    """One line of a fund's ledger; appended, never changed or deleted (VND)."""

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("amount (VND)"))
    reason = models.TextField(_("reason"), blank=True)
    entered_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fund ledger entry")
        verbose_name_plural = _("fund ledger entries")
        ordering = ["fund", "entered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="allocation") | Q(amount__gt=0),
                name="support_allocation_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""),
                name="support_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund}: {self.amount}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("a fund ledger entry is never changed")
        super().save(*args, **kwargs)


class PackageKind(models.TextChoices):
    SEEDLINGS = "seedlings", _("Seedlings")
    LIVESTOCK = "livestock", _("Breeding livestock")
    FERTILISER = "fertiliser", _("Fertiliser")
    TOOLS = "tools", _("Tools")
    HOUSING = "housing", _("Housing")
    CLEAN_WATER = "clean_water", _("Clean water")
    LATRINE = "latrine", _("Latrine")
    TRAINING = "training", _("Training")
    CREDIT = "credit", _("Credit")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class Form(models.TextChoices):
    IN_KIND = "in_kind", _("In kind")
    CASH = "cash", _("In cash")


class Multiplier(models.TextChoices):
    NONE = "none", _("per recipient")
    MEMBERS = "members", _("per household member")


class RecipientLevel(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    VILLAGE = "village", _("Village")
    COMMUNE = "commune", _("Commune")


class Package(models.Model):
    """What one document gives each recipient, and who may receive it (a target rule)."""

    document = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        related_name="packages",
        verbose_name=_("document"),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=PackageKind.choices)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices)
    unit = models.CharField(_("unit of quantity"), max_length=30)
    unit_value = models.BigIntegerField(_("value per unit (VND)"))
    quantity = models.DecimalField(_("quantity per recipient"), max_digits=12, decimal_places=2)
    multiplier = models.CharField(
        _("multiplied by"), max_length=10, choices=Multiplier.choices, default=Multiplier.NONE
    )
    # The most one recipient may be given, whatever the multiplier (None: no cap).
    cap = models.DecimalField(
        _("cap per recipient"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recipient_level = models.CharField(
        _("recipient"), max_length=10, choices=RecipientLevel.choices
    )
    target_rule = models.TextField(_("target rule"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support package")
        verbose_name_plural = _("support packages")
        ordering = ["document", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_value__gte=0), name="support_value_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="support_quantity_positive"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gt=0), name="support_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CycleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    DELIVERED = "delivered", _("Delivered")
    RECONCILED = "reconciled", _("Reconciled")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Cycle(models.Model):
    """One delivery of a package in one commune, paid from one fund: maker-checker."""

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("package")
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("fund")
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=255)
    # The decision that orders this delivery: nothing is approved or delivered before it.
    decision_number = models.CharField(_("decision"), max_length=80, blank=True)
    decision_date = models.DateField(_("decision date"))
    # The census status recipients are chosen on: the official rounds as of this day.
    census_as_of = models.DateField(_("census status as of"))
    state = models.CharField(
        _("state"), max_length=12, choices=CycleState.choices, default=CycleState.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    state_reason = models.TextField(_("reason"), blank=True)
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery cycle")
        verbose_name_plural = _("delivery cycles")
        ordering = ["-decision_date", "commune__path", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.commune.path
        super().save(*args, **kwargs)


class Delivery(models.Model):
    """One recipient of a cycle: entitled, then delivered; a snapshot of why it was chosen."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("cycle")
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_deliveries",
        verbose_name=_("household"),
    )
    # The village (or commune) the recipient lives in, or the unit that receives.
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    recipient_name = models.CharField(_("recipient"), max_length=150)
    entitled_quantity = models.DecimalField(_("entitled"), max_digits=12, decimal_places=2)
    entitled_value = models.BigIntegerField(_("entitled value (VND)"))
    delivered_quantity = models.DecimalField(
        _("delivered"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    delivered_value = models.BigIntegerField(_("delivered value (VND)"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    difference_note = models.TextField(_("difference explained"), blank=True)
    # Whether the target rule chose it; a recipient outside the rule needs a reason.
    in_rule = models.BooleanField(_("chosen by the rule"), default=True)
    override_reason = models.TextField(_("reason for adding outside the rule"), blank=True)
    # What the rule read, frozen when it was chosen (census year, status, members, facts).
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)

    history = HistoricalRecords(excluded_fields=["snapshot"])

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["cycle", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "household"],
                condition=Q(household__isnull=False),
                name="uniq_support_household_per_cycle",
            ),
            models.UniqueConstraint(
                fields=["cycle", "unit"],
                condition=Q(household__isnull=True),
                name="uniq_support_unit_per_cycle",
            ),
            models.CheckConstraint(
                condition=Q(entitled_quantity__gte=0) & Q(entitled_value__gte=0),
                name="support_entitled_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(delivered_quantity__isnull=True) | Q(delivered_quantity__gte=0),
                name="support_delivered_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(in_rule=True) | ~Q(override_reason=""),
                name="support_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.recipient_name}"

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class SignedList(models.Model):
    """The scan of a village's signed delivery list, attached back to its cycle."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="signed_lists", verbose_name=_("cycle")
    )
    village = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    attachment = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name=_("scan")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signed delivery list")
        verbose_name_plural = _("signed delivery lists")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "village"], name="uniq_signed_list")
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.village}"
