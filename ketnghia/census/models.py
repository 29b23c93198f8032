"""Census rounds: one commune's poverty census of one year, its entries and its workflow.

An entry copies the household facts it was classified from (code, head, village, area,
income, deprivations), so a round approved by the commune is a snapshot that later edits to
the household registry never change. A correction after approval is a new revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.text import fold
from ketnghia.households.models import Member, Relation
from ketnghia.poverty.rules import Status

__all__ = [
    "CensusEntry",
    "CensusRound",
    "Complaint",
    "ImportBatch",
    "RoundState",
    "RoundSummary",
    "Status",
]


class RoundState(models.TextChoices):
    """The steps of the census procedure, in order (Decision 24/2021/QĐ-TTg for 2022–2025)."""

    DRAFT = "draft", _("Draft list")
    COLLECTED = "collected", _("Data collected and classified")
    VILLAGE_MEETING = "village_meeting", _("Village meeting held")
    POSTED = "posted", _("Draft list posted publicly")
    COMMUNE_APPROVED = "commune_approved", _("Approved by the commune")
    DISTRICT_ACCEPTED = "district_accepted", _("Accepted by the district")
    PROVINCE_ACCEPTED = "province_accepted", _("Accepted by the province")


class CensusRound(models.Model):
    """One commune's census for one year under one standard; `revision` counts corrections."""

    commune = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        related_name="census_rounds",
        verbose_name=_("commune"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    standard_code = models.CharField(_("poverty standard"), max_length=40)
    state = models.CharField(
        _("state"), max_length=20, choices=RoundState.choices, default=RoundState.DRAFT
    )
    # Copied from the commune so the gate filters rounds by prefix without a join.
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    meeting_date = models.DateField(_("village meeting date"), null=True, blank=True)
    meeting_participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    meeting_agreeing = models.PositiveIntegerField(
        _("participants agreeing"), null=True, blank=True
    )
    # Checked by content and downloaded through the gate (`core.attachments`).
    meeting_minutes = models.ForeignKey(
        "core.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting minutes"),
    )
    posting_start = models.DateField(_("posted from"), null=True, blank=True)
    posting_end = models.DateField(_("posted until"), null=True, blank=True)
    commune_approved_at = models.DateTimeField(null=True, blank=True)
    commune_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district_accepted_at = models.DateTimeField(null=True, blank=True)
    district_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    province_accepted_at = models.DateTimeField(null=True, blank=True)
    province_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the round entered its current state (the district inbox's "since when").
    state_changed_at = models.DateTimeField(_("state since"), null=True, blank=True)
    # Why the district last returned the round to the commune; cleared when the commune
    # approves it again (every return stays in the round's history).
    # (A database default too: the bulk writers of the demo insert rounds without it.)
    return_reason = models.TextField(
        _("reason for returning"), blank=True, default="", db_default=""
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("revision of"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("census round")
        verbose_name_plural = _("census rounds")
        ordering = ["commune", "year", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year", "revision"], name="uniq_round_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.year} (r{self.revision})"

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.commune.path
        super().save(*args, **kwargs)


def entry_search_text(household_code: str, head_name: str) -> str:
    """Return what the round's household search matches words against (no diacritics)."""
    return fold(f"{household_code} {head_name}")[:200]


class CensusEntry(models.Model):
    """A household as classified in one round, with the facts it was classified from.

    `deprivations` is a bit mask over the round standard's indicators in their declared order
    (bit 0 = first indicator): one integer column keeps bulk imports and aggregation set-based.
    """

    round = models.ForeignKey(
        CensusRound, on_delete=models.CASCADE, related_name="entries", verbose_name=_("round")
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="census_entries",
        verbose_name=_("household"),
    )
    household_code = models.CharField(_("household code"), max_length=40)
    head_name = models.CharField(_("head of household"), max_length=150)
    village_code = models.CharField(_("village code"), max_length=20, blank=True)
    area = models.CharField(_("area"), max_length=5)
    member_count = models.PositiveSmallIntegerField(_("members"), null=True, blank=True)
    monthly_income_per_person = models.BigIntegerField(_("monthly income per person (VND)"))
    surveyed_on = models.DateField(_("surveyed on"), null=True, blank=True)
    deprivations = models.PositiveIntegerField(_("deprivations (bit mask)"), default=0)
    deprivation_count = models.PositiveSmallIntegerField(_("deprivation count"), default=0)
    computed_status = models.CharField(_("computed status"), max_length=10, choices=Status.choices)
    rule = models.CharField(_("deciding rule"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_batch = models.ForeignKey(
        "census.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # fold(f"{household_code} {head_name}"): the round's search matches words on it in SQL.
    search_folded = models.CharField(
        max_length=200, blank=True, default="", db_default="", editable=False
    )
    # The ethnicity of the household's head in the registry now (its first member with the
    # relation "head"; NULL without one), not a snapshot: the indicators group every round's
    # entries by it in one pass over the entries. Kept in step by `save()` and, set-based, by
    # `census.summaries.entries_heads_refresh` (round refresh, summaries rebuild, a head's
    # change through `households.services`). NULL (no head) is not "" (a head whose ethnicity
    # is blank): the first is left out of the ethnicity rows, the second counts as a minority.
    head_ethnicity = models.CharField(  # noqa: DJ001
        max_length=2, null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["search_folded", "head_ethnicity"])

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        ordering = ["round", "household_code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="uniq_entry_household")
        ]
        indexes = [models.Index(fields=["round", "search_folded"], name="entry_round_search")]

    def __str__(self) -> str:
        return f"{self.round}: {self.household_code} {self.status}"

    def save(self, *args, **kwargs) -> None:
        self.search_folded = entry_search_text(self.household_code, self.head_name)
        self.head_ethnicity = (
            Member.objects.filter(household_id=self.household_id, relation=Relation.HEAD)
            .order_by("id")
            .values_list("ethnicity", flat=True)
            .first()
        )
        super().save(*args, **kwargs)

    @property
    def is_overridden(self) -> bool:
        return self.status != self.computed_status


class Complaint(models.Model):
    """A complaint received while the draft list was posted, and how it was resolved."""

    round = models.ForeignKey(
        CensusRound, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("round")
    )
    household = models.ForeignKey(
        "households.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("complaint"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["round", "received_on"]

    def __str__(self) -> str:
        return f"{self.round}: {self.received_on}"


class ImportBatch(models.Model):
    """One import of a census file: who, when, which file, and what it created or changed."""

    round = models.ForeignKey(
        CensusRound, on_delete=models.CASCADE, related_name="imports", verbose_name=_("round")
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    households_created = models.PositiveIntegerField(default=0)
    households_updated = models.PositiveIntegerField(default=0)
    entries_created = models.PositiveIntegerField(default=0)
    entries_changed = models.PositiveIntegerField(default=0)
    entries_unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("census import")
        verbose_name_plural = _("census imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.round}"


class RoundSummary(models.Model):
    """A round's households by status and its transitions from the previous census year.

    Derived from the entries and refreshed in the transaction that changes them (services,
    import, demo; `census.summaries`), so the commune page never reads entries. The previous
    year is the commune's latest earlier census year, taken at its figure (latest approved
    revision, else latest revision); no previous year means no transitions.
    """

    round = models.OneToOneField(
        CensusRound, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    households = models.PositiveIntegerField(default=0)
    poor = models.PositiveIntegerField(default=0)
    near_poor = models.PositiveIntegerField(default=0)
    average = models.PositiveIntegerField(default=0)
    not_poor = models.PositiveIntegerField(default=0)
    previous_round = models.ForeignKey(
        CensusRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remained_poor = models.PositiveIntegerField(default=0)
    exited_poverty = models.PositiveIntegerField(default=0)
    newly_poor = models.PositiveIntegerField(default=0)
    fell_back = models.PositiveIntegerField(default=0)
    remained_not_poor = models.PositiveIntegerField(default=0)
    new_household = models.PositiveIntegerField(default=0)
    households_left = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("census round summary")
        verbose_name_plural = _("census round summaries")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.households}"
