"""Saved review reports: the figures as they were, and the narrative the user edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SavedReport(models.Model):
    """One review (program, area, baseline and review year) with its edited narrative.

    `figures` is the report's JSON snapshot (`domain.report_to_dict`) taken when the
    narrative was saved; the exports are made from it, so the Word file says what the user
    read and approved. Saving again replaces both and the history keeps every version.
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="+", verbose_name=_("program")
    )
    area = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    review_year = models.PositiveSmallIntegerField(_("review year"))
    threshold = models.FloatField(_("threshold (%)"), default=30.0)
    official = models.BooleanField(_("approved rounds only"), default=True)
    narrative_vi = models.TextField(_("summary (Vietnamese)"), blank=True)
    narrative_en = models.TextField(_("summary (English)"), blank=True)
    # The other sections of a review; `narrative_vi` is its first ("results achieved").
    shortcomings = models.TextField(_("shortcomings and their causes"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    directions = models.TextField(_("directions and tasks"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    # The administrative heading of the Word file (Decree 30/2020), edited with the text.
    issuer_superior = models.CharField(_("issuer's superior body"), max_length=200, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    document_number = models.CharField(_("number and symbol"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    recipients = models.TextField(_("recipients (one a line)"), blank=True)
    signer_on_behalf = models.CharField(_("signing on behalf of"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved review report")
        verbose_name_plural = _("saved review reports")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "area", "baseline_year", "review_year", "threshold", "official"],
                name="uniq_saved_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.baseline_year}–{self.review_year} ({self.area})"
